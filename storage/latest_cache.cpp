#include "storage/latest_cache.h"

namespace remora::storage {

std::optional<CachedLatest> LatestCache::find(const ObjectId& id) const {
    auto it = m_entries.find(id);
    if (it == m_entries.end()) return std::nullopt;
    return it->second;
}

void LatestCache::put(const ObjectId& id, const CachedLatest& entry) {
    if (m_capacity == 0) return;
    if (m_entries.size() >= m_capacity && !m_entries.contains(id)) evict();
    m_entries.insert_or_assign(id, entry);
}

void LatestCache::evict() {
    std::size_t drop = m_entries.size() / 8 + 1;
    for (auto it = m_entries.begin(); it != m_entries.end() && drop > 0; --drop) {
        it = m_entries.erase(it);
    }
}

}  // namespace remora::storage
