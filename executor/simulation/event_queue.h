#pragma once
// The simulation's discrete-event queue: actions ordered by (simulated time, sequence number).
// The sequence number is the order of scheduling, so two events at the same time run in the
// order they were scheduled and a run is a function of its seed alone.

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "common/random.h"

namespace remora::executor::simulation {

using SimTimeUs = std::uint64_t;  // simulated microseconds since the start of a run

class EventQueue {
public:
    void at(SimTimeUs time_us, std::function<void()> action) {
        m_events.push(Event{time_us, m_next_seq++, std::move(action)});
    }
    bool empty() const { return m_events.empty(); }
    SimTimeUs now_us() const { return m_now_us; }
    std::uint64_t executed() const { return m_executed; }

    // Runs the earliest event (advancing the clock to its time). REQUIRES: !empty().
    void run_next() {
        Event event = m_events.top();
        m_events.pop();
        m_now_us = event.time_us;
        ++m_executed;
        event.action();
    }

private:
    struct Event {
        SimTimeUs time_us = 0;
        std::uint64_t seq = 0;
        std::function<void()> action;
    };
    struct Later {
        bool operator()(const Event& a, const Event& b) const {
            return a.time_us != b.time_us ? a.time_us > b.time_us : a.seq > b.seq;
        }
    };

    std::priority_queue<Event, std::vector<Event>, Later> m_events;
    SimTimeUs m_now_us = 0;
    std::uint64_t m_next_seq = 0;
    std::uint64_t m_executed = 0;
};

// The simulation's only source of randomness (one seed per run): SplitMix64, drawn with
// common::at_most_modulo and common::chance_if_possible, the draws its recorded seeds were
// found with.
using SimRng = common::SplitMix64;

}  // namespace remora::executor::simulation
