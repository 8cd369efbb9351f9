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
// Layout: the entries sit densely, in no particular order, in fixed-size segments that are
// mapped once and never move; an index of 8-byte slots, open addressing with linear probing
// over a power-of-two slot count that grows with the entries (ids are uniformly random, so
// their first bytes are the hash), maps ids to them. A slot holds its entry's position and the
// low 32 bits of its id's hash, so probes rarely touch a wrong entry and growth rehashes the
// index alone. Deletion (eviction only) shifts later slots back, so there are no tombstones
// and probes stay short. First-touch page faults of new entry memory are expensive on our
// VMs, so the store can have a helper thread fault in, ahead of time, the memory the next
// entries will use (entry_memory_ahead()).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

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
    // Where a find() probe ended for one id, so that a later put() of the same id can skip its
    // probe. It stays usable only while no entry has moved or vanished (no growth, eviction
    // or clear since it was taken); put() checks that and probes as usual otherwise, so a
    // stale hint costs a probe, never a wrong entry.
    struct SlotHint {
        std::size_t slot = ~std::size_t{0};
        std::uint64_t layout = 0;
    };

    explicit LatestCache(std::size_t capacity_entries);
    ~LatestCache();
    LatestCache(const LatestCache&) = delete;
    LatestCache& operator=(const LatestCache&) = delete;

    // The entry for `id`, or nullptr. The pointer is valid until the next put().
    const CachedLatest* find(const ObjectId& id) const;
    // The same, also recording in `hint` where the probe ended.
    const CachedLatest* find(const ObjectId& id, SlotHint& hint) const;
    void put(const ObjectId& id, const CachedLatest& entry);
    // The same as put(id, entry), faster when `hint` comes from a find(id, hint) after which
    // no entry moved.
    void put(const ObjectId& id, const CachedLatest& entry, const SlotHint& hint);
    // Hints to the CPU only, for callers that know their next ids: prefetch_slot() starts
    // loading the index slot a find(id) reads first; prefetch_entry(), issued once that slot
    // is likely loaded, starts loading the entry it names.
    void prefetch_slot(const ObjectId& id) const {
        if (m_slot_count > 0) __builtin_prefetch(&m_index[home(hash_of(id))]);
    }
    void prefetch_entry(const ObjectId& id) const;
    // Forgets every entry (and completeness).
    void clear();
    // Sizes the index for `entries` entries (at most the capacity) now, so that filling it
    // needs no growth on the way.
    void reserve(std::size_t entries);
    // Exchanges everything with `other` (entries, memory, completeness, capacity).
    void swap(LatestCache& other) noexcept;

    // Page-aligned entry memory that the next `ahead` new entries will use and that no earlier
    // call returned; empty when there is none. It stays mapped, at the same address, for the
    // cache's lifetime, so another thread may prefault it (madvise MADV_POPULATE_WRITE, which
    // changes no byte) while this one uses the cache.
    struct MemorySpan {
        char* data = nullptr;
        std::size_t bytes = 0;
    };
    MemorySpan entry_memory_ahead(std::size_t ahead);

    std::size_t size() const { return m_size; }
    std::size_t capacity() const { return m_capacity; }
    bool complete() const { return m_complete; }
    void set_complete(bool complete) { m_complete = complete; }

private:
    struct Entry {
        ObjectId id;
        CachedLatest latest;
    };
    struct FreeDeleter {
        void operator()(std::uint64_t* index) const;
    };
    using Index = std::unique_ptr<std::uint64_t[], FreeDeleter>;

    // An index slot: 0 when free, else (low 32 bits of the id's hash) << 32 | (position + 1).
    static std::uint32_t hash_of(const ObjectId& id) {
        std::uint32_t h = 0;
        std::memcpy(&h, id.bytes.data(), sizeof(h));
        return h;
    }
    static std::uint64_t make_slot(std::uint32_t hash, std::size_t position) {
        return std::uint64_t{hash} << 32 | (position + 1);
    }
    static std::uint32_t slot_hash(std::uint64_t slot) {
        return static_cast<std::uint32_t>(slot >> 32);
    }
    static std::size_t slot_position(std::uint64_t slot) { return (slot & 0xffffffffu) - 1; }
    std::size_t home(std::uint32_t hash) const { return hash & (m_slot_count - 1); }

    // Entries live in segments of kSegmentEntries, each its own mapping.
    static constexpr std::size_t kSegmentShift = 15;
    static constexpr std::size_t kSegmentEntries = std::size_t{1} << kSegmentShift;
    Entry& entry_at(std::size_t position) const {
        return m_segments[position >> kSegmentShift][position & (kSegmentEntries - 1)];
    }

    static Index allocate_index(std::size_t slot_count);
    // The index slot naming `id`, or the free slot that ends its probe.
    std::size_t probe(const ObjectId& id, std::uint32_t hash) const;
    bool needs_growth() const;
    void grow_index();
    // Maps segments until position `count - 1` has one.
    void map_entries(std::size_t count);
    // Adds a new entry whose probe ended at free slot `slot`. REQUIRES: room, no growth due.
    void insert_at(std::size_t slot, const ObjectId& id, std::uint32_t hash,
                   const CachedLatest& entry);
    void erase_slot(std::size_t slot);
    void evict_one();

    std::size_t m_capacity;  // entries kept at most
    std::size_t m_size = 0;
    std::size_t m_evict_cursor = 0;
    bool m_complete = false;
    std::size_t m_slot_count = 0;  // a power of two; load factor <= 7/10
    std::uint64_t m_layout = 0;    // bumped whenever entries move or vanish: grow, evict, clear
    Index m_index;
    std::vector<Entry*> m_segments;  // each mmap'd, kSegmentEntries long
    std::size_t m_handed_out = 0;    // entry_memory_ahead() returned memory up to this position
};

}  // namespace remora::storage
