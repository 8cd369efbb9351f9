#pragma once
// A simulated pre-executor's cores (SimulationConfig::pre_executor_cores; docs/simulation.md,
// "Cores"): when each is free, and when the last work on the node that wrote each object ends.
// The engine still executes in arrival order (its state is that of one thread); the clock lets
// work that reads or writes no object unfinished work writes run on another core, so a node's
// results leave in arrival order per written object and in any order across objects.

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "executor/protocol/messages.h"
#include "executor/simulation/event_queue.h"
#include "executor/tx/object.h"

namespace remora::executor::simulation {

// Above this many remembered objects, those whose work has ended are forgotten. (At most
// `cores` pieces of work are ever unfinished, so what stays is bounded by their objects.)
inline constexpr std::size_t kObjectReadyPruneAt = std::size_t{1} << 14;

class Cores {
public:
    // `count` cores (at least 1), all free at `now`; nothing remembered.
    void reset(std::uint32_t count, SimTimeUs now);
    std::size_t count() const { return m_free_us.size(); }
    // When the first core is free.
    SimTimeUs earliest_free_us() const { return m_free_us[earliest()]; }
    // Keeps the earliest free core busy until at least `until` (bookkeeping that touches no
    // object; `serial`: on the one thread, below).
    void hold_earliest_until(SimTimeUs until, bool serial = false);
    // Occupies the earliest free core with `cost` of work on `results`, from when that core, the
    // clock and every object the results read or write are ready (the unfinished work that
    // wrote it on this node has ended); returns when the work ends (when its results leave).
    // With one core: max(core free, now) + cost. `serial`: the work runs on the node's one
    // thread for cheap work (the node runs a cheap transaction one at a time, not speculated),
    // so it also waits for the serial work before it; costly work runs beside it.
    SimTimeUs occupy(std::span<const protocol::PreExecResult> results, SimTimeUs cost,
                     SimTimeUs now, bool serial = false);

    // A node's work of one moment: `results` (a transaction with the held ones it released, or
    // replacements), `costs[i]` being results[i]'s, plus `extra_us` of bookkeeping. With one
    // core it is one piece, all of whose results leave when it ends; with several, each result
    // is its own piece (the bookkeeping with the first), so results on disjoint objects run side
    // by side and each leaves when it is done. Returns when each result leaves; with no results,
    // the bookkeeping still occupies a core. With `parallel_min_us` > 0, a piece whose results
    // cost less (and bookkeeping alone) is serial (occupy's `serial`: the node speculates only
    // costly transactions); 0: every piece may run beside others. REQUIRES: costs.size() ==
    // results.size().
    std::vector<SimTimeUs> occupy_each(const std::vector<protocol::PreExecResult>& results,
                                       const std::vector<SimTimeUs>& costs, SimTimeUs extra_us,
                                       SimTimeUs now, SimTimeUs parallel_min_us = 0);

private:
    std::size_t earliest() const;

    std::vector<SimTimeUs> m_free_us = {0};           // one per core
    SimTimeUs m_serial_free_us = 0;                   // when the serial work so far ends
    std::map<ObjectId, SimTimeUs> m_object_ready_us;  // written objects, with several cores
};

}  // namespace remora::executor::simulation
