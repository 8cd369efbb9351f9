#include "executor/exec/state_overlay.h"

#include <algorithm>

namespace remora::executor {
namespace {

// Calls put(object) for each written and created object and erase(id, version) for each
// deleted one. Aborted effects have none of the three (validate_effects does not require it,
// so the status is checked as well).
template <typename Put, typename Erase>
void for_each_change(const Effects& effects, Put put, Erase erase) {
    if (!effects.status.is_success()) return;
    for (const Object& object : effects.written) put(object);
    for (const Object& object : effects.created) put(object);
    for (const DeletedObject& deleted : effects.deleted) erase(deleted.id, deleted.version);
}

}  // namespace

void apply_effects(InMemoryState& state, const Effects& effects) {
    for_each_change(
        effects, [&](const Object& object) { state.put(object); },
        [&](const ObjectId& id, Version version) { state.erase(id, version); });
}

common::Result<ObjectLookup> StateOverlay::read(const ObjectId& id) {
    auto it = m_changes.find(id);
    if (it != m_changes.end()) return it->second;
    return m_base.read(id);
}

common::Result<VersionLookup> StateOverlay::read_version(const ObjectId& id) {
    auto it = m_changes.find(id);
    if (it != m_changes.end()) return VersionLookup{it->second.exists(), it->second.version};
    return m_base.read_version(id);
}

std::vector<const StateOverlay::Change*> StateOverlay::changes() const {
    std::vector<const Change*> sorted;
    sorted.reserve(m_changes.size());
    for (const Change& change : m_changes) sorted.push_back(&change);
    std::sort(sorted.begin(), sorted.end(),
              [](const Change* a, const Change* b) { return a->first < b->first; });
    return sorted;
}

void StateOverlay::apply(const Effects& effects) {
    for_each_change(
        effects,
        [&](const Object& object) {
            m_changes.insert_or_assign(object.id, ObjectLookup{object, object.version});
        },
        [&](const ObjectId& id, Version version) {
            m_changes.insert_or_assign(id, ObjectLookup{std::nullopt, version});
        });
}

}  // namespace remora::executor
