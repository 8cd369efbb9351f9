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
#include "executor/exec/genesis_source.h"
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

    // Persists genesis as commits 1..G, one per part of the stream (genesis_parts: a genesis of
    // at most kGenesisPartObjectsMax small objects is commit 1 alone), and returns G.
    // kInvalidArgument unless the store is empty. A crash part way leaves a store that holds
    // only some of the parts: whoever needs the whole genesis builds it aside and renames it
    // into place (the node does, node/primary_node.cpp).
    common::Result<common::CommitIndex> commit_genesis(GenesisSource& source,
                                                       const std::string& workload);
    common::Result<common::CommitIndex> commit_genesis(std::span<const Object> objects,
                                                       const std::string& workload);

    // Persists one part of genesis as the next commit: the first part needs an empty store, a
    // later one needs the previous commit to be a genesis part this executor wrote (replay
    // rebuilds a genesis part by part). kInvalidArgument otherwise.
    common::Status commit_genesis_part(std::span<const Object> objects,
                                       const std::string& workload);

    // Executes and persists the next commit under `identity`'s rules (replay passes the identity
    // a commit recorded). REQUIRES: genesis was committed; rules_version_known(its version).
    common::Result<CommitOutcome> execute_commit(
        std::span<const Transaction> transactions, const ExecutionOptions& options = {},
        const ExecutorIdentity& identity = executor_identity());

    const SequentialTimings& timings() const { return m_timings; }

private:
    storage::Store& m_store;
    SequentialTimings m_timings;
    bool m_genesis_open = false;  // this executor's last commit was a genesis part
};

}  // namespace remora::executor
