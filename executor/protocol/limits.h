#pragma once
// Bounds and defaults of the Remora protocol engines (docs/style.md §3: a limit on everything).
// docs/remora_protocol.md, "Bounds", lists them with the reasons. Units are last in names.

#include <cstddef>
#include <cstdint>

namespace remora::executor::protocol::limits {

// --- Cluster -----------------------------------------------------------------------------------
// Pre-executors known to one primary or load balancer at a time.
inline constexpr std::size_t kPreExecutorsMax = 256;
// Objects a contention-following load balancer places at once (RoutingMode::kContention): the
// inputs of the transactions in flight. Past it new objects are routed by affinity, unplaced.
inline constexpr std::size_t kPlacementsDefault = 1 << 20;

// --- Pre-executor ------------------------------------------------------------------------------
// Speculative overlay of a pre-executor's own writes: entries and bytes (object contents and
// type tags plus kOverlayEntryOverheadBytes each). The oldest entries are evicted first; a lost
// entry only makes later results miss, it never makes the primary adopt a wrong result.
inline constexpr std::size_t kOverlayEntriesDefault = 1 << 16;
inline constexpr std::size_t kOverlayBytesDefault = 64u << 20;
inline constexpr std::size_t kOverlayEntryOverheadBytes = 160;

// --- Primary: results ----------------------------------------------------------------------------
// Transactions with buffered results (or a routing note) waiting to be ordered; when full, the
// oldest is dropped.
inline constexpr std::size_t kBufferedTxsDefault = 1 << 16;
inline constexpr std::size_t kBufferedTxsMax = 1 << 22;
// Results kept per transaction (one per pre-executor, the newest); more are dropped.
inline constexpr std::size_t kResultsPerTxMax = 4;
// A result whose transaction is not ordered within this many commits of its arrival expires.
inline constexpr std::uint64_t kResultTtlCommitsDefault = 64;
// Recently committed transactions remembered (digest -> effects digest): late results for them
// are dropped on arrival, and speculative reads are confirmed against them.
inline constexpr std::size_t kRecentTxsDefault = 1 << 17;
inline constexpr std::size_t kRecentTxsMax = 1 << 24;

// --- Pre-executor: held transactions -------------------------------------------------------------
// Transactions held waiting for an owned input a state update has not brought yet (or behind
// such a transaction); past this many the oldest runs anyway.
inline constexpr std::size_t kHeldTxsDefault = 4096;
// A held transaction runs anyway once this many state updates were applied since it arrived.
inline constexpr std::uint32_t kHoldUpdatesDefault = 8;

// --- Pre-executor: parallel execution of batches (PreExecutor::execute_batch) ----------------
// Threads one pre-executor may speculate a batch on (PreExecutorOptions::exec_threads).
inline constexpr std::size_t kExecThreadsMax = 256;
// A batch is speculated on the threads only while recent transactions took at least this many
// microseconds each (wall time; the node's pre-executor, node/pre_executor_node.cpp); cheaper
// ones run one at a time, where speculation costs more than it saves (docs/BENCHMARKS.md,
// "Parallel execution in the pre-executor"). The simulation's model of that node uses the same
// threshold on simulated cost (docs/simulation.md, "Cores").
inline constexpr std::uint64_t kBatchParallelMinUs = 100;

// --- Pre-executor: re-execution in the tentative order (ordered_replay.h) ---------------------
// Replacement results one pre-executor sends for one transaction; past it, it sends no more
// (counted replays_capped).
inline constexpr std::uint32_t kReplaysPerTxDefault = 32;
// Ordered positions (and the effects and own transactions behind them) a pre-executor
// remembers; past it the oldest batch is forgotten.
inline constexpr std::size_t kOrderedTxsDefault = 1 << 16;

// --- Primary: miss statistics --------------------------------------------------------------------
// The sliding window: the last W transactions attributed to one pre-executor.
inline constexpr std::size_t kMissWindowTxsDefault = 256;
inline constexpr std::size_t kMissWindowTxsMax = 1 << 16;
// State misses (stale version, dynamic mismatch, unconfirmed read) in the window that trigger a
// state update for that pre-executor.
inline constexpr std::size_t kMissThresholdDefault = 32;

// --- Primary: state updates ----------------------------------------------------------------------
// Objects and bytes in one state update; past either the update is incomplete (the newest
// changes only) and the pre-executor should be rebuilt from a snapshot. The bytes leave room,
// within one 64 MiB frame, for the per-entry framing of 65,536 entries (net/limits.h checks).
inline constexpr std::size_t kStateUpdateObjectsDefault = 1 << 16;
inline constexpr std::size_t kStateUpdateBytesDefault = 48u << 20;
// Commits scanned for one update; an older acknowledged commit gives an incomplete update.
inline constexpr std::uint64_t kStateUpdateCommitsDefault = 4096;
// Recent commits whose write lists the primary keeps in memory (older ones are read from the
// store's commit records).
inline constexpr std::size_t kWriteLogCommitsDefault = 256;
// Fixed part of a state update's size estimate (ids, commit indexes, flags), and per tombstone.
inline constexpr std::size_t kStateUpdateHeaderBytes = 32;
inline constexpr std::size_t kStateUpdateTombstoneBytes = 40;

// --- Primary: parallel re-execution of misses ----------------------------------------------------
// Threads that re-execute a commit's misses (the primary's own thread is one): 1 re-executes
// them one by one in order, as the sequential reference does.
inline constexpr std::size_t kReexecThreadsDefault = 1;
inline constexpr std::size_t kReexecThreadsMax = 64;

static_assert(kMissThresholdDefault <= kMissWindowTxsDefault);
static_assert(kMissWindowTxsDefault <= kMissWindowTxsMax);
static_assert(kBufferedTxsDefault <= kBufferedTxsMax);
static_assert(kRecentTxsDefault <= kRecentTxsMax);
static_assert(kReexecThreadsDefault >= 1 && kReexecThreadsDefault <= kReexecThreadsMax);

}  // namespace remora::executor::protocol::limits
