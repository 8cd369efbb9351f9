#include "executor/simulation/reference.h"

#include "executor/sequential/sequential.h"
#include "executor/tx/effects.h"

namespace remora::executor::simulation {

common::Result<ReferenceRun> run_reference(const SimulationInput& input,
                                           const std::vector<std::vector<Transaction>>& commits) {
    auto store = open_memory_store();
    if (!store) return store.status();
    SequentialExecutor executor(*store.value());
    if (auto genesis = executor.commit_genesis(input.genesis, input.workload); !genesis) {
        return genesis.status();
    }
    ReferenceRun run;
    for (const auto& txs : commits) {
        auto outcome = executor.execute_commit(txs);
        if (!outcome) return outcome.status();
        std::vector<common::Bytes> effects;
        for (const Effects& e : outcome->effects) effects.push_back(canonical_effects_bytes(e));
        run.effects.push_back(std::move(effects));
        run.digests.push_back(outcome->state_digest);
        run.indices.push_back(outcome->index);
    }
    return run;
}

std::optional<std::string> first_difference(const SimulationResult& run,
                                            const ReferenceRun& reference) {
    if (run.effects.size() != reference.effects.size()) {
        return "commits: " + std::to_string(run.effects.size()) + " vs reference " +
               std::to_string(reference.effects.size());
    }
    for (std::size_t c = 0; c < run.effects.size(); ++c) {
        const auto& mine = run.effects[c];
        const auto& theirs = reference.effects[c];
        std::string where = "commit " + std::to_string(reference.indices[c]);
        if (mine.size() != theirs.size()) {
            return where + ": " + std::to_string(mine.size()) + " effects vs reference " +
                   std::to_string(theirs.size());
        }
        for (std::size_t t = 0; t < mine.size(); ++t) {
            if (mine[t] != theirs[t]) {
                return where + " tx " + std::to_string(t) + ": effects " + common::to_hex(mine[t]) +
                       " vs reference " + common::to_hex(theirs[t]);
            }
        }
        if (run.digests[c] != reference.digests[c]) {
            return where + ": digest " + run.digests[c].hex() + " vs reference " +
                   reference.digests[c].hex();
        }
    }
    return std::nullopt;
}

}  // namespace remora::executor::simulation
