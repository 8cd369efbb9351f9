#pragma once
// The executor's narrow view of state (docs/style.md §1: executor reaches storage only through
// this). Implementations: an in-memory map (tests, genesis, per-commit overlays) and, in the
// sequential reference, the persistent store.

#include <map>
#include <optional>

#include "common/status.h"
#include "executor/tx/object.h"

namespace remora::executor {

// What a read of one id found.
struct ObjectLookup {
    std::optional<Object> object;  // the newest version when it is live
    // object: its version. No object: the version of the tombstone that deleted it, or 0 when
    // the id never held an object (the version rule needs it, executor/tx/ids.h).
    Version version = 0;

    bool exists() const { return object.has_value(); }
    bool operator==(const ObjectLookup&) const = default;
};

// The version half of an ObjectLookup: what the Remora primary's adopt check compares with a
// lookup table's read (docs/remora_protocol.md), without the object itself.
struct VersionLookup {
    bool exists = false;
    Version version = 0;  // as ObjectLookup::version: the live version, the tombstone's, or 0

    bool operator==(const VersionLookup&) const = default;
};

class StateReader {
public:
    virtual ~StateReader() = default;
    // Deterministic: the same state gives the same answer. Errors are I/O failures only (an
    // absent object is not an error).
    virtual common::Result<ObjectLookup> read(const ObjectId& id) = 0;
    // read(id) without the object: always equal to {read(id)->exists(), read(id)->version}.
    // The default calls read(); states that know versions more cheaply (the store's
    // latest-version cache, an overlay) override it.
    virtual common::Result<VersionLookup> read_version(const ObjectId& id);
};

// A complete state held in memory, ordered by id so that iteration is deterministic.
class InMemoryState : public StateReader {
public:
    common::Result<ObjectLookup> read(const ObjectId& id) override;
    common::Result<VersionLookup> read_version(const ObjectId& id) override;

    // Stores `object` as the newest version of its id.
    void put(const Object& object);
    // Records a deletion of `id` at `version` (a tombstone).
    void erase(const ObjectId& id, Version version);
    const std::map<ObjectId, ObjectLookup>& entries() const { return m_entries; }

private:
    std::map<ObjectId, ObjectLookup> m_entries;
};

}  // namespace remora::executor
