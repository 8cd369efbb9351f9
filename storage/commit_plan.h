#pragma once
// The speed machinery of one store commit, behind one seam, so that Store::Impl::commit
// (store.cpp) reads as the commit's rules alone. Nothing here decides whether a commit is valid
// or what it writes; each item only makes the same work cheaper:
//  - the writes are visited in (shard, id) key order, compared by a 64-bit key first (RocksDB
//    absorbs sorted batches faster, and a repeated id becomes adjacent);
//  - the entry hashes (BLAKE2b of each payload) start on the store's helper thread at once,
//    in the writes' own order, and the committing thread joins in at finish_hashes();
//  - visiting write k prefetches at three distances: the writes 2d ahead, the cache index
//    slots and payloads d ahead, the cache entries d/2 ahead (d = 8);
//  - each cache probe leaves a slot hint that the cache update of the same id reuses;
//  - the WriteBatch is sized up front, so its buffer never grows by copying;
//  - while RocksDB writes, the helper faults in the cache memory the next entries will use.
// docs/storage_format.md describes what a commit writes; the latest-version cache's layout is
// in storage/latest_cache.h.

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <rocksdb/write_batch.h>

#include "storage/latest_cache.h"
#include "storage/store.h"
#include "storage/store_impl.h"

namespace remora::storage {

class EntryHasher;

class CommitPlan {
public:
    // REQUIRES: `store` is writable and quiesced (quiesce_helper()); `input` outlives the plan.
    CommitPlan(Store::Impl& store, const CommitInput& input);
    ~CommitPlan();  // abandons unfinished hashing (a refused commit) and lets go of the helper
    CommitPlan(const CommitPlan&) = delete;
    CommitPlan& operator=(const CommitPlan&) = delete;

    std::size_t size() const { return m_order.size(); }
    // The k-th write in key order. Visit them with k = 0, 1, ...: each visit prefetches ahead.
    const ObjectWrite& visit(std::size_t k);
    // The k-th write, without prefetching. REQUIRES: k < size().
    const ObjectWrite& at(std::size_t k) const;
    // The newest stored version that the k-th write replaces (the cache, else one seek).
    Result<std::optional<CachedLatest>> previous(std::size_t k);

    // Appends the k-th write's object entry to the batch.
    Status put_object(std::size_t k);
    // Appends any other entry to the batch.
    Status put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
               const rocksdb::Slice& value);
    // Appends an entry whose value is `parts` joined (the batch copies them once).
    Status put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
               std::span<const common::ByteView> parts);

    // Returns once every entry hash is computed; entry_hash() is valid after it.
    void finish_hashes();
    const common::Hash256& entry_hash(std::size_t k) const;
    // The k-th write as the commit record lists it.
    ObjectRef ref(std::size_t k) const;

    // Moves the latest-version cache to the commit's writes, then writes the batch. The cache
    // never holds what the database does not: if its update or the write fails, it is emptied
    // (a cold start, never a wrong answer).
    Status write(const rocksdb::WriteOptions& options, const std::string& what);
    // The same cache move, then the batch goes to the commit pipeline's writer as commit
    // `index` instead of being written here (StoreOptions::pipeline_depth).
    Status hand_over(CommitWriter& writer, CommitIndex index, const std::string& what);

private:
    Status move_cache(const std::string& what);

    struct SortKey {
        std::uint64_t key = 0;    // the shard and the id's first six bytes, big-endian
        std::uint32_t index = 0;  // into CommitInput::writes
    };

    Store::Impl& m_store;
    const std::vector<ObjectWrite>& m_writes;
    std::vector<common::Hash256> m_hashes;  // in the writes' order
    std::unique_ptr<EntryHasher> m_hasher;
    std::vector<SortKey> m_order;
    std::vector<LatestCache::SlotHint> m_hints;   // in key order
    std::unique_ptr<rocksdb::Iterator> m_seeker;  // one iterator serves every cache miss
    std::string m_key;                            // scratch for object keys
    rocksdb::WriteBatch m_batch;
};

}  // namespace remora::storage
