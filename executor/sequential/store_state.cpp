#include "executor/sequential/store_state.h"

#include "executor/tx/object_codec.h"

namespace remora::executor {

common::Result<ObjectLookup> StoreState::read(const ObjectId& id) {
    auto stored = m_store.get_latest(id);
    if (!stored) return stored.status();
    if (!stored.value()) return ObjectLookup{};
    const storage::ObjectVersion& version = *stored.value();
    if (version.tombstone) return ObjectLookup{std::nullopt, version.version};
    auto object = decode_object(version.payload);
    if (!object) return object.status().with_context("stored object " + id.hex());
    if (object->id != id || object->version != version.version) {
        return common::Status{common::Code::kCorruption, "stored object " + id.hex() + " version " +
                                                             std::to_string(version.version) +
                                                             " holds another object"};
    }
    return ObjectLookup{std::move(object).value(), version.version};
}

common::Result<VersionLookup> StoreState::read_version(const ObjectId& id) {
    auto info = m_store.latest_info(id);
    if (!info) return info.status();
    if (!info.value()) return VersionLookup{};
    return VersionLookup{!info.value()->tombstone, info.value()->version};
}

}  // namespace remora::executor
