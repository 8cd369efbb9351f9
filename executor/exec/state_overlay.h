#pragma once
// Applying effects to a state. The sequential reference executes a commit's transactions in
// order, each seeing the effects of the ones before it: it layers a StateOverlay over the
// persistent store, applies each transaction's effects to the overlay, and finally writes the
// overlay's changes in one batch.

#include <map>

#include "common/status.h"
#include "executor/exec/state.h"
#include "executor/tx/effects.h"

namespace remora::executor {

// Applies successful effects: written and created objects become their ids' newest versions,
// deleted ids get a tombstone at the effects' version. Aborted effects change nothing (they
// carry no objects anyway).
void apply_effects(InMemoryState& state, const Effects& effects);

// A StateReader that answers from the changes applied to it and falls back to `base` for every
// other id. Invariant: `changes()` holds, per id, the newest live object or tombstone that
// apply() produced; ids never applied are read from the base.
class StateOverlay : public StateReader {
public:
    // REQUIRES: `base` outlives the overlay and does not change while it is in use.
    explicit StateOverlay(StateReader& base) : m_base(base) {}

    common::Result<ObjectLookup> read(const ObjectId& id) override;
    // From the changes, else the base's read_version (cheap when the base's is).
    common::Result<VersionLookup> read_version(const ObjectId& id) override;

    // Layers successful effects over the current view (as apply_effects does).
    void apply(const Effects& effects);

    // Every id changed since construction or clear(), ordered by id.
    const std::map<ObjectId, ObjectLookup>& changes() const { return m_changes; }
    void clear() { m_changes.clear(); }

private:
    StateReader& m_base;
    std::map<ObjectId, ObjectLookup> m_changes;
};

}  // namespace remora::executor
