#include "executor/exec/authorize.h"

#include <algorithm>

namespace remora::executor {
namespace {

bool hinted_verified(const LookupTable* hints, const Authenticator& auth) {
    if (hints == nullptr) return false;
    return std::any_of(hints->authenticators.begin(), hints->authenticators.end(),
                       [&](const AuthenticatorCheck& check) {
                           return check.status == AuthenticatorStatus::kVerified &&
                                  check.public_key == auth.public_key &&
                                  check.signature == auth.signature;
                       });
}

}  // namespace

Authorization authorize(const Transaction& tx, const Digest& digest, const LookupTable* hints) {
    REMORA_ASSERT(hints == nullptr || hints->tx_digest == digest);
    Authorization result;
    result.report.statuses.reserve(tx.authenticators.size());
    result.checks.reserve(tx.authenticators.size());
    for (const Authenticator& auth : tx.authenticators) {
        bool verified = false;
        if (hinted_verified(hints, auth)) {
            verified = true;
            ++result.skipped;
        } else {
            verified = verify_signature(auth.public_key, auth.signature, digest.view());
        }
        AuthenticatorStatus status =
            verified ? AuthenticatorStatus::kVerified : AuthenticatorStatus::kFailed;
        result.report.statuses.push_back(status);
        result.checks.push_back(AuthenticatorCheck{auth.public_key, auth.signature, status});
        // An address is a hash of the key: cheap, so never taken from the hints.
        if (address_of(auth.public_key) == tx.sender) result.report.sender_matches = true;
    }
    return result;
}

}  // namespace remora::executor
