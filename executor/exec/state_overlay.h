#pragma once
// Applying effects to a state. The sequential reference executes a commit's transactions in
// order, each seeing the effects of the ones before it: it layers a StateOverlay over the
// persistent store, applies each transaction's effects to the overlay, and finally writes the
// overlay's changes in one batch.

#include <unordered_map>
#include <utility>
#include <vector>

#include "common/keyed_hash.h"
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

    using Change = std::pair<const ObjectId, ObjectLookup>;
    // Every id changed since construction or clear(), ordered by id; the pointers stay valid
    // until the overlay changes.
    std::vector<const Change*> changes() const;
    std::size_t change_count() const { return m_changes.size(); }
    void clear() { m_changes.clear(); }

private:
    StateReader& m_base;
    // Looked up per read and per applied object; ordered only when asked for (changes()).
    std::unordered_map<ObjectId, ObjectLookup, common::KeyedHash256> m_changes;
};

}  // namespace remora::executor
