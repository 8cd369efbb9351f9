#include "executor/tx/authenticators.h"

#include <algorithm>

namespace remora::executor {

bool AuthenticatorReport::authorized() const {
    return sender_matches && !statuses.empty() &&
           std::all_of(statuses.begin(), statuses.end(),
                       [](AuthenticatorStatus s) { return s == AuthenticatorStatus::kVerified; });
}

AuthenticatorReport verify_authenticators(const Transaction& tx) {
    const Digest digest = transaction_digest(tx);
    AuthenticatorReport report;
    report.statuses.reserve(tx.authenticators.size());
    for (const Authenticator& auth : tx.authenticators) {
        bool ok = verify_signature(auth.public_key, auth.signature, digest.view());
        report.statuses.push_back(ok ? AuthenticatorStatus::kVerified
                                     : AuthenticatorStatus::kFailed);
        if (address_of(auth.public_key) == tx.sender) report.sender_matches = true;
    }
    return report;
}

void sign_transaction(Transaction& tx, std::span<const KeyPair> signers) {
    const Digest digest = transaction_digest(tx);
    tx.authenticators.clear();
    for (const KeyPair& keys : signers) {
        tx.authenticators.push_back({keys.public_key, sign(keys, digest.view())});
    }
}

}  // namespace remora::executor
