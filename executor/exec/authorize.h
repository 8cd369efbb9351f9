#pragma once
// Step 1 of the executor function: the transaction's authenticators, with the Remora primary's
// shortcut. An authenticator whose exact (public key, signature) a hint table of the same
// transaction marks Verified is taken as verified without running Ed25519; every other one is
// verified here. This trusts the pre-executor that produced the table (the Remora merge rule
// "skip authenticators verified by pre-executors"); a Failed mark is never trusted, it is
// simply checked again.

#include <vector>

#include "executor/tx/authenticators.h"
#include "executor/tx/lookup_table.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

struct Authorization {
    AuthenticatorReport report;
    std::vector<AuthenticatorCheck> checks;  // for the lookup table, one per authenticator
    std::size_t skipped = 0;                 // checks taken from the hints
};

// REQUIRES: digest == transaction_digest(tx); hints, when given, are for that digest.
Authorization authorize(const Transaction& tx, const Digest& digest, const LookupTable* hints);

}  // namespace remora::executor
