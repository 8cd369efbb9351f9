#include "storage/latest_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

#include "common/status.h"

namespace remora::storage {
namespace {

constexpr std::size_t kInitialSlots = 1024;
constexpr std::size_t kPageBytes = 4096;
// Index slots keep 32 bits of position and hash, so the slot count stays <= 2^32.
constexpr std::size_t kCapacityMax = std::size_t{1} << 31;

std::size_t segment_bytes(std::size_t entries, std::size_t entry_bytes) {
    return (entries * entry_bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
}

bool same_id(const ObjectId& a, const ObjectId& b) {
    std::uint64_t x[4];
    std::uint64_t y[4];
    std::memcpy(x, a.bytes.data(), sizeof(x));
    std::memcpy(y, b.bytes.data(), sizeof(y));
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

}  // namespace

void LatestCache::FreeDeleter::operator()(std::uint64_t* index) const { std::free(index); }

LatestCache::Index LatestCache::allocate_index(std::size_t slot_count) {
    // calloc: large blocks come zeroed from the kernel, without a pass of memset.
    void* memory = std::calloc(slot_count, sizeof(std::uint64_t));
    if (memory == nullptr) throw std::bad_alloc();
    return Index(static_cast<std::uint64_t*>(memory));
}

LatestCache::LatestCache(std::size_t capacity_entries)
    : m_capacity(std::min(capacity_entries, kCapacityMax)) {
    static_assert(std::is_trivially_copyable_v<Entry>);
    if (m_capacity > 0) {
        m_slot_count = kInitialSlots;
        m_index = allocate_index(m_slot_count);
    }
}

LatestCache::~LatestCache() {
    for (std::size_t k = 0; k < m_segments.size(); ++k) {
        const std::size_t entries = std::min(kSegmentEntries, m_capacity - k * kSegmentEntries);
        (void)munmap(m_segments[k], segment_bytes(entries, sizeof(Entry)));
    }
}

void LatestCache::clear() {
    if (m_slot_count > 0) std::memset(m_index.get(), 0, m_slot_count * sizeof(std::uint64_t));
    m_size = 0;
    m_complete = false;
    ++m_layout;
}

void LatestCache::reserve(std::size_t entries) {
    entries = std::min(entries, m_capacity);
    while (m_slot_count > 0 && entries * 10 > m_slot_count * 7) grow_index();
}

void LatestCache::swap(LatestCache& other) noexcept {
    std::swap(m_capacity, other.m_capacity);
    std::swap(m_size, other.m_size);
    std::swap(m_evict_cursor, other.m_evict_cursor);
    std::swap(m_complete, other.m_complete);
    std::swap(m_slot_count, other.m_slot_count);
    std::swap(m_index, other.m_index);
    std::swap(m_segments, other.m_segments);
    std::swap(m_handed_out, other.m_handed_out);
    // Hints taken on either cache must not match the other's slots.
    const std::uint64_t layout = std::max(m_layout, other.m_layout) + 1;
    m_layout = layout;
    other.m_layout = layout;
}

bool LatestCache::needs_growth() const { return (m_size + 1) * 10 > m_slot_count * 7; }

std::size_t LatestCache::probe(const ObjectId& id, std::uint32_t hash) const {
    const std::size_t mask = m_slot_count - 1;
    for (std::size_t i = home(hash);; i = (i + 1) & mask) {
        const std::uint64_t slot = m_index[i];
        if (slot == 0) return i;
        if (slot_hash(slot) == hash && same_id(entry_at(slot_position(slot)).id, id)) return i;
    }
}

const CachedLatest* LatestCache::find(const ObjectId& id) const {
    if (m_slot_count == 0) return nullptr;
    const std::uint64_t slot = m_index[probe(id, hash_of(id))];
    return slot == 0 ? nullptr : &entry_at(slot_position(slot)).latest;
}

const CachedLatest* LatestCache::find(const ObjectId& id, SlotHint& hint) const {
    hint = SlotHint{};
    if (m_slot_count == 0) return nullptr;
    const std::size_t i = probe(id, hash_of(id));
    hint = SlotHint{i, m_layout};
    const std::uint64_t slot = m_index[i];
    return slot == 0 ? nullptr : &entry_at(slot_position(slot)).latest;
}

void LatestCache::prefetch_entry(const ObjectId& id) const {
    if (m_slot_count == 0) return;
    const std::uint32_t hash = hash_of(id);
    const std::size_t mask = m_slot_count - 1;
    std::size_t i = home(hash);
    for (int looked = 0; looked < 4; ++looked, i = (i + 1) & mask) {
        const std::uint64_t slot = m_index[i];
        if (slot == 0) return;
        if (slot_hash(slot) == hash) {
            const char* entry = reinterpret_cast<const char*>(&entry_at(slot_position(slot)));
            __builtin_prefetch(entry);
            __builtin_prefetch(entry + sizeof(Entry) - 1);  // an entry may straddle two lines
            return;
        }
    }
}

void LatestCache::put(const ObjectId& id, const CachedLatest& entry, const SlotHint& hint) {
    // The hinted slot is where find() stopped: the id's own slot, or the free slot that ended
    // its probe. While no entry has moved or vanished, every slot from the id's home to that
    // free slot is still taken by another id (slots only fill), so a slot still free is where
    // the id belongs; a slot taken meanwhile, or any move, sends us down the full probe.
    if (hint.layout == m_layout && hint.slot < m_slot_count) {
        const std::uint64_t slot = m_index[hint.slot];
        const std::uint32_t hash = hash_of(id);
        if (slot != 0) {
            if (slot_hash(slot) == hash && same_id(entry_at(slot_position(slot)).id, id)) {
                entry_at(slot_position(slot)).latest = entry;
                return;
            }
        } else if (m_size < m_capacity && !needs_growth()) {
            insert_at(hint.slot, id, hash, entry);
            return;
        }
    }
    put(id, entry);
}

void LatestCache::put(const ObjectId& id, const CachedLatest& entry) {
    if (m_capacity == 0) {
        m_complete = false;
        return;
    }
    // One probe finds the entry or the free slot where it belongs.
    const std::uint32_t hash = hash_of(id);
    std::size_t i = probe(id, hash);
    if (m_index[i] != 0) {
        entry_at(slot_position(m_index[i])).latest = entry;
        return;
    }
    if (m_size >= m_capacity || needs_growth()) {
        // Making room moves slots: probe again afterwards.
        if (m_size >= m_capacity) evict_one();
        if (needs_growth()) grow_index();
        i = probe(id, hash);
    }
    insert_at(i, id, hash, entry);
}

void LatestCache::insert_at(std::size_t slot, const ObjectId& id, std::uint32_t hash,
                            const CachedLatest& entry) {
    map_entries(m_size + 1);
    entry_at(m_size) = Entry{id, entry};
    m_index[slot] = make_slot(hash, m_size);
    ++m_size;
}

void LatestCache::map_entries(std::size_t count) {
    while (m_segments.size() * kSegmentEntries < count) {
        // A segment is a private mapping of its own: mapped once, never moved, its pages
        // faulted in on first touch (or ahead of time, see entry_memory_ahead()).
        const std::size_t k = m_segments.size();
        const std::size_t entries = std::min(kSegmentEntries, m_capacity - k * kSegmentEntries);
        // Room first, so that nothing can throw once the segment is mapped.
        if (k == m_segments.capacity()) m_segments.reserve(std::max<std::size_t>(8, 2 * k));
        void* memory = mmap(nullptr, segment_bytes(entries, sizeof(Entry)), PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) throw std::bad_alloc();
        m_segments.push_back(static_cast<Entry*>(memory));
    }
}

LatestCache::MemorySpan LatestCache::entry_memory_ahead(std::size_t ahead) {
    const std::size_t end = std::min(m_capacity, m_size + ahead);
    const std::size_t begin = std::max(m_handed_out, m_size);
    if (begin >= end) return {};
    // One segment at a time (a span is contiguous), whole pages only (spans never overlap):
    // a page the span's last entry shares with the next entries goes with the next span,
    // except at the segment's end.
    const std::size_t segment = begin >> kSegmentShift;
    const std::size_t segment_first = segment * kSegmentEntries;
    const std::size_t segment_end =
        segment_first + std::min(kSegmentEntries, m_capacity - segment_first);
    const std::size_t stop = std::min(end, segment_end);
    const std::size_t from = (begin - segment_first) * sizeof(Entry) / kPageBytes * kPageBytes;
    const std::size_t stop_bytes = (stop - segment_first) * sizeof(Entry);
    const std::size_t to = stop == segment_end
                               ? (stop_bytes + kPageBytes - 1) / kPageBytes * kPageBytes
                               : stop_bytes / kPageBytes * kPageBytes;
    if (to <= from) return {};
    map_entries(stop);
    m_handed_out =
        stop == segment_end ? stop : segment_first + (to + sizeof(Entry) - 1) / sizeof(Entry);
    return {reinterpret_cast<char*>(m_segments[segment]) + from, to - from};
}

void LatestCache::grow_index() {
    // Only the index is rebuilt: each slot carries the hash bits that place it.
    ++m_layout;
    Index old = std::move(m_index);
    const std::size_t old_count = m_slot_count;
    m_slot_count *= 2;
    m_index = allocate_index(m_slot_count);
    const std::size_t mask = m_slot_count - 1;
    for (std::size_t k = 0; k < old_count; ++k) {
        const std::uint64_t slot = old[k];
        if (slot == 0) continue;
        std::size_t i = home(slot_hash(slot));
        while (m_index[i] != 0) i = (i + 1) & mask;
        m_index[i] = slot;
    }
}

void LatestCache::erase_slot(std::size_t hole) {
    // Backward shift: move later members of the probe run into the hole when their home
    // position allows it, so lookups never stop early at the freed slot.
    const std::size_t mask = m_slot_count - 1;
    m_index[hole] = 0;
    for (std::size_t j = (hole + 1) & mask; m_index[j] != 0; j = (j + 1) & mask) {
        std::size_t want = home(slot_hash(m_index[j]));
        bool movable = ((j - want) & mask) >= ((j - hole) & mask);
        if (movable) {
            m_index[hole] = m_index[j];
            m_index[j] = 0;
            hole = j;
        }
    }
}

void LatestCache::evict_one() {
    // A rotating cursor picks the victim: which entry goes does not matter for correctness.
    REMORA_ASSERT(m_size > 0);
    m_complete = false;
    ++m_layout;
    const std::size_t victim = m_evict_cursor < m_size ? m_evict_cursor : 0;
    m_evict_cursor = victim + 1;
    const std::size_t victim_slot = probe(entry_at(victim).id, hash_of(entry_at(victim).id));
    REMORA_ASSERT(m_index[victim_slot] != 0 && slot_position(m_index[victim_slot]) == victim);
    erase_slot(victim_slot);
    // Keep the entries dense: the last one moves into the victim's place.
    const std::size_t last = m_size - 1;
    if (victim != last) {
        entry_at(victim) = entry_at(last);
        const std::size_t moved = probe(entry_at(victim).id, hash_of(entry_at(victim).id));
        REMORA_ASSERT(m_index[moved] != 0 && slot_position(m_index[moved]) == last);
        m_index[moved] = make_slot(slot_hash(m_index[moved]), victim);
    }
    --m_size;
}

}  // namespace remora::storage
