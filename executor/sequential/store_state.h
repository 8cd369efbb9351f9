#pragma once
// The executor's state interface over the persistent store: an object's newest version, its
// tombstone, or nothing. Payloads are Object FlatBuffers (executor/tx/object_codec.h).

#include "executor/exec/state.h"
#include "storage/store.h"

namespace remora::executor {

class StoreState : public StateReader {
public:
    // REQUIRES: `store` outlives this object.
    explicit StoreState(storage::Store& store) : m_store(store) {}

    // kCorruption when a stored payload does not decode or names another id or version.
    common::Result<ObjectLookup> read(const ObjectId& id) override;
    // From Store::latest_info: the latest-version cache, no payload read or decode.
    common::Result<VersionLookup> read_version(const ObjectId& id) override;

private:
    storage::Store& m_store;
};

}  // namespace remora::executor
