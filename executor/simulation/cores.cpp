#include "executor/simulation/cores.h"

#include <algorithm>
#include <utility>

namespace remora::executor::simulation {

void Cores::reset(std::uint32_t count, SimTimeUs now) {
    m_free_us.assign(std::max<std::uint32_t>(1, count), now);
    m_serial_free_us = now;
    m_object_ready_us.clear();
}

std::size_t Cores::earliest() const {
    // The first of equal ones: the same core on the same calls.
    return static_cast<std::size_t>(std::min_element(m_free_us.begin(), m_free_us.end()) -
                                    m_free_us.begin());
}

void Cores::hold_earliest_until(SimTimeUs until, bool serial) {
    SimTimeUs& core = m_free_us[earliest()];
    core = std::max(core, until);
    if (serial) m_serial_free_us = std::max(m_serial_free_us, until);
}

SimTimeUs Cores::occupy(std::span<const protocol::PreExecResult> results, SimTimeUs cost,
                        SimTimeUs now, bool serial) {
    const std::size_t core = earliest();
    SimTimeUs begin = std::max(m_free_us[core], now);
    if (serial) begin = std::max(begin, m_serial_free_us);
    // Waits for the unfinished work that wrote an object these results read or write; records
    // what they write. (Reads of an object nobody writes, such as a package, never wait.)
    auto each_written = [&results](auto&& visit) {
        for (const protocol::PreExecResult& r : results) {
            for (const Object& o : r.effects.written) visit(o.id);
            for (const Object& o : r.effects.created) visit(o.id);
            for (const DeletedObject& d : r.effects.deleted) visit(d.id);
        }
    };
    const bool several = m_free_us.size() > 1;
    if (several) {
        auto wait_for = [&](const ObjectId& id) {
            auto found = m_object_ready_us.find(id);
            if (found != m_object_ready_us.end()) begin = std::max(begin, found->second);
        };
        for (const protocol::PreExecResult& r : results) {
            for (const ObjectRead& read : r.table.reads) wait_for(read.id);
        }
        each_written(wait_for);
    }
    const SimTimeUs end = begin + cost;
    m_free_us[core] = end;
    if (serial) m_serial_free_us = end;
    if (several) {
        if (m_object_ready_us.size() >= kObjectReadyPruneAt) {
            std::erase_if(m_object_ready_us,
                          [now](const auto& entry) { return entry.second <= now; });
        }
        each_written([&](const ObjectId& id) {
            SimTimeUs& ready = m_object_ready_us[id];
            ready = std::max(ready, end);
        });
    }
    return end;
}

std::vector<SimTimeUs> Cores::occupy_each(const std::vector<protocol::PreExecResult>& results,
                                          const std::vector<SimTimeUs>& costs, SimTimeUs extra_us,
                                          SimTimeUs now, SimTimeUs parallel_min_us) {
    if (m_free_us.size() == 1 || results.size() <= 1) {
        SimTimeUs work = 0;
        for (SimTimeUs c : costs) work += c;
        return std::vector<SimTimeUs>(
            std::max<std::size_t>(1, results.size()),
            occupy(results, extra_us + work, now, work < parallel_min_us));
    }
    // Charging a whole release to one core made a pre-executor whose holds tie several hot
    // groups together execute all of them on one core (docs/simulation.md, "Cores").
    std::vector<SimTimeUs> ends;
    ends.reserve(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        ends.push_back(occupy(std::span(results).subspan(i, 1),
                              std::exchange(extra_us, 0) + costs[i], now,
                              costs[i] < parallel_min_us));
    }
    return ends;
}

}  // namespace remora::executor::simulation
