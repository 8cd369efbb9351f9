#include "executor/protocol/speculative_overlay.h"

#include <utility>

#include "executor/protocol/limits.h"

namespace remora::executor::protocol {
namespace {

std::size_t entry_bytes(const ObjectLookup& lookup) {
    std::size_t bytes = limits::kOverlayEntryOverheadBytes;
    if (lookup.object) bytes += lookup.object->contents.size() + lookup.object->type_tag.size();
    return bytes;
}

}  // namespace

SpeculativeOverlay::SpeculativeOverlay(std::size_t entries_max, std::size_t bytes_max)
    : m_entries_max(entries_max), m_bytes_max(bytes_max) {
    REMORA_ASSERT(entries_max >= 1 && bytes_max >= 1);
}

const SpeculativeEntry* SpeculativeOverlay::find(const ObjectId& id) const {
    auto it = m_entries.find(id);
    return it == m_entries.end() ? nullptr : &it->second;
}

void SpeculativeOverlay::apply(const Effects& effects, const common::Digest& effects_digest) {
    if (!effects.status.is_success()) return;
    for (const auto* list : {&effects.written, &effects.created}) {
        for (const Object& object : *list) {
            put(object.id, ObjectLookup{object, object.version}, effects.tx_digest, effects_digest);
        }
    }
    for (const DeletedObject& deleted : effects.deleted) {
        put(deleted.id, ObjectLookup{std::nullopt, deleted.version}, effects.tx_digest,
            effects_digest);
    }
}

bool SpeculativeOverlay::drop_superseded(const ObjectId& id, Version confirmed) {
    auto it = m_entries.find(id);
    if (it == m_entries.end() || it->second.lookup.version > confirmed) return false;
    erase(it);
    return true;
}

void SpeculativeOverlay::clear() {
    m_entries.clear();
    m_order.clear();
    m_bytes = 0;
}

void SpeculativeOverlay::put(const ObjectId& id, ObjectLookup lookup,
                             const common::Digest& writer_tx,
                             const common::Digest& writer_effects) {
    auto existing = m_entries.find(id);
    if (existing != m_entries.end()) erase(existing);
    SpeculativeEntry entry{std::move(lookup), writer_tx, writer_effects, m_next_sequence++, 0};
    entry.bytes = entry_bytes(entry.lookup);
    m_bytes += entry.bytes;
    m_order.emplace(entry.sequence, id);
    m_entries.emplace(id, std::move(entry));
    // Evict the oldest until both bounds hold (the entry just added may go too, if alone it
    // exceeds the byte bound).
    while (m_entries.size() > m_entries_max || m_bytes > m_bytes_max) {
        erase(m_entries.find(m_order.begin()->second));
        ++m_evictions;
    }
}

void SpeculativeOverlay::erase(std::map<ObjectId, SpeculativeEntry>::iterator it) {
    m_bytes -= it->second.bytes;
    m_order.erase(it->second.sequence);
    m_entries.erase(it);
}

}  // namespace remora::executor::protocol
