#pragma once
// A bounded in-memory map from object id to its newest stored version (and that version's
// digest entry hash), so version checks and digest updates need no RocksDB read.
//
// Invariant: an entry, when present, equals what the database holds for that id. The store
// fills entries from the database and overwrites them only after a successful write, so a
// failed write leaves the cache correct. Eviction forgets entries; it never invents one.

#include <cstddef>
#include <optional>
#include <unordered_map>

#include "common/bytes.h"
#include "storage/types.h"

namespace remora::storage {

struct CachedLatest {
    Version version = 0;
    bool tombstone = false;
    common::Hash256 entry_hash;  // zero for tombstones
};

class LatestCache {
public:
    explicit LatestCache(std::size_t capacity) : m_capacity(capacity) {}

    std::optional<CachedLatest> find(const ObjectId& id) const;
    void put(const ObjectId& id, const CachedLatest& entry);
    void clear() { m_entries.clear(); }
    std::size_t size() const { return m_entries.size(); }

private:
    // Drops about an eighth of the entries (which ones does not matter for correctness).
    void evict();

    std::size_t m_capacity;
    std::unordered_map<ObjectId, CachedLatest, common::Hash256Hasher> m_entries;
};

}  // namespace remora::storage
