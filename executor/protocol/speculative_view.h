#pragma once
// A pre-executor's view of state (docs/design.md §3): its speculative overlay first, then its store
// of primary-confirmed state. It remembers which reads the overlay served since the last
// begin(), so that the result can name their writers (messages.h, SpeculativeRead).

#include <map>
#include <vector>

#include "executor/exec/state.h"
#include "executor/protocol/messages.h"
#include "executor/protocol/speculative_overlay.h"

namespace remora::executor::protocol {

class SpeculativeView : public StateReader {
public:
    // REQUIRES: both outlive the view; `confirmed` reads the pre-executor's store.
    SpeculativeView(const SpeculativeOverlay& overlay, StateReader& confirmed)
        : m_overlay(overlay), m_confirmed(confirmed) {}

    common::Result<ObjectLookup> read(const ObjectId& id) override;
    common::Result<VersionLookup> read_version(const ObjectId& id) override;

    // Starts a transaction: forgets the reads recorded so far.
    void begin() { m_served.clear(); }
    // The reads the overlay served since begin(), ascending ids, with their writers.
    std::vector<SpeculativeRead> speculative_reads() const;

private:
    const SpeculativeOverlay& m_overlay;
    StateReader& m_confirmed;
    std::map<ObjectId, SpeculativeRead> m_served;
};

}  // namespace remora::executor::protocol
