#include "executor/protocol/speculative_view.h"

namespace remora::executor::protocol {

common::Result<ObjectLookup> SpeculativeView::read(const ObjectId& id) {
    const SpeculativeEntry* entry = m_overlay.find(id);
    if (entry == nullptr) return m_confirmed.read(id);
    m_served.insert_or_assign(
        id, SpeculativeRead{id, entry->lookup.version, entry->writer_tx, entry->writer_effects});
    return entry->lookup;
}

common::Result<VersionLookup> SpeculativeView::read_version(const ObjectId& id) {
    const SpeculativeEntry* entry = m_overlay.find(id);
    if (entry == nullptr) return m_confirmed.read_version(id);
    return VersionLookup{entry->lookup.exists(), entry->lookup.version};
}

std::vector<SpeculativeRead> SpeculativeView::speculative_reads() const {
    std::vector<SpeculativeRead> reads;
    reads.reserve(m_served.size());
    for (const auto& [id, read] : m_served) reads.push_back(read);
    return reads;
}

}  // namespace remora::executor::protocol
