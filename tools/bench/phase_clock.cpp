#include "tools/bench/phase_clock.h"

namespace remora::tools::bench {
namespace {

double seconds_between(std::chrono::steady_clock::time_point start,
                       std::chrono::steady_clock::time_point end) {
    return std::chrono::duration<double>(end - start).count();
}

}  // namespace

double PhaseTotals::total_read_seconds() const {
    double sum = 0;
    for (double s : read_seconds) sum += s;
    return sum;
}

void PhaseClock::on_phase_begin(executor::ExecutionPhase phase) {
    m_phase = static_cast<std::size_t>(phase);
    REMORA_ASSERT(m_phase < executor::kExecutionPhaseCount);
    m_phase_start = Clock::now();
}

void PhaseClock::on_phase_end(executor::ExecutionPhase phase) {
    REMORA_ASSERT(static_cast<std::size_t>(phase) == m_phase);
    m_totals.phase_seconds[m_phase] += seconds_between(m_phase_start, Clock::now());
}

void PhaseClock::on_read_begin() { m_read_start = Clock::now(); }

void PhaseClock::on_read_end() {
    m_totals.read_seconds[m_phase] += seconds_between(m_read_start, Clock::now());
    ++m_totals.reads;
}

}  // namespace remora::tools::bench
