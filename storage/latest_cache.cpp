#include "storage/latest_cache.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

#include "common/status.h"

namespace remora::storage {
namespace {

constexpr std::size_t kInitialSlots = 1024;
constexpr std::size_t kHugePageBytes = 2u << 20;

}  // namespace

void LatestCache::FreeDeleter::operator()(Slot* slots) const { std::free(slots); }

LatestCache::SlotArray LatestCache::allocate(std::size_t slot_count) {
    static_assert(std::is_trivially_copyable_v<Slot>);
    std::size_t bytes = slot_count * sizeof(Slot);
    void* memory = nullptr;
    if (bytes >= kHugePageBytes) {
        bytes = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
        memory = std::aligned_alloc(kHugePageBytes, bytes);
        // Advisory: without huge pages the table still works, only with more page faults.
        if (memory != nullptr) (void)madvise(memory, bytes, MADV_HUGEPAGE);
    } else {
        memory = std::malloc(bytes);
    }
    if (memory == nullptr) throw std::bad_alloc();
    std::memset(memory, 0, bytes);
    return SlotArray(static_cast<Slot*>(memory));
}

LatestCache::LatestCache(std::size_t capacity_entries) : m_capacity(capacity_entries) {
    if (m_capacity > 0) {
        m_slot_count = kInitialSlots;
        m_slots = allocate(m_slot_count);
    }
}

std::size_t LatestCache::home(const ObjectId& id) const {
    std::uint64_t h = 0;
    std::memcpy(&h, id.bytes.data(), sizeof(h));
    return static_cast<std::size_t>(h) & (m_slot_count - 1);
}

void LatestCache::clear() {
    if (m_slot_count > 0) std::memset(static_cast<void*>(m_slots.get()), 0, m_slot_count * sizeof(Slot));
    m_size = 0;
    m_complete = false;
}

bool LatestCache::needs_growth() const { return (m_size + 1) * 10 > m_slot_count * 7; }

const CachedLatest* LatestCache::find(const ObjectId& id) const {
    if (m_slot_count == 0) return nullptr;
    const std::size_t mask = m_slot_count - 1;
    for (std::size_t i = home(id);; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (!slot.used) return nullptr;
        if (slot.id == id) return &slot.entry;
    }
}

void LatestCache::put(const ObjectId& id, const CachedLatest& entry) {
    if (m_capacity == 0) {
        m_complete = false;
        return;
    }
    // One probe finds the entry or the free slot where it belongs.
    std::size_t mask = m_slot_count - 1;
    std::size_t i = home(id);
    for (; m_slots[i].used; i = (i + 1) & mask) {
        if (m_slots[i].id == id) {
            m_slots[i].entry = entry;
            return;
        }
    }
    if (m_size >= m_capacity || needs_growth()) {
        // Making room moves entries: probe again afterwards.
        if (m_size >= m_capacity) evict_one();
        if (needs_growth()) grow();
        mask = m_slot_count - 1;
        i = home(id);
        while (m_slots[i].used) i = (i + 1) & mask;
    }
    m_slots[i] = Slot{id, entry, true};
    ++m_size;
}

void LatestCache::grow() {
    SlotArray old = std::move(m_slots);
    const std::size_t old_count = m_slot_count;
    m_slot_count *= 2;
    m_slots = allocate(m_slot_count);
    const std::size_t mask = m_slot_count - 1;
    for (std::size_t k = 0; k < old_count; ++k) {
        const Slot& slot = old[k];
        if (!slot.used) continue;
        std::size_t i = home(slot.id);
        while (m_slots[i].used) i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

void LatestCache::evict_one() {
    // A rotating cursor picks the victim: which entry goes does not matter for correctness.
    REMORA_ASSERT(m_size > 0);
    m_complete = false;
    const std::size_t mask = m_slot_count - 1;
    std::size_t hole = m_evict_cursor & mask;
    while (!m_slots[hole].used) hole = (hole + 1) & mask;
    m_evict_cursor = hole + 1;
    m_slots[hole].used = false;
    --m_size;
    // Backward shift: move later members of the probe run into the hole when their home
    // position allows it, so lookups never stop early at the freed slot.
    for (std::size_t j = (hole + 1) & mask; m_slots[j].used; j = (j + 1) & mask) {
        std::size_t want = home(m_slots[j].id);
        bool movable = ((j - want) & mask) >= ((j - hole) & mask);
        if (movable) {
            m_slots[hole] = m_slots[j];
            m_slots[j].used = false;
            hole = j;
        }
    }
}

}  // namespace remora::storage
