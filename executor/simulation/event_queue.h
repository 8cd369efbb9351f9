#pragma once
// The simulation's discrete-event queue: actions ordered by (simulated time, sequence number).
// The sequence number is the order of scheduling, so two events at the same time run in the
// order they were scheduled and a run is a function of its seed alone.

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

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

// SplitMix64: the simulation's only source of randomness (one seed per run).
class SimRng {
public:
    explicit SimRng(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound]; 0 when bound is 0.
    std::uint64_t upto(std::uint64_t bound) { return bound == 0 ? 0 : next() % (bound + 1); }
    // True with probability `p`.
    bool chance(double p) { return p > 0 && (next() >> 11) * 0x1.0p-53 < p; }

private:
    std::uint64_t m_state;
};

}  // namespace remora::executor::simulation
