#include "executor/protocol/adopt_check.h"

namespace remora::executor::protocol {
namespace {

using Verdict = std::optional<MissCause>;

// The table must describe this transaction's authenticators, one check each, in order.
bool authenticators_match(const Transaction& tx, const LookupTable& table) {
    if (table.authenticators.size() != tx.authenticators.size()) return false;
    for (std::size_t i = 0; i < tx.authenticators.size(); ++i) {
        if (table.authenticators[i].public_key != tx.authenticators[i].public_key ||
            table.authenticators[i].signature != tx.authenticators[i].signature) {
            return false;
        }
    }
    return true;
}

bool any_failed(const LookupTable& table) {
    for (const AuthenticatorCheck& check : table.authenticators) {
        if (check.status != AuthenticatorStatus::kVerified) return true;
    }
    return false;
}

}  // namespace

common::Result<Verdict> check_result(const Transaction& tx, const PreExecResult& result,
                                     StateReader& view, const RecentTxs& committed) {
    const LookupTable& table = result.table;
    if (!authenticators_match(tx, table) || result.effects.gas_used > tx.gas_budget) {
        return Verdict{MissCause::kInvalidResult};
    }
    // A Failed mark is never trusted (docs/execution.md, "Hints"): the primary verifies again.
    if (any_failed(table)) return Verdict{MissCause::kAuthenticatorFailed};
    for (const ObjectRead& read : table.reads) {
        auto now = view.read_version(read.id);
        if (!now) return now.status();
        if (now->exists != read.exists || now->version != read.version) {
            return Verdict{read.kind == ObjectRead::Kind::kDeclared ? MissCause::kStaleVersion
                                                                    : MissCause::kDynamicMismatch};
        }
    }
    for (const SpeculativeRead& read : result.speculative_reads) {
        const common::Digest* effects = committed.find(read.writer_tx);
        if (effects == nullptr || *effects != read.writer_effects) {
            return Verdict{MissCause::kUnconfirmedRead};
        }
    }
    return Verdict{};
}

}  // namespace remora::executor::protocol
