#pragma once
// The sequential reference over a simulation's ordered commits, and the comparison that is the
// simulation's central property: every transaction's canonical effects bytes and every state
// digest equal the reference's.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/simulation/simulation.h"

namespace remora::executor::simulation {

struct ReferenceRun {
    std::vector<std::vector<common::Bytes>> effects;  // canonical effects bytes per commit
    std::vector<common::Digest> digests;
    std::vector<common::CommitIndex> indices;  // the store's commit index of each (genesis may
                                               // take several commits: a streamed genesis)
};

// SequentialExecutor over genesis and `commits` in an in-memory store.
common::Result<ReferenceRun> run_reference(const SimulationInput& input,
                                           const std::vector<std::vector<Transaction>>& commits);

// nullopt when identical; else the first difference (commit, transaction, both hex values).
std::optional<std::string> first_difference(const SimulationResult& run,
                                            const ReferenceRun& reference);

}  // namespace remora::executor::simulation
