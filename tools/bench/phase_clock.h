#pragma once
// The sequential benchmark's ExecutionObserver: reads steady_clock at every phase boundary and
// around every state read, and adds up the time per phase. The clock stays out of the executor
// function; the observer only ever learns which phase it is in.

#include <array>
#include <chrono>
#include <cstdint>

#include "executor/exec/execute.h"

namespace remora::tools::bench {

struct PhaseTotals {
    // Wall seconds inside each phase, state reads included (index: ExecutionPhase).
    std::array<double, executor::kExecutionPhaseCount> phase_seconds{};
    // Wall seconds of the state reads made inside each phase.
    std::array<double, executor::kExecutionPhaseCount> read_seconds{};
    std::uint64_t reads = 0;

    double total_read_seconds() const;
    double phase(executor::ExecutionPhase p) const {
        return phase_seconds[static_cast<std::size_t>(p)];
    }
    // The phase's time less the state reads made inside it.
    double phase_without_reads(executor::ExecutionPhase p) const {
        return phase_seconds[static_cast<std::size_t>(p)] -
               read_seconds[static_cast<std::size_t>(p)];
    }
};

class PhaseClock : public executor::ExecutionObserver {
public:
    void on_phase_begin(executor::ExecutionPhase phase) override;
    void on_phase_end(executor::ExecutionPhase phase) override;
    void on_read_begin() override;
    void on_read_end() override;

    const PhaseTotals& totals() const { return m_totals; }

private:
    using Clock = std::chrono::steady_clock;
    PhaseTotals m_totals;
    std::size_t m_phase = 0;
    Clock::time_point m_phase_start;
    Clock::time_point m_read_start;
};

}  // namespace remora::tools::bench
