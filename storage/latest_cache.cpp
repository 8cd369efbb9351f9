#include "storage/latest_cache.h"

#include <cstring>

#include "common/status.h"

namespace remora::storage {
namespace {

constexpr std::size_t kInitialSlots = 1024;

}  // namespace

LatestCache::LatestCache(std::size_t capacity_entries) : m_capacity(capacity_entries) {
    if (m_capacity > 0) m_slots.resize(kInitialSlots);
}

std::size_t LatestCache::home(const ObjectId& id) const {
    std::uint64_t h = 0;
    std::memcpy(&h, id.bytes.data(), sizeof(h));
    return static_cast<std::size_t>(h) & (m_slots.size() - 1);
}

const CachedLatest* LatestCache::find(const ObjectId& id) const {
    if (m_slots.empty()) return nullptr;
    const std::size_t mask = m_slots.size() - 1;
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
    if (const CachedLatest* existing = find(id)) {
        *const_cast<CachedLatest*>(existing) = entry;
        return;
    }
    if (m_size >= m_capacity) evict_one();
    if ((m_size + 1) * 2 > m_slots.size()) grow();
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = home(id);
    while (m_slots[i].used) i = (i + 1) & mask;
    m_slots[i] = Slot{id, entry, true};
    ++m_size;
}

void LatestCache::grow() {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.size() * 2, Slot{});
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& slot : old) {
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
    const std::size_t mask = m_slots.size() - 1;
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
