#pragma once
// The node's crash test (docs/tools/remora-crashtest.md): a primary and P pre-executors run as
// real remora-node processes on loopback while an oracle client (node/oracle_client.h) submits
// a workload and records every ExecutionSummary it is acknowledged. At instants drawn from the
// seed, the primary or a pre-executor is killed with SIGKILL. After a primary kill, before the
// restart, the store is checked offline: it opens, its digest equals a recomputation
// (remora-inspect digest --recompute) and a sequential replay of its commits (remora-inspect
// replay-verify), every acknowledged transaction sits exactly where its summary says with the
// same effects, and no transaction appears in two places. The restarted primary must then
// answer every resubmitted acknowledged transaction with its original summary. A killed
// pre-executor is restarted and must rejoin. Every process it starts is ended by pid.
//
// Whitebox mode needs a build with fault points (common/fault_point.h, the `faults` preset):
// every process it starts is armed (REMORA_FAULT) with a fault point and a hit count drawn from
// the seed, so it dies by SIGKILL at that point of its own code; the same checks follow. Mode
// both arms half the processes and kills the others blackbox.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace remora::node {

enum class CrashMode { kBlackbox, kWhitebox, kBoth };

struct CrashtestConfig {
    CrashMode mode = CrashMode::kBlackbox;
    std::uint32_t kills = 20;
    std::uint64_t seed = 1;
    std::uint32_t pre_executors = 1;  // 0..kCrashtestPreExecutorsMax
    std::string workload = "transfer";
    std::uint32_t accounts = 200;
    double rate = 300;                // transactions per second the oracle offers
    std::uint32_t kill_min_ms = 50;   // a kill comes this long ...
    std::uint32_t kill_max_ms = 600;  // ... to this long after load resumes (uniform, seeded)
    std::string dir;                  // "" : a temporary directory, removed unless a check failed
    bool keep = false;
    bool sync = true;  // primary.sync
    // 0: every kill on one cluster. K: a fresh cluster (new stores) every K kills, cluster i
    // seeded with seed + i, so that the checks after each kill, which replay every commit of
    // the store, stay bounded over long runs.
    std::uint32_t kills_per_cluster = 0;
};

inline constexpr std::uint32_t kCrashtestPreExecutorsMax = 8;
inline constexpr std::uint32_t kCrashtestKillsMax = 1'000'000;
inline constexpr std::uint32_t kClientReconnectsMax = 100;

common::Status validate_crashtest_config(const CrashtestConfig& config);
// kUnsupported, naming the build it needs, when `mode` needs fault points this build lacks.
common::Status check_crash_mode_supported(CrashMode mode);
// In whitebox mode, how long load runs for an armed fault point to fire before the harness
// kills the primary itself (a blackbox kill).
inline constexpr std::uint32_t kWhiteboxWindowMs = 3'000;
const char* crash_mode_name(CrashMode mode);

struct CrashtestReport {
    std::string dir;
    std::uint32_t kills = 0;
    std::uint32_t primary_kills = 0;
    std::uint32_t pre_executor_kills = 0;
    std::uint32_t blackbox_kills = 0;  // SIGKILL from the harness
    std::uint32_t whitebox_kills = 0;  // a fault point the process was armed with fired
    std::map<std::string, std::uint32_t> faults_fired;  // by fault point name
    std::vector<std::string> violations;                // empty: every check held
    std::vector<double> recovery_ms;                    // one per primary kill
    double recovery_ms_p50 = 0, recovery_ms_p99 = 0, recovery_ms_max = 0;
    std::uint64_t submitted = 0;     // fresh transactions offered
    std::uint64_t acknowledged = 0;  // distinct transactions answered with a summary
    std::uint64_t resubmitted = 0;   // resubmissions after primary restarts
    std::uint64_t refused = 0;
    std::uint64_t ruled_out = 0;  // commit entries that rule out a resubmission (kDuplicate)
    // Times the primary dropped the oracle client as a slow or silent peer (a starved machine)
    // and the oracle reconnected and resubmitted what was unanswered; at most
    // kClientReconnectsMax per cluster.
    std::uint32_t client_reconnects = 0;
    // Batches a killed primary had ordered and logged but not applied (docs/node.md, "The
    // ordered-batch log"), each checked to be applied by a later primary at the same commit.
    std::uint64_t logged_unapplied = 0;
    std::uint64_t commits = 0;   // the primary's applied commit at the end
    std::string digest;          // the primary's final state digest
    std::uint32_t clusters = 0;  // clusters run (see kills_per_cluster)
    // On a violation, the seed and kills of the cluster that broke: `--seed S --kills K`
    // (without --kills-per-cluster) replays it.
    std::uint64_t replay_seed = 0;
    std::uint32_t replay_kills = 0;
};

using CrashtestProgress = std::function<void(const std::string& line)>;

// Runs the crash test. Errors are failures of the harness (a tool missing, a process that does
// not come up where no kill explains it); broken guarantees are violations in the report.
// `interrupted` ends it early with kUnsupported "interrupted".
common::Result<CrashtestReport> run_crashtest(const CrashtestConfig& config,
                                              const std::atomic<bool>& interrupted,
                                              const CrashtestProgress& progress);

}  // namespace remora::node
