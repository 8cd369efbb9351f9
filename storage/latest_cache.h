#pragma once
// A bounded in-memory map from object id to its newest stored version (and that version's
// digest entry hash), so version checks and digest updates need no RocksDB read.
//
// Invariants:
//  - Between the store's calls, an entry, when present, equals what the database holds for
//    that id. The store fills entries from the database; a commit updates them just before its
//    write and empties the cache if the write fails. Eviction forgets entries, never invents.
//  - complete() means every id the database holds has an entry, so a miss means "absent" and
//    needs no read. The store sets it for a store it created empty or preloaded at open;
//    the first eviction clears it for good.
//
// Layout: open addressing with linear probing over a power-of-two slot array that grows with
// the entries (ids are uniformly random, so their first bytes are the hash). Deletion uses
// backward shifting, so there are no tombstones and probes stay short. Large slot arrays ask
// for transparent huge pages: first-touch page faults dominated insertion on our VMs.

#include <cstddef>
#include <memory>

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
    explicit LatestCache(std::size_t capacity_entries);

    // The entry for `id`, or nullptr. The pointer is valid until the next put().
    const CachedLatest* find(const ObjectId& id) const;
    void put(const ObjectId& id, const CachedLatest& entry);
    // Forgets every entry (and completeness).
    void clear();

    std::size_t size() const { return m_size; }
    std::size_t capacity() const { return m_capacity; }
    bool complete() const { return m_complete; }
    void set_complete(bool complete) { m_complete = complete; }

private:
    // Trivially copyable so slot arrays are plain zeroed memory (used == false).
    struct Slot {
        ObjectId id;
        CachedLatest entry;
        bool used;
    };
    struct FreeDeleter {
        void operator()(Slot* slots) const;
    };
    using SlotArray = std::unique_ptr<Slot[], FreeDeleter>;

    static SlotArray allocate(std::size_t slot_count);
    std::size_t home(const ObjectId& id) const;
    bool needs_growth() const;
    void grow();
    void evict_one();

    std::size_t m_capacity;  // entries kept at most
    std::size_t m_size = 0;
    std::size_t m_evict_cursor = 0;
    bool m_complete = false;
    std::size_t m_slot_count = 0;  // a power of two; load factor <= 7/10
    SlotArray m_slots;
};

}  // namespace remora::storage
