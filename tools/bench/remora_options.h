#pragma once
// Options of `remora-bench remora` and their parser (docs/tools/remora-bench.md).

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/primary.h"
#include "executor/workload/workload.h"
#include "tools/cli/args.h"

namespace remora::tools::bench {

// --- Bounds of the remora benchmark ------------------------------------------------------------
inline constexpr std::uint64_t kRemoraTxsMax = 10'000'000;
inline constexpr std::uint64_t kRemoraPreExecutorsMax = 64;
inline constexpr double kRemoraDelayMsMax = 60'000;
inline constexpr std::uint64_t kRemoraIntervalUsMax =
    60'000'000;  // the simulation's kSimDelayMaxUs
inline constexpr std::uint64_t kRemoraBatchDefault = 500;
inline constexpr std::uint64_t kRemoraBatchMax = 100'000;
inline constexpr std::uint64_t kRemoraCoresMax = 256;  // the simulation's kSimCoresMax
inline constexpr std::uint64_t kRemoraParallelMinUsMax =
    1'000'000;  // the simulation's kSimCostMaxUs

struct RemoraBenchOptions {
    executor::workload::WorkloadConfig workload;  // name, seed and knobs
    std::uint64_t txs = 0;
    std::uint32_t pre_executors = 0;
    // The primary's store: DIR/primary, kept; empty for a temporary directory removed at the
    // end. The pre-executors and the reference always use in-memory stores.
    std::string db_dir;
    bool json = false;
    bool sync = true;        // the primary's StoreOptions::sync
    bool affinity = true;    // off: round-robin routing
    bool placement = true;   // contention-following routing (RoutingMode::kContention)
    bool rebalance = false;  // with placement: move hot groups off over-share pre-executors
    bool load_cost = false;  // load weighed by learned cost (LoadMeasure::kCost), not count
    std::uint32_t pre_executor_cores = 1;  // SimulationConfig::pre_executor_cores
    // SimulationConfig::pre_executor_verify_threads (the node's pre_executor.verify_threads).
    std::uint32_t pre_executor_verify_threads = 2;
    // SimulationConfig::pre_executor_parallel_min_us (the node's kBatchParallelMinUs).
    std::uint64_t pre_executor_parallel_min_us = executor::protocol::limits::kBatchParallelMinUs;
    bool state_updates = true;  // off: the primary never pushes catch-up state updates
    executor::protocol::RoutedUpdates routed_updates = executor::protocol::RoutedUpdates::kAffinity;
    bool peer_forwarding = true;  // pre-executors forward their effects to each other
    bool hold = true;             // pre-executors hold txs whose owned inputs are coming
    bool tentative_order = true;  // batches' orders go to the pre-executors when cut
    bool handoff_fence = false;   // SimulationConfig::handoff_fence
    // The primary's structural adopt checks: on, off, or alternating per commit ("ab") to
    // measure their cost within one run.
    enum class AdoptChecks : std::uint8_t { kOn, kOff, kAb } adopt_checks = AdoptChecks::kOn;
    std::uint64_t miss_threshold;      // PrimaryOptions::miss_threshold (set from the default)
    std::uint64_t miss_window;         // PrimaryOptions::miss_window_txs
    std::uint64_t reexec_threads = 1;  // PrimaryOptions::reexec_threads
    double consensus_delay_ms = 1.0;
    double late_wait_ms = 0.5;
    std::uint64_t batch = kRemoraBatchDefault;  // sequencer batch size ...
    double batch_timeout_ms = 25.0;             // ... or this long after its first tx
    std::uint64_t tx_interval_us = 50;          // simulated time between client submissions
    std::uint64_t message_delay_us = 20;        // simulated one-way message latency
    // --profile (empty: none), and which of the flags a profile sets were given explicitly
    // (those win over the profile).
    std::string profile;
    struct Given {
        static constexpr std::uint8_t kBatch = 1, kConsensusDelay = 2, kMessageDelay = 4,
                                      kTxInterval = 8, kCores = 16, kVerifyThreads = 32, kHold = 64;
    };
    std::uint8_t given = 0;

    RemoraBenchOptions();
};

struct RemoraCommand {
    bool help = false;
    RemoraBenchOptions options;
};

// Parses the arguments after `remora`. Any error is kInvalidArgument naming the flag.
common::Result<RemoraCommand> parse_remora_args(const std::vector<std::string>& args);

// The mode's spec (its help is generated from it) and its options from a parsed invocation.
const cli::CommandSpec& remora_spec();
common::Result<RemoraBenchOptions> remora_options(const cli::Invocation& invocation);

}  // namespace remora::tools::bench
