#include "executor/protocol/recent_txs.h"

#include <algorithm>

#include "common/status.h"
#include "executor/protocol/limits.h"

namespace remora::executor::protocol {

RecentTxs::RecentTxs(std::size_t capacity) : m_capacity(capacity) {
    REMORA_ASSERT(capacity >= 1);
    // Buckets for the default capacity up front: no rehash while the primary fills it.
    m_entries.reserve(std::min(capacity, limits::kRecentTxsDefault));
}

void RecentTxs::add(const common::Digest& tx, const common::Digest& effects) {
    Entry entry;
    entry.effects = effects;
    insert(tx, entry);
}

std::uint64_t RecentTxs::add_pending(const common::Digest& tx, std::uint64_t epoch,
                                     std::uint32_t slot) {
    Entry entry;
    entry.pending = true;
    entry.slot = slot;
    entry.epoch = epoch;
    insert(tx, entry);
    return m_next_sequence - 1;
}

void RecentTxs::resolve(const common::Digest& tx, std::uint64_t sequence,
                        const common::Digest& effects) {
    auto it = m_entries.find(tx);
    if (it == m_entries.end() || it->second.sequence != sequence) return;
    it->second.effects = effects;
    it->second.pending = false;
}

std::optional<std::uint32_t> RecentTxs::pending_slot(const common::Digest& tx,
                                                     std::uint64_t epoch) const {
    auto it = m_entries.find(tx);
    if (it == m_entries.end() || !it->second.pending || it->second.epoch != epoch) {
        return std::nullopt;
    }
    return it->second.slot;
}

void RecentTxs::insert(const common::Digest& tx, const Entry& entry) {
    const std::uint64_t sequence = m_next_sequence++;
    Entry stored = entry;
    stored.sequence = sequence;
    m_entries.insert_or_assign(tx, stored);
    m_order.emplace_back(sequence, tx);
    while (m_order.size() > m_capacity) {
        auto [old_sequence, old_tx] = m_order.front();
        m_order.pop_front();
        // A digest committed twice keeps its newer entry.
        auto it = m_entries.find(old_tx);
        if (it != m_entries.end() && it->second.sequence == old_sequence) m_entries.erase(it);
    }
}

const common::Digest* RecentTxs::find(const common::Digest& tx) const {
    auto it = m_entries.find(tx);
    return it == m_entries.end() || it->second.pending ? nullptr : &it->second.effects;
}

}  // namespace remora::executor::protocol
