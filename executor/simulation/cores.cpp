#include "executor/simulation/cores.h"

#include <algorithm>
#include <utility>

namespace remora::executor::simulation {

void Cores::reset(std::uint32_t count, SimTimeUs now) {
    m_free_us.assign(std::max<std::uint32_t>(1, count), now);
    m_object_ready_us.clear();
}

std::size_t Cores::earliest() const {
    // The first of equal ones: the same core on the same calls.
    return static_cast<std::size_t>(std::min_element(m_free_us.begin(), m_free_us.end()) -
                                    m_free_us.begin());
}

void Cores::hold_earliest_until(SimTimeUs until) {
    SimTimeUs& core = m_free_us[earliest()];
    core = std::max(core, until);
}

SimTimeUs Cores::occupy(std::span<const protocol::PreExecResult> results, SimTimeUs cost,
                        SimTimeUs now) {
    const std::size_t core = earliest();
    SimTimeUs begin = std::max(m_free_us[core], now);
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
                                          SimTimeUs now) {
    if (m_free_us.size() == 1 || results.size() <= 1) {
        SimTimeUs cost = extra_us;
        for (SimTimeUs c : costs) cost += c;
        return std::vector<SimTimeUs>(std::max<std::size_t>(1, results.size()),
                                      occupy(results, cost, now));
    }
    // Charging a whole release to one core made a pre-executor whose holds tie several hot
    // groups together execute all of them on one core (docs/simulation.md, "Cores").
    std::vector<SimTimeUs> ends;
    ends.reserve(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        ends.push_back(
            occupy(std::span(results).subspan(i, 1), std::exchange(extra_us, 0) + costs[i], now));
    }
    return ends;
}

}  // namespace remora::executor::simulation
