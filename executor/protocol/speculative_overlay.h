#pragma once
// A pre-executor's own writes, not yet confirmed by the primary (docs/design.md §3, step 5: "lazy
// update"), bounded in entries and bytes. Each entry remembers which transaction wrote it and
// the digest of that transaction's effects, so that a result reading it can name its writer
// (messages.h, SpeculativeRead).
//
// Invariants: at most one entry per id (the newest write); the entry count and byte total stay
// within the bounds after every call (the oldest entries are evicted first); iteration and
// eviction order depend only on the calls made (no unordered containers).

#include <cstdint>
#include <map>

#include "executor/exec/state.h"
#include "executor/tx/effects.h"

namespace remora::executor::protocol {

struct SpeculativeEntry {
    ObjectLookup lookup;  // the object written, or a tombstone (no object) at its version
    common::Digest writer_tx;
    common::Digest writer_effects;
    std::uint64_t sequence = 0;  // insertion order, for eviction
    std::size_t bytes = 0;       // what it counts against the byte bound
};

class SpeculativeOverlay {
public:
    // REQUIRES: entries_max >= 1 and bytes_max >= 1.
    SpeculativeOverlay(std::size_t entries_max, std::size_t bytes_max);

    const SpeculativeEntry* find(const ObjectId& id) const;

    // Records the objects that successful `effects` wrote, created and deleted (aborted effects
    // change nothing). `effects_digest` is effects_digest(effects).
    void apply(const Effects& effects, const common::Digest& effects_digest);
    // Records one object (or tombstone, `lookup.object` empty) written by `writer_tx`, whose
    // effects digest is `writer_effects`, replacing the entry of its id.
    void put(const ObjectId& id, ObjectLookup lookup, const common::Digest& writer_tx,
             const common::Digest& writer_effects);

    // Drops the entry of `id` when its version is at most `confirmed`: the primary's state
    // has caught up with (or passed) the speculative write. True when an entry was dropped.
    bool drop_superseded(const ObjectId& id, Version confirmed);
    void clear();

    std::size_t size() const { return m_entries.size(); }
    std::size_t bytes() const { return m_bytes; }
    std::uint64_t evictions() const { return m_evictions; }

private:
    void erase(std::map<ObjectId, SpeculativeEntry>::iterator it);

    std::size_t m_entries_max;
    std::size_t m_bytes_max;
    std::map<ObjectId, SpeculativeEntry> m_entries;
    std::map<std::uint64_t, ObjectId> m_order;  // sequence -> id, oldest first
    std::uint64_t m_next_sequence = 0;
    std::size_t m_bytes = 0;
    std::uint64_t m_evictions = 0;
};

}  // namespace remora::executor::protocol
