#include "executor/protocol/adopt_check.h"

#include <algorithm>
#include <vector>

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

// The table's read of `id`, or nullptr. `sorted` holds the reads by id when the table is large
// (a linear scan is cheaper for the few reads of a typical transaction).
const ObjectRead* find_read(const std::vector<ObjectRead>& reads,
                            const std::vector<const ObjectRead*>& sorted, const ObjectId& id) {
    if (sorted.empty()) {
        for (const ObjectRead& read : reads) {
            if (read.id == id) return &read;
        }
        return nullptr;
    }
    auto it = std::lower_bound(
        sorted.begin(), sorted.end(), id,
        [](const ObjectRead* read, const ObjectId& key) { return read->id < key; });
    return it != sorted.end() && (*it)->id == id ? *it : nullptr;
}

constexpr std::size_t kLinearReadsMax = 16;

}  // namespace

bool consistent_result(const PreExecResult& result) {
    const Effects& effects = result.effects;
    const LookupTable& table = result.table;
    if (!effects.status.is_success()) {
        return effects.written.empty() && effects.created.empty() && effects.deleted.empty();
    }
    std::vector<const ObjectRead*> sorted;
    if (table.reads.size() > kLinearReadsMax) {
        sorted.reserve(table.reads.size());
        for (const ObjectRead& read : table.reads) sorted.push_back(&read);
        std::sort(sorted.begin(), sorted.end(),
                  [](const ObjectRead* a, const ObjectRead* b) { return a->id < b->id; });
    }
    auto read_as = [&](const ObjectId& id, bool exists) {
        const ObjectRead* read = find_read(table.reads, sorted, id);
        return read != nullptr && read->exists == exists;
    };
    for (const Object& object : effects.written) {
        if (!read_as(object.id, true)) return false;
    }
    for (const DeletedObject& deleted : effects.deleted) {
        if (!read_as(deleted.id, true)) return false;
    }
    for (const Object& object : effects.created) {
        if (!read_as(object.id, false)) return false;
    }
    return true;
}

Verdict structural_verdict(const Transaction& tx, const PreExecResult& result, bool structural) {
    if (result.executor != executor_identity()) return Verdict{MissCause::kForeignExecutor};
    const LookupTable& table = result.table;
    if (!authenticators_match(tx, table) || result.effects.gas_used > tx.gas_budget) {
        return Verdict{MissCause::kInvalidResult};
    }
    if (structural) {
        if (!consistent_result(result)) return Verdict{MissCause::kInvalidResult};
        // Every authenticator verified (a Failed mark is a miss below): the transaction cannot
        // have aborted on its signatures.
        if (result.effects.status.code == AbortCode::kInvalidAuthenticator && !any_failed(table)) {
            return Verdict{MissCause::kInvalidResult};
        }
    }
    return Verdict{};
}

common::Result<Verdict> check_result(const Transaction& tx, const PreExecResult& result,
                                     StateReader& view, const RecentTxs& committed,
                                     bool structural) {
    if (auto verdict = structural_verdict(tx, result, structural)) return Verdict{verdict};
    const LookupTable& table = result.table;
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
