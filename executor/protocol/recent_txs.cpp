#include "executor/protocol/recent_txs.h"

#include <algorithm>

#include "common/status.h"
#include "executor/protocol/limits.h"

namespace remora::executor::protocol {
namespace {

constexpr std::size_t kIndexSlotsMin = 16;

// Slots for `entries` at most half full, a power of two.
std::size_t slots_for(std::size_t entries) {
    std::size_t slots = kIndexSlotsMin;
    while (slots < 2 * entries) slots *= 2;
    return slots;
}

}  // namespace

RecentTxs::RecentTxs(std::size_t capacity, std::uint64_t hash_key)
    : m_capacity(capacity), m_hasher(hash_key) {
    REMORA_ASSERT(capacity >= 1);
    REMORA_ASSERT(capacity <= limits::kRecentTxsMax);  // ring positions fit the index's 32 bits
    // Room for the default capacity up front: no rehash while the primary fills it.
    const std::size_t expected = std::min(capacity, limits::kRecentTxsDefault);
    m_ring.reserve(expected);
    m_index.assign(slots_for(expected), IndexSlot{});
    m_mask = m_index.size() - 1;
}

std::uint32_t RecentTxs::hash(const common::Digest& tx) const {
    const std::uint64_t h = m_hasher(tx);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::size_t RecentTxs::probe(const common::Digest& tx, std::uint32_t h) const {
    for (std::size_t i = h & m_mask;; i = (i + 1) & m_mask) {
        const IndexSlot& slot = m_index[i];
        if (slot.position_plus_one == 0) return i;
        if (slot.hash == h && m_ring[slot.position_plus_one - 1].tx == tx) return i;
    }
}

const RecentTxs::Entry* RecentTxs::find_entry(const common::Digest& tx) const {
    const IndexSlot& slot = m_index[probe(tx, hash(tx))];
    return slot.position_plus_one == 0 ? nullptr : &m_ring[slot.position_plus_one - 1];
}

void RecentTxs::add(const common::Digest& tx, const common::Digest& effects) {
    Entry entry;
    entry.tx = tx;
    entry.effects = effects;
    insert(entry);
}

std::uint64_t RecentTxs::add_pending(const common::Digest& tx, std::uint64_t epoch,
                                     std::uint32_t slot) {
    Entry entry;
    entry.tx = tx;
    entry.pending = true;
    entry.slot = slot;
    entry.epoch = epoch;
    insert(entry);
    return m_next_sequence - 1;
}

void RecentTxs::resolve(const common::Digest& tx, std::uint64_t sequence,
                        const common::Digest& effects) {
    if (sequence >= m_next_sequence || m_next_sequence - sequence > m_capacity) return;
    Entry& entry = m_ring[sequence % m_capacity];
    // An entry superseded by a newer one of its digest is out of the index: what it holds is
    // never read again, so resolving it changes nothing.
    if (entry.sequence != sequence || entry.tx != tx) return;
    entry.effects = effects;
    entry.pending = false;
}

std::optional<std::uint32_t> RecentTxs::pending_slot(const common::Digest& tx,
                                                     std::uint64_t epoch) const {
    const Entry* entry = find_entry(tx);
    if (entry == nullptr || !entry->pending || entry->epoch != epoch) return std::nullopt;
    return entry->slot;
}

const common::Digest* RecentTxs::find(const common::Digest& tx) const {
    const Entry* entry = find_entry(tx);
    return entry == nullptr || entry->pending ? nullptr : &entry->effects;
}

void RecentTxs::insert(const Entry& entry) {
    const std::uint64_t sequence = m_next_sequence++;
    const auto position = static_cast<std::uint32_t>(sequence % m_capacity);
    if (position < m_ring.size()) {
        unindex(m_ring[position].tx, position);  // the oldest entry is forgotten
        m_ring[position] = entry;
    } else {
        m_ring.push_back(entry);
    }
    m_ring[position].sequence = sequence;
    const std::uint32_t h = hash(entry.tx);
    IndexSlot& slot = m_index[probe(entry.tx, h)];
    if (slot.position_plus_one != 0) {  // committed again: the newer entry answers for it
        slot.position_plus_one = position + 1;
        return;
    }
    slot = IndexSlot{position + 1, h};
    if (2 * ++m_size > m_index.size()) grow_index();
}

void RecentTxs::unindex(const common::Digest& tx, std::uint32_t position) {
    std::size_t hole = probe(tx, hash(tx));
    if (m_index[hole].position_plus_one != position + 1) return;  // absent, or a newer entry's
    // Backward shift: move up every later slot of the run that may sit at or before the hole.
    for (std::size_t next = (hole + 1) & m_mask; m_index[next].position_plus_one != 0;
         next = (next + 1) & m_mask) {
        const std::size_t home = m_index[next].hash & m_mask;
        // `next` may move to `hole` when its home is not strictly between hole and next.
        const bool stays =
            hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
        if (stays) continue;
        m_index[hole] = m_index[next];
        hole = next;
    }
    m_index[hole] = IndexSlot{};
    --m_size;
}

void RecentTxs::grow_index() {
    std::vector<IndexSlot> old(m_index.size() * 2, IndexSlot{});
    old.swap(m_index);
    m_mask = m_index.size() - 1;
    for (const IndexSlot& slot : old) {
        if (slot.position_plus_one == 0) continue;
        std::size_t i = slot.hash & m_mask;
        while (m_index[i].position_plus_one != 0) i = (i + 1) & m_mask;
        m_index[i] = slot;
    }
}

}  // namespace remora::executor::protocol
