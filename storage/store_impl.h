#pragma once
// Store::Impl: shared by store.cpp (open, reads, commit) and store_scan.cpp (whole-database
// scans: prune, digest recomputation, stats, checkpoint). Private to the storage module.

#include <rocksdb/db.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "storage/commit_writer.h"
#include "storage/helper_thread.h"
#include "storage/latest_cache.h"
#include "storage/store.h"
#include "storage/store_evidence.h"

namespace remora::storage {

class Store::Impl {
public:
    Impl(std::string dir, OpenMode mode, const StoreOptions& options);
    ~Impl();

    Status open();

    // An iterator over `objects` for point lookups by prefix (prefix_same_as_start).
    std::unique_ptr<rocksdb::Iterator> new_object_iterator() const;
    // Newest stored version of `id`, from the cache or one prefix seek (which fills the cache).
    // `reuse`, when given, is an iterator from new_object_iterator() to seek with.
    Result<std::optional<CachedLatest>> lookup_latest(const ObjectId& id,
                                                      rocksdb::Iterator* reuse = nullptr);
    // Newest entry of `id` with version <= `bound`, read from RocksDB.
    Result<std::optional<ObjectVersion>> seek_at_or_below(const ObjectId& id, Version bound,
                                                          rocksdb::Iterator* reuse = nullptr);

    // The newest version a commit's write replaces: from the cache, absent when the cache is
    // complete, else one seek with `seeker` (created on first use). `hint` is where the cache
    // probe ended, for the commit's later put of the same id.
    Result<std::optional<CachedLatest>> previous_for_commit(
        const ObjectId& id, std::unique_ptr<rocksdb::Iterator>& seeker,
        LatestCache::SlotHint& hint);
    // The helper thread for a commit of `writes` writes, started on first use; nullptr for
    // small commits or when no thread can be had.
    HelperThread* commit_helper(std::size_t writes);
    // Withdraws or waits out a posted populate job, so the helper is free for another job.
    void quiesce_helper();
    // While RocksDB writes the commit, has the helper fault in the cache's entry memory that
    // about `writes` more new entries will use.
    void populate_cache_ahead(std::size_t writes);
    Status commit(const CommitInput& input);
    // After a failed write RocksDB accepts none until resumed: resume it (kIoError, saying
    // why, while it still cannot write).
    Status resume_after_write_error();
    // Appends one object version to `batch`; `key` is scratch space.
    Status put_object(rocksdb::WriteBatch& batch, std::string& key, std::uint32_t shard,
                      const ObjectWrite& w);
    // Reads every object (checksums verified) and loads the newest version of each into the
    // cache, while it fits; marks the cache complete when all did. One pass, no copy of a
    // value but the newest's view (docs/storage_format.md, "Opening a store").
    Status preload_cache();
    Result<PruneResult> prune(Version watermark);
    Result<CompactResult> compact();
    Result<RecomputedDigest> recompute_digest();
    Result<StoreStats> stats();
    EngineGauges engine_gauges() const;

    // The commit pipeline (StoreOptions::pipeline_depth >= 1, commit_writer.h). Retires the
    // commits the writer has written (their entries leave the pending maps), first waiting
    // until `wait_for` is written when given. After a failed write: takes the store back to
    // the commit before it (status, cache emptied, pending entries dropped) and returns
    // kIoError.
    Status settle(std::optional<CommitIndex> wait_for);
    // settle() until every applied commit is written: what the reads that go to RocksDB alone
    // (scans, history, commit records, prunes) call first.
    Status drain();
    // What the pipeline has in flight for an object version (its payload; nullopt for a
    // tombstone) or a transaction (its commit), or null.
    const std::optional<Bytes>* pending_object(const ObjectId& id, Version version) const;
    const CommitIndex* pending_transaction(const common::Hash256& digest) const;

    rocksdb::ColumnFamilyHandle* cf(std::string_view name) const;
    Status require_writable(const char* operation) const;

    std::string m_dir;
    OpenMode m_mode;
    StoreOptions m_options;
    std::unique_ptr<rocksdb::Env> m_env;  // in-memory stores only; outlives m_db
    std::unique_ptr<rocksdb::DB> m_db;
    std::vector<rocksdb::ColumnFamilyHandle*> m_handles;  // in kColumnFamilies order
    rocksdb::ColumnFamilyHandle* m_meta = nullptr;
    rocksdb::ColumnFamilyHandle* m_objects = nullptr;
    rocksdb::ColumnFamilyHandle* m_commits = nullptr;
    rocksdb::ColumnFamilyHandle* m_transactions = nullptr;
    StoreStatus m_status;
    LatestCache m_cache;
    std::unique_ptr<HelperThread> m_helper;  // see commit_helper()
    bool m_helper_unavailable = false;       // starting it failed once: do not retry
    PopulateJob m_populate;                  // see populate_cache_ahead()
    bool m_populate_posted = false;          // posted to m_helper and not yet settled
    bool m_created = false;                  // this open created (or finished creating) the store
    bool m_pending_creation = false;  // the database exists but its meta is still to be written
    // Evidence taken before RocksDB opened the directory (on-disk stores only).
    DirectoryInventory m_inventory;
    std::vector<WalScan> m_wal_scans;     // of m_inventory.logs, in the same order
    std::vector<std::string> m_families;  // the column families RocksDB listed
    bool m_interrupted_creation = false;  // open() refused an interrupted creation
    bool m_scan_objects = false;          // open() reads every object (a probe's duty)
    // The status at which the read-only probe, reading every object, loaded m_cache; the
    // read-write open keeps that cache only when its own status is the same.
    std::optional<StoreStatus> m_probed_status;
    bool m_write_failed = false;     // a commit's write failed; resume before the next
    bool m_reopen_required = false;  // the log's fsync failed in the pipeline (settle())
    std::string m_write_error;       // why it failed
    // The commit pipeline: the writer (started by the first commit), the commits applied but
    // not yet written, oldest first, with the status before each and the keys it added to the
    // pending maps, which hold their object versions and transaction index entries so that
    // reads see them before RocksDB does. Keys are unique: an (id, version) is written once,
    // a transaction indexed once.
    struct PendingKey {
        ObjectId id;
        Version version = 0;
        bool operator==(const PendingKey&) const = default;
    };
    struct PendingKeyHasher {
        std::size_t operator()(const PendingKey& key) const noexcept {
            return common::Hash256Hasher{}(key.id) ^ (key.version * 0x9E3779B97F4A7C15ull);
        }
    };
    struct InFlight {
        CommitIndex index = 0;
        StoreStatus before;
        std::vector<PendingKey> object_keys;
        std::vector<common::Hash256> transaction_keys;
    };
    std::function<void(CommitIndex)> m_durable_observer;  // see Store::set_durable_observer
    std::unique_ptr<CommitWriter> m_writer;
    bool m_writer_unavailable = false;
    std::deque<InFlight> m_in_flight;
    std::unordered_map<PendingKey, std::optional<Bytes>, PendingKeyHasher> m_pending_objects;
    std::unordered_map<common::Hash256, CommitIndex, common::Hash256Hasher> m_pending_transactions;

private:
    Status create_or_open_rocksdb();
    Status open_column_families(const rocksdb::DBOptions& db);
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors() const;
    Status open_checked();  // open() without the damage advice on kCorruption
    // RocksDB's refusal to open, with what to do when it is damage.
    Status opening_failed(const rocksdb::Status& s) const;
    // kNotADatabase: a creation killed before its first batch, which a creating open finishes.
    Status interrupted_creation() const;
    // kCorruption unless the opened database holds everything the files show was committed.
    Status check_evidence(rocksdb::DB& db,
                          const std::vector<rocksdb::ColumnFamilyHandle*>& handles) const;
    // Cross-checks meta against the other column families (cheap: a few seeks).
    Status check_meta_consistency();
    Status initialize_meta();
    bool is_pristine_open() const;  // every column family empty
    Status load_meta();
};

// Turns a stored `objects` value into the flag/payload pair; kCorruption when malformed.
Result<ObjectVersion> decode_object_value(const ObjectId& id, Version version,
                                          std::string_view value);
common::Bytes encode_object_value(const std::optional<Bytes>& payload);
// kCorruption naming an `objects` key that decode_object_key() refuses.
Status malformed_object_key(const rocksdb::Slice& key);

}  // namespace remora::storage
