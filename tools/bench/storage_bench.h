#pragma once
// `remora-bench storage`: the store's commit throughput beside a raw RocksDB WriteBatch
// baseline of the same object writes, measured in the same run (docs/BENCHMARKS.md).
//
// The run, in order:
//  1. DIR must be absent or empty; DIR/store (a fresh store) and DIR/raw-baseline (a fresh
//     RocksDB, see raw_baseline.h) are created in it and left behind for inspection.
//  2. The random-objects workload is generated one chunk of C commits at a time (outside any
//     timed region); each chunk goes through both sides, in the order store, raw for even
//     chunks and raw, store for odd ones (ABBA), so drift on a noisy machine and background
//     flushes hit both sides alike.
//  3. Each commit is timed alone with steady_clock: Store::commit() on one side, building and
//     writing the WriteBatch on the other. Thread CPU time is summed over the same regions.
//  4. The store's incremental digest is checked against Store::recompute_digest().

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "tools/bench/side_stats.h"
#include "tools/bench/storage_options.h"

namespace remora::tools::bench {

inline constexpr const char* kStoreSubdir = "store";
inline constexpr const char* kRawSubdir = "raw-baseline";
inline constexpr const char* kInterleaving = "abba-chunks";

struct StorageBenchResult {
    StorageBenchOptions options;
    std::uint32_t shards = 0;  // the store's shard count
    SideSummary store;
    SideSummary raw;
    double ratio = 0;        // store writes/s ÷ raw writes/s (wall clock)
    double cpu_ratio = 0;    // raw thread CPU ÷ store thread CPU: store writes per CPU-second
                             // ÷ raw writes per CPU-second; steadier than `ratio` on a busy host
    std::string digest_hex;  // the store's incremental digest after the last commit
    std::string recomputed_digest_hex;  // Store::recompute_digest() over the live object set
    std::uint64_t live_objects = 0;
    std::uint64_t recomputed_live_objects = 0;
    bool digest_verified = false;  // both digests and both live counts agree
    std::uint64_t objects_created = 0;
    std::uint64_t updates = 0;
    double run_seconds = 0;  // wall time of the whole run, generation and verification included
};

// Called after each chunk with the commits done on both sides so far.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Runs the benchmark. Errors: kAlreadyExists (DIR not empty), kInvalidArgument (DIR is not a
// directory), the store's and RocksDB's errors. A digest mismatch is not an error here: the
// result says digest_verified = false.
common::Result<StorageBenchResult> run_storage_bench(const StorageBenchOptions& options,
                                                     const ProgressFn& progress = {});

}  // namespace remora::tools::bench
