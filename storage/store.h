#pragma once
// The persistent, sharded, versioned object store: one RocksDB database (docs/storage_format.md).
//
// Invariants:
//  - After any crash the database holds exactly commits 1..B, B = applied_commit(): a commit's
//    object writes, commit record, transaction index entries, watermark and digest are one
//    atomic WriteBatch.
//  - state_digest() always equals recompute_digest() over the live object set.
//  - Every object's versions strictly increase; the newest version is never pruned.
//  - Between calls, the latest-version cache only holds what the database holds (it is filled
//    from the database; a commit whose write fails empties it).
//
// Thread safety: a Store is used by one thread at a time (the node serializes access).

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "storage/types.h"

namespace rocksdb {
class Env;
}

namespace remora::storage {

using common::Result;
using common::Status;

inline constexpr std::uint32_t kFormatVersion = 1;

enum class OpenMode {
    kReadWrite,  // takes RocksDB's LOCK: fails with Code::kLocked beside a running node
    kReadOnly,   // no lock; sees the database as of open; works beside a running writer
};

struct StoreOptions {
    bool create_if_missing = false;  // only with kReadWrite; creates an empty store
    std::uint32_t shard_count = common::limits::kShardCountDefault;  // used at creation only
    bool sync = true;  // fsync the WAL on every commit (durable acknowledgement)
    std::size_t latest_cache_entries = common::limits::kLatestCacheEntriesDefault;
    // kReadWrite: load every object's newest version into the cache at open (one scan), so
    // that while the cache holds every object a miss means "absent" and costs no read.
    bool preload_latest_cache = true;
    // Threads that read `objects` for that preload, each over its own range of shards (1: the
    // opening thread alone). The opening thread is one of them and fills the cache.
    std::size_t preload_threads = 2;
    std::size_t write_buffer_bytes = 16u << 20;  // per column family memtable
    // Bound on the write-ahead logs' total size: beyond it every column family is flushed so
    // that the oldest logs are released. It also bounds what an open replays.
    std::uint64_t max_wal_bytes = 64u << 20;
    // Deletions per WriteBatch while pruning (docs/storage_format.md, "Pruning"): bounds a
    // prune's memory. Tests lower it so that a prune spans many batches (0 counts as 1).
    std::size_t prune_batch_deletes_max = std::size_t{64} * 1024;
    // Keep the database's files in memory (RocksDB's MemEnv) instead of on disk: the same
    // store code, for simulations that run many short-lived stores. Gone when the Store closes;
    // `dir` is only a name then. Checkpoints are not supported in memory.
    bool in_memory = false;
    // The RocksDB environment to run on instead of the default one (not owned; must outlive
    // the store). For tests that make writes fail (a full disk) on command.
    rocksdb::Env* env = nullptr;
    // The commit pipeline (docs/storage_format.md, "The commit pipeline"): 0 writes each
    // commit's WriteBatch before commit() returns (durable on return with `sync`). n >= 1
    // hands the batch to a writer thread and returns once the commit is applied in memory,
    // blocking only while n commits are still being written (with `sync`, up to n more may be
    // written and waiting for their fsync, on a thread of its own): the caller builds the next
    // commit meanwhile. Reads and later commits see every applied commit; wait_durable() says
    // when one survives a crash, and nothing should be acknowledged before it does.
    std::size_t pipeline_depth = 0;
    // kReadWrite: open with RocksDB's automatic compactions off, until resume_compactions().
    // A primary restarting on a large store would otherwise compact the level-0 files a run
    // left behind on the same cores as its start; the node resumes them once it serves
    // (docs/storage_format.md, "Preload at open"). Writes do not wait for it meanwhile beyond
    // RocksDB's usual level-0 slowdown.
    bool defer_compactions = false;
};

// What the commit pipeline did (StoreOptions::pipeline_depth >= 1; zeros otherwise).
struct PipelineStats {
    std::uint64_t writes = 0;
    std::uint64_t write_ns = 0;  // the writer thread's wall time in RocksDB writes
    std::uint64_t syncs = 0;     // log fsyncs on the sync thread (with `sync`)
    std::uint64_t sync_ns = 0;   // the sync thread's wall time in them
    std::uint64_t wait_ns = 0;   // the committing thread's wall time blocked on the writer
};

class Store {
public:
    // Opens (or with create_if_missing creates) the store in `dir`.
    // Errors: kNotADatabase (no such database, or a RocksDB database that is not ours),
    // kFormatVersion, kLocked (another process holds it), kIoError, kCorruption.
    static Result<std::unique_ptr<Store>> open(const std::string& dir, OpenMode mode,
                                               const StoreOptions& options = {});
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    const std::string& dir() const;
    bool read_only() const;
    // applied_commit counts the commits applied, durable or still in the pipeline.
    const StoreStatus& status() const;
    std::uint32_t shard_of(const ObjectId& id) const;

    // --- Reads. A tombstone is returned as an ObjectVersion with tombstone = true;
    // std::nullopt means the object has no version at all (at or below the bound).

    // Newest version's number, from memory when cached. Cheap: the primary's version check.
    Result<std::optional<LatestInfo>> latest_info(const ObjectId& id);
    Result<std::optional<ObjectVersion>> get_latest(const ObjectId& id);
    // Newest version <= `version`. kPruned when `version` < retention watermark.
    Result<std::optional<ObjectVersion>> get_at_or_below(const ObjectId& id, Version version);
    // Newest versions of many objects, in the order of `ids`.
    Result<std::vector<std::optional<ObjectVersion>>> multi_get_latest(
        std::span<const ObjectId> ids);
    // All stored versions (tombstones included), oldest first; at most kHistoryVersionsMax.
    Result<std::vector<ObjectVersion>> history(const ObjectId& id);

    Result<CommitRecord> read_commit(CommitIndex index);
    // Commit and position of a transaction by digest; kNotFound when absent.
    Result<std::pair<CommitIndex, std::uint32_t>> find_transaction(const common::Hash256& tx);
    // The commit that indexed `tx`, or nullopt: find_transaction's cheap form for the executor's
    // replay rule, asked once per ordered transaction (no message is built for "absent").
    Result<std::optional<CommitIndex>> transaction_commit(const common::Hash256& tx);
    // transaction_commit of each of `txs`, in their order, with one RocksDB MultiGet for those
    // not in flight: the replay rule's lookups of a whole commit at once (cheapest when `txs`
    // are sorted ascending).
    Result<std::vector<std::optional<CommitIndex>>> transaction_commits(
        std::span<const common::Hash256> txs);

    // --- Writes (kInvalidArgument in read-only mode).

    // Applies one commit atomically. REQUIRES (else kInvalidArgument, nothing written):
    // index == applied_commit + 1; ids unique; versions >= 1 and > the object's newest version;
    // a deletion names a live object; payloads <= kObjectBytesMax.
    // A failed write (kIoError: a full disk, an I/O error) leaves applied_commit where it
    // was; RocksDB then refuses writes until the store resumes it, which every later commit
    // tries first, so after "no space" commits continue once the disk has room again (other
    // I/O errors on the log are fatal to RocksDB's open: commits resume after a reopen, i.e.
    // a restart, which loses nothing acknowledged). Should the process die
    // before that, the failed commit may still be in the log and reappear at the next open
    // (its fsync, not its write, may be what failed): after a kIoError the commit's fate is
    // known only from applied_commit after reopening.
    // With StoreOptions::pipeline_depth >= 1 the commit is applied (status, reads, the next
    // commit see it) but may still be in the writer's hands: a failed write is reported by a
    // later commit() or wait_durable() (kIoError), which first takes the store back to the
    // last commit written; the commits after it never happened.
    Status commit(const CommitInput& input);
    // Blocks until every commit <= `index` is written (and synced, with `sync`): what survives
    // a crash. Returns the highest commit written. kIoError when a write failed (as commit()).
    // Without the pipeline every applied commit is already written.
    Result<CommitIndex> wait_durable(CommitIndex index);
    // The highest commit written so far, without waiting. kIoError as wait_durable().
    Result<CommitIndex> durable_commit();
    PipelineStats pipeline_stats() const;
    // Called with each commit's index as soon as it is written (and synced, with `sync`): on
    // the pipeline's writer or sync thread with the pipeline, in commit() without. It must be quick
    // and safe to call from that thread. REQUIRES: no commit in flight (set it before committing).
    void set_durable_observer(std::function<void(CommitIndex)> observer);

    // Deletes versions below `watermark` that are shadowed by a newer version <= watermark, so
    // reads at or above the watermark are unchanged; never the newest version of an object.
    // REQUIRES: watermark >= the current one.
    Result<PruneResult> prune(Version watermark);
    // Flushes the memtables and compacts every column family down to its last level
    // (RocksDB's CompactRange over the whole key range, bottommost level forced), so that what
    // pruning deleted leaves the table files. Changes no key or value.
    Result<CompactResult> compact();

    // --- Whole-database operations.

    // Full scan of the live object set (docs/storage_format.md, "State digest").
    Result<RecomputedDigest> recompute_digest();
    Result<StoreStats> stats();
    // RocksDB's own figures, summed over the column families: cheap (no scan), for gauges.
    EngineGauges engine_gauges() const;
    // A RocksDB checkpoint (hard links where possible) in `target_dir`, which must not exist.
    // Works in read-write mode only.
    Status checkpoint(const std::string& target_dir);
    // Turns RocksDB's automatic compactions on for every column family (they are already on
    // unless the store was opened with StoreOptions::defer_compactions). Read-write only.
    Status resume_compactions();

    class Impl;

private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// RocksDB keeps a perf context per thread that counts by default (kEnableCount): a thread-local
// access per memtable key comparison and per read step, ~11k instructions per transfer's share
// of a write (callgrind; docs/BENCHMARKS.md). A long-lived thread that uses a store and never
// reads those counters (a node's io threads, the store's writer) calls this once at its start.
void disable_rocksdb_counters_on_this_thread();

}  // namespace remora::storage
