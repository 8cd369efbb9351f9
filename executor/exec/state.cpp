#include "executor/exec/state.h"

namespace remora::executor {

common::Result<VersionLookup> StateReader::read_version(const ObjectId& id) {
    auto lookup = read(id);
    if (!lookup) return lookup.status();
    return VersionLookup{lookup->exists(), lookup->version};
}

common::Result<VersionLookup> InMemoryState::read_version(const ObjectId& id) {
    auto it = m_entries.find(id);
    if (it == m_entries.end()) return VersionLookup{};
    return VersionLookup{it->second.exists(), it->second.version};
}

common::Result<ObjectLookup> InMemoryState::read(const ObjectId& id) {
    auto it = m_entries.find(id);
    if (it == m_entries.end()) return ObjectLookup{};
    return it->second;
}

void InMemoryState::put(const Object& object) {
    m_entries[object.id] = ObjectLookup{object, object.version};
}

void InMemoryState::erase(const ObjectId& id, Version version) {
    m_entries[id] = ObjectLookup{std::nullopt, version};
}

}  // namespace remora::executor
