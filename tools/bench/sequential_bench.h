#pragma once
// `remora-bench sequential`: the sequential reference executor (executor/sequential) on a named
// workload, persisted through the store, with its throughput and where its time goes.
//
// The run, in order:
//  1. The workload is built (make_workload; a trace is read and checked in full).
//  2. A fresh store is created in DIR/store (DIR absent or empty, kept) or in a temporary
//     directory (removed when the run ends), and genesis is committed as commit 1.
//  3. Commit by commit: the next commit's transactions are generated (up to the workload's
//     suggested boundary, `ends_commit`, at most kCommitTxsMax, and never past N in all),
//     outside the timed region; then SequentialExecutor::execute_commit executes and persists
//     them, timed (wall clock and thread CPU). With the breakdown on, an ExecutionObserver
//     (PhaseClock) times the executor's phases and state reads inside that call.
//  4. Each transaction's status is counted and compared with the generator's expected_status.
//  5. The store's incremental digest is checked against Store::recompute_digest().

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "executor/tx/effects.h"
#include "executor/workload/limits.h"
#include "tools/bench/phase_clock.h"
#include "tools/bench/sequential_options.h"

namespace remora::tools::bench {

// A commit holds at most this many transactions: a trace block larger than this is split.
inline constexpr std::uint64_t kCommitTxsMax = executor::workload::limits::kBatchSizeMax;
inline constexpr const char* kSequentialTempPrefix = "remora-bench-sequential";

// Where the timed seconds went. The parts do not overlap and add up to the timed seconds.
struct TimeBreakdown {
    double authenticators = 0;  // phase authenticate: Ed25519 verification, sender check
    double state_reads = 0;     // every StateReader::read of the executor (overlay, then store)
    double program_load = 0;    // phase load_program less its reads: decode + verify the package
    double vm = 0;              // phase vm less its reads (dynamic children, created ids)
    double persist = 0;         // SequentialTimings::persist_s: building and writing the commit
    double other = 0;           // the rest: hashing and validating the transaction, the inputs'
                                // checks, effects and table assembly, overlay updates, the
                                // commit body's transaction list, the observer's own clock reads
};

struct UnexpectedStatus {
    std::uint64_t tx_index = 0;  // 0-based, over the run
    executor::AbortCode expected = executor::AbortCode::kNone;
    executor::AbortCode got = executor::AbortCode::kNone;
    std::string detail;  // the effects' status detail
};

struct SequentialBenchResult {
    SequentialBenchOptions options;
    std::string workload_name;  // normalised: "transfer", ..., "trace:<file>"
    std::uint64_t genesis_objects = 0;
    std::uint64_t genesis_commits = 0;  // genesis parts: commits 1..genesis_commits
    std::uint64_t txs = 0;              // executed (less than options.txs only when a trace ended)
    std::uint64_t commits = 0;          // executed commits, genesis not counted
    bool workload_exhausted = false;
    double seconds = 0;    // wall: the sum of the execute_commit calls
    double cpu_s = 0;      // thread CPU over the same calls (RocksDB's background threads excluded)
    double execute_s = 0;  // SequentialTimings::execute_s
    double persist_s = 0;  // SequentialTimings::persist_s
    std::optional<PhaseTotals> phases;  // with the breakdown on
    std::array<std::uint64_t, executor::kAbortCodeMax + 1> status_counts{};
    std::uint64_t unexpected_status = 0;
    std::optional<UnexpectedStatus> first_unexpected;
    std::uint64_t gas_used = 0;
    std::string digest_hex;  // the store's incremental digest after the last commit
    std::string recomputed_digest_hex;
    std::uint64_t live_objects = 0;
    std::uint64_t recomputed_live_objects = 0;
    bool digest_verified = false;
    double genesis_s = 0;    // committing genesis (not in `seconds`)
    double generate_s = 0;   // generating and signing the transactions (not in `seconds`)
    double verify_s = 0;     // recompute_digest
    double run_seconds = 0;  // the whole run
    std::string store_dir;   // where the store was (removed unless options.db_dir was given)
};

double tps(const SequentialBenchResult& result);
// REQUIRES: result.phases (the breakdown was on).
TimeBreakdown time_breakdown(const SequentialBenchResult& result);

// Called after each commit with the transactions executed so far and the target.
using TxProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Runs the benchmark. Errors: the workload's (kNotFound for a missing trace, kInvalidArgument
// for a bad one), kAlreadyExists (DIR not empty), kInvalidArgument (DIR not a directory), the
// store's and the executor's. A digest mismatch or an unexpected status is not an error here:
// the result says so.
common::Result<SequentialBenchResult> run_sequential_bench(const SequentialBenchOptions& options,
                                                           const TxProgressFn& progress = {});

}  // namespace remora::tools::bench
