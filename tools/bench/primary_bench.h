#pragma once
// `remora-bench primary` (docs/tools/remora-bench.md): the Remora primary's commit path in real
// time. Everything the primary does not do is prepared off the clock: the transactions, their
// pre-executed results with lookup tables (from an in-order pre-executor, so each is right),
// and a fraction 1 - hit_rate of them made unusable (half missing, half naming a speculative
// writer that never commits, so the adopt check sends them to re-execution). Then the primary
// takes the ordered commits as fast as it can, on an on-disk store with the chosen sync policy,
// one atomic WriteBatch per commit; every stage is timed. In the same run, a raw RocksDB
// baseline writes the same object keys and values, commit records, transaction index entries
// and meta as one WriteBatch per commit with the same options: the ratio of the two rates is
// the figure that holds on a noisy machine. The primary's final digest is checked against the
// sequential reference run on the same commits.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "executor/workload/workload.h"
#include "tools/cli/args.h"

namespace remora::tools::bench {

inline constexpr std::uint64_t kPrimaryTxsMax = 10'000'000;
inline constexpr std::uint64_t kPrimaryBatchDefault = 1000;
inline constexpr std::uint64_t kPrimaryBatchMax = 100'000;
// 1: the primary decides commit N+1 while N is written. Deeper queues add a commit write to
// each commit's latency at full load for no throughput here (docs/BENCHMARKS.md).
inline constexpr std::uint64_t kPrimaryPipelineDepthDefault = 1;
inline constexpr std::uint64_t kPrimaryPipelineDepthMax = 16;

struct PrimaryBenchOptions {
    executor::workload::WorkloadConfig workload;
    std::uint64_t txs = 0;
    double hit_rate = 1.0;
    std::uint64_t batch = kPrimaryBatchDefault;  // transactions per ordered commit
    bool sync = true;
    std::uint64_t reexec_threads = 1;  // PrimaryOptions::reexec_threads
    // Commits the store may hold applied but not yet durable (StoreOptions::pipeline_depth);
    // 0 runs the primary unpipelined only. Above 0 the bench also runs it unpipelined, for
    // the comparison.
    std::uint64_t pipeline_depth = kPrimaryPipelineDepthDefault;
    std::string db_dir;  // empty: a temporary directory removed at the end
    bool json = false;
};

struct PrimaryCommand {
    bool help = false;
    PrimaryBenchOptions options;
};

common::Result<PrimaryCommand> parse_primary_args(const std::vector<std::string>& args);
// The mode's spec (its help is generated from it) and its options from a parsed invocation.
const cli::CommandSpec& primary_spec();
common::Result<PrimaryBenchOptions> primary_options(const cli::Invocation& invocation);

// Per-transaction figures of one side, in microseconds.
struct StageTimes {
    double intake_wall_us = 0;         // submit(): validating and buffering the result
    double decide_adopt_wall_us = 0;   // per adopted transaction: the adopt check and its effects
    double decide_reexec_wall_us = 0;  // per re-executed transaction
    double build_wall_us = 0;          // the commit builder's work beside RocksDB (per tx)
    double rocksdb_write_wall_us = 0;  // WAL and memtable inserts, fsync excluded (per tx)
    double fsync_wall_us = 0;          // WAL syncs (per tx)
    double state_updates_wall_us = 0;  // after the store commit: the updates to push (per tx)
    double cpu_us = 0;                 // thread CPU of the whole commit path (per tx)
    double process_cpu_us = 0;         // the same, every thread of the process (per tx)
    // Pipelined only, per tx: the pipeline's RocksDB writes plus its fsyncs (with `sync` these
    // run on the sync thread, overlapping the next write), the fsyncs alone, and the primary's
    // thread blocked waiting for the writer (a full pipeline).
    double writer_wall_us = 0;
    double sync_wall_us = 0;
    double wait_writer_wall_us = 0;
};

// One run of the primary over the prepared commits.
struct PrimaryRun {
    std::uint64_t pipeline_depth = 0;
    double seconds = 0;
    double tps = 0;
    StageTimes stages;
    // Per commit, from the moment it is ordered (handed to the primary, its results already
    // submitted) to the moment it is durable (the store's durable observer), in milliseconds;
    // and to the moment the driver, which checks after each commit it starts, finished it.
    double latency_p50_ms = 0;
    double latency_p99_ms = 0;
    double latency_max_ms = 0;
    double ack_latency_p99_ms = 0;
    bool digest_match = false;
};

struct PrimaryBenchResult {
    PrimaryBenchOptions options;
    std::string workload_name;
    std::uint64_t txs = 0;
    std::uint64_t commits = 0;
    std::uint64_t adopted = 0;
    std::uint64_t reexecuted = 0;
    std::uint64_t reexec_validated = 0;  // speculative results taken (reexec_threads > 1)
    std::uint64_t reexec_conflicts = 0;  // speculations refused by validation
    double prepare_seconds = 0;
    double seconds = 0;  // wall time of the primary's commit path
    double tps = 0;      // committed tx/s, wall clock
    StageTimes stages;
    PrimaryRun run;                         // the run reported above (pipelined if depth > 0)
    std::optional<PrimaryRun> unpipelined;  // with depth > 0: the same commits unpipelined
    double bytes_per_tx = 0;                // bytes the store's batches carried (keys and values)
    double baseline_seconds = 0;
    double baseline_tps = 0;
    double ratio = 0;  // tps / baseline_tps
    std::string digest_hex;
    std::string reference_digest_hex;
    bool digest_match = false;
};

common::Result<PrimaryBenchResult> run_primary_bench(const PrimaryBenchOptions& options);
nlohmann::ordered_json primary_report_json(const PrimaryBenchResult& result);
std::string primary_report_text(const PrimaryBenchResult& result);

}  // namespace remora::tools::bench
