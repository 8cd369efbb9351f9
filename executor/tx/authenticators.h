#pragma once
// Checking and producing a transaction's authenticators. A transaction is authorised when
// every authenticator's signature over the transaction digest verifies and the sender address
// is the address of at least one authenticator's public key.

#include <span>
#include <vector>

#include "executor/tx/transaction.h"

namespace remora::executor {

// The outcome of one authenticator check, as the lookup table records it.
enum class AuthenticatorStatus : std::uint8_t { kVerified = 0, kFailed = 1 };

struct AuthenticatorReport {
    std::vector<AuthenticatorStatus> statuses;  // one per authenticator, in order
    bool sender_matches = false;  // sender == address_of(some authenticator's public key)

    bool authorized() const;
};

// Verifies every authenticator against transaction_digest(tx). Costs one Ed25519
// verification (about 45 µs) per authenticator; the primary skips this for transactions whose
// lookup table already holds the result.
AuthenticatorReport verify_authenticators(const Transaction& tx);

// Replaces tx.authenticators with one signature per key pair over transaction_digest(tx).
// Does not change the digest (authenticators are not part of it).
void sign_transaction(Transaction& tx, std::span<const KeyPair> signers);

}  // namespace remora::executor
