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
    const std::uint64_t sequence = m_next_sequence++;
    m_entries.insert_or_assign(tx, Entry{effects, sequence});
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
    return it == m_entries.end() ? nullptr : &it->second.effects;
}

}  // namespace remora::executor::protocol
