#include "executor/sequential/sequential.h"

#include <chrono>

#include "executor/exec/state_overlay.h"
#include "executor/sequential/store_state.h"
#include "executor/tx/object_codec.h"

namespace remora::executor {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

common::Result<std::vector<storage::ObjectWrite>> writes_for_changes(
    const std::map<ObjectId, ObjectLookup>& changes, StateReader& base) {
    std::vector<storage::ObjectWrite> writes;
    writes.reserve(changes.size());
    for (const auto& [id, change] : changes) {
        if (change.object) {
            writes.push_back({id, change.version, encode_object(*change.object)});
            continue;
        }
        auto before = base.read(id);
        if (!before) return before.status();
        if (before->exists()) writes.push_back({id, change.version, std::nullopt});
    }
    return writes;
}

common::Status SequentialExecutor::commit_genesis(std::span<const Object> objects,
                                                  const std::string& workload) {
    if (m_store.status().applied_commit != 0) {
        return {common::Code::kInvalidArgument,
                "genesis needs an empty store; " + m_store.dir() + " has commit " +
                    std::to_string(m_store.status().applied_commit)};
    }
    storage::CommitInput input;
    input.index = 1;
    input.writes.reserve(objects.size());
    for (const Object& object : objects) {
        REMORA_RETURN_IF_ERROR(validate_object(object, "genesis object"));
        input.writes.push_back({object.id, object.version, encode_object(object)});
    }
    CommitBody body;
    body.genesis = true;
    body.genesis_workload = workload;
    body.genesis_objects.assign(objects.begin(), objects.end());
    input.body = encode_commit_body(body);
    return m_store.commit(input);
}

common::Result<CommitOutcome> SequentialExecutor::execute_commit(
    std::span<const Transaction> transactions, const ExecutionOptions& options) {
    if (m_store.status().applied_commit == 0) {
        return common::Status{common::Code::kInvalidArgument, "no genesis commit yet"};
    }
    StoreState base(m_store);
    StateOverlay overlay(base);
    CommitOutcome outcome;
    outcome.index = m_store.status().applied_commit + 1;
    CommitBody body;
    body.transactions.reserve(transactions.size());
    outcome.effects.reserve(transactions.size());

    auto start = Clock::now();
    for (const Transaction& tx : transactions) {
        auto result = execute_transaction(tx, overlay, options);
        if (!result) return result.status();
        overlay.apply(result->effects);
        body.transactions.push_back({tx, result->effects});
        outcome.effects.push_back(std::move(result->effects));
    }
    m_timings.execute_s += seconds_since(start);

    start = Clock::now();
    storage::CommitInput input;
    input.index = outcome.index;
    auto writes = writes_for_changes(overlay.changes(), base);
    if (!writes) return writes.status();
    input.writes = std::move(writes).value();
    input.transactions.reserve(transactions.size());
    for (std::size_t i = 0; i < outcome.effects.size(); ++i) {
        input.transactions.push_back(
            {outcome.effects[i].tx_digest, static_cast<std::uint32_t>(i)});
    }
    input.body = encode_commit_body(body);
    REMORA_RETURN_IF_ERROR(m_store.commit(input));
    m_timings.persist_s += seconds_since(start);
    outcome.state_digest = m_store.status().state_digest;
    return outcome;
}

}  // namespace remora::executor
