#include "executor/sequential/sequential.h"

#include <chrono>

#include "executor/tx/object_codec.h"

namespace remora::executor {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

common::Result<common::CommitIndex> SequentialExecutor::commit_genesis(
    GenesisSource& source, const std::string& workload) {
    if (m_store.status().applied_commit != 0) {
        return common::Status{common::Code::kInvalidArgument,
                              "genesis needs an empty store; " + m_store.dir() + " has commit " +
                                  std::to_string(m_store.status().applied_commit)};
    }
    m_genesis_open = false;
    REMORA_RETURN_IF_ERROR(genesis_parts(
        source, [&](std::vector<Object>& part) { return commit_genesis_part(part, workload); }));
    m_genesis_open = false;  // genesis is whole: no later part may join it
    return m_store.status().applied_commit;
}

common::Result<common::CommitIndex> SequentialExecutor::commit_genesis(
    std::span<const Object> objects, const std::string& workload) {
    SpanGenesisSource source(objects);
    return commit_genesis(source, workload);
}

common::Status SequentialExecutor::commit_genesis_part(std::span<const Object> objects,
                                                       const std::string& workload) {
    const common::CommitIndex applied = m_store.status().applied_commit;
    if (applied != 0 && !m_genesis_open) {
        return {common::Code::kInvalidArgument,
                "a genesis part must start an empty store or follow another; " + m_store.dir() +
                    " has commit " + std::to_string(applied)};
    }
    storage::CommitInput input;
    input.index = applied + 1;
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
    m_genesis_open = false;
    REMORA_RETURN_IF_ERROR(m_store.commit(input));
    m_genesis_open = true;
    return common::Status::ok();
}

common::Result<CommitOutcome> SequentialExecutor::execute_commit(
    std::span<const Transaction> transactions, const ExecutionOptions& options,
    const ExecutorIdentity& identity) {
    REMORA_RETURN_IF_ERROR(CommitBuilder::require_genesis(m_store));
    m_genesis_open = false;
    // The commit is built by the path the Remora primary shares (commit_builder.h), so the two
    // persist byte-identical commits for equal effects.
    CommitBuilder builder(m_store, identity);
    auto start = Clock::now();
    for (const Transaction& tx : transactions) {
        auto ruled = builder.ruled_outcome(tx, transaction_digest(tx));
        if (!ruled) return ruled.status();
        if (ruled.value()) {
            // A malformed transaction is an error first, as execute_transaction makes it.
            REMORA_RETURN_IF_ERROR(validate_transaction(tx));
            builder.add(tx, std::move(*ruled.value()));
            continue;
        }
        auto result = execute_transaction(tx, builder.view(), options);
        if (!result) return result.status();
        builder.add(tx, std::move(result->effects));
    }
    m_timings.execute_s += seconds_since(start);

    start = Clock::now();
    auto outcome = builder.finish();
    if (!outcome) return outcome.status();
    m_timings.persist_s += seconds_since(start);
    return outcome;
}

}  // namespace remora::executor
