#pragma once
// The sequential reference executor: the oracle for everything else. It executes ordered
// commits against the store, commit by commit, each transaction seeing the effects of the ones
// before it, and persists each commit atomically (one store commit: the final version of
// every object the commit changed, the commit body with every transaction and its effects,
// and the transaction index).
//
// Invariant: the store's state after commit N is a function of genesis and commits 1..N only.

#include <span>
#include <vector>

#include "executor/exec/execute.h"
#include "executor/sequential/commit_body.h"
#include "executor/sequential/commit_builder.h"  // CommitOutcome, writes_for_changes
#include "storage/store.h"

namespace remora::executor {

// Where the executor's time went, for benchmarks (thread CPU and wall time are measured by the
// caller; these are wall-clock sums taken around the calls, outside the executor function).
struct SequentialTimings {
    double execute_s = 0;  // execute_transaction (authenticators + VM + state reads)
    double persist_s = 0;  // building and writing the store commit
};

class SequentialExecutor {
public:
    // REQUIRES: `store` is open read-write and outlives this object.
    explicit SequentialExecutor(storage::Store& store) : m_store(store) {}

    // Persists genesis as commit 1. kInvalidArgument unless the store is empty.
    common::Status commit_genesis(std::span<const Object> objects, const std::string& workload);

    // Executes and persists the next commit under `identity`'s rules (replay passes the identity
    // a commit recorded). REQUIRES: genesis was committed; rules_version_known(its version).
    common::Result<CommitOutcome> execute_commit(
        std::span<const Transaction> transactions, const ExecutionOptions& options = {},
        const ExecutorIdentity& identity = executor_identity());

    const SequentialTimings& timings() const { return m_timings; }

private:
    storage::Store& m_store;
    SequentialTimings m_timings;
};

}  // namespace remora::executor
