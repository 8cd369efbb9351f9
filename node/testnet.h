#pragma once
// The local testnet (docs/tools/remora-testnet.md): a primary and P pre-executors started as real
// remora-node processes on loopback with freshly generated cluster credentials, driven by
// remora-loadgen, stopped with SIGTERM, and checked by a sequential replay of the commits the
// primary persisted (remora-inspect replay-verify). Every process it starts is ended by pid
// when it returns, whatever happened.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace remora::node {

struct TestnetConfig {
    std::uint32_t pre_executors = 2;  // 0..kTestnetPreExecutorsMax
    std::string workload = "transfer";
    std::uint64_t seed = 1;
    std::uint32_t accounts = 1000;
    double duration_s = 20;      // of load (per round when searching for the rate)
    std::optional<double> rate;  // absent: find the highest sustained rate
    double p99_bound_ms = 1000;  // the search's latency bound
    std::string dir;             // "" : a temporary directory, removed afterwards
    bool keep = false;           // keep the temporary directory
    std::uint32_t batch_timeout_ms = 20;
    std::uint32_t consensus_delay_ms = 50;
    std::optional<std::uint32_t> coalesce_us;  // every node's net.coalesce_us; absent: default
    bool sync = true;
    // The primary's convergence keys (docs/configuration.md); absent: the node's defaults.
    std::optional<bool> tentative_order;        // sequencer.tentative_order
    std::optional<bool> relay_results;          // primary.relay_results
    std::optional<bool> hold;                   // every pre-executor's pre_executor.hold
    std::optional<std::uint32_t> exec_threads;  // every pre-executor's pre_executor.exec_threads
    std::optional<bool> peer_links;             // every pre-executor's pre_executor.peer_links
    bool plot = false;  // draw DIR/timeseries.png with gnuplot (implies keeping the directory)
};

inline constexpr std::uint32_t kTestnetPreExecutorsMax = 64;

common::Status validate_testnet_config(const TestnetConfig& config);

struct LoadRound {
    double rate = 0;
    double tps = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
    std::uint64_t submitted = 0, committed = 0, refused = 0, unanswered = 0;
    double primary_cpu_us_per_tx = 0;
    // Adopted over decided during the round, from the primary's /metrics (nullopt without them).
    std::optional<double> hit_rate;
    bool sustained = false;
};

struct TestnetReport {
    std::string dir;
    std::uint32_t pre_executors = 0;
    std::vector<LoadRound> rounds;   // in the order run; the search runs several
    LoadRound best;                  // the fixed-rate round, or the highest sustained one
    std::uint64_t transactions = 0;  // all rounds, as the primary counted them
    std::uint64_t adopted = 0;
    std::uint64_t reexecuted = 0;
    double hit_rate = 0;  // all rounds, from the primary's final counters
    std::map<std::string, std::uint64_t> misses_by_cause;  // all rounds
    double primary_cpu_us_per_tx = 0;                      // of the best round
    std::uint64_t commits = 0;
    std::string primary_digest;
    std::string replay_digest;
    bool digest_match = false;
    double replay_seconds = 0;
    // Whether every pre-executor had a ready peer link to each other one before the load
    // (nullopt: fewer than 2 pre-executors or peer links off, nothing to wait for).
    std::optional<bool> peer_mesh_ready;
};

using TestnetProgress = std::function<void(const std::string& line)>;

// Runs the whole testnet. `interrupted` (set by a signal handler) ends it early: every process is
// stopped and kUnsupported "interrupted" returned. Errors name the process that failed and
// quote the end of its log.
common::Result<TestnetReport> run_testnet(const TestnetConfig& config,
                                          const std::atomic<bool>& interrupted,
                                          const TestnetProgress& progress);

}  // namespace remora::node
