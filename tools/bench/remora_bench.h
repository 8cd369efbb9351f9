#pragma once
// `remora-bench remora`: the in-process Remora cluster (executor/simulation, no faults) on a
// workload, checked against the sequential reference over the same ordered commits in the same
// process (docs/tools/remora-bench.md).
//
// The run, in order:
//  1. N transactions of the workload are generated (outside the timed region).
//  2. The primary's store is created on disk (DIR/primary, or a temporary directory); the
//     pre-executors' stores are in memory.
//  3. run_simulation: the timed region (wall clock). Everything runs on this thread: the
//     primary, the sequencer and the pre-executors, on a simulated clock. The primary's thread
//     CPU time is measured per decision (adopt or re-execute) and per commit write.
//  4. The sequential reference runs over the ordered commits (in memory) and every effect and
//     digest is compared.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "executor/simulation/simulation.h"
#include "tools/bench/remora_options.h"

namespace remora::tools::bench {

inline constexpr const char* kRemoraTempPrefix = "remora-bench-remora";

struct RemoraBenchResult {
    RemoraBenchOptions options;
    std::string workload_name;
    std::uint64_t txs = 0;
    std::uint64_t commits = 0;
    double seconds = 0;            // wall time of the whole in-process cluster run
    double reference_seconds = 0;  // wall time of the in-memory reference run
    std::string digest_hex;
    std::string reference_digest_hex;
    bool digest_match = false;
    std::optional<std::string> first_difference;  // when !digest_match
    executor::simulation::SimulationResult run;
};

// Errors: the workload (e.g. a missing trace), the store, or the primary.
common::Result<RemoraBenchResult> run_remora_bench(const RemoraBenchOptions& options);

nlohmann::ordered_json remora_report_json(const RemoraBenchResult& result);
std::string remora_report_text(const RemoraBenchResult& result);

}  // namespace remora::tools::bench

namespace remora::tools::bench {}  // namespace remora::tools::bench
