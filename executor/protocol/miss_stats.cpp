#include "executor/protocol/miss_stats.h"

#include "common/status.h"

namespace remora::executor::protocol {

const char* miss_cause_name(MissCause cause) {
    static constexpr const char* kNames[] = {
        "missing_result",   "stale_version",  "dynamic_mismatch", "authenticator_failed",
        "unconfirmed_read", "invalid_result", "foreign_executor"};
    static_assert(std::size(kNames) == kMissCauseCount);
    auto index = static_cast<std::size_t>(cause);
    return index < kMissCauseCount ? kNames[index] : "unknown";
}

bool is_state_miss(MissCause cause) {
    return cause == MissCause::kStaleVersion || cause == MissCause::kDynamicMismatch ||
           cause == MissCause::kUnconfirmedRead;
}

std::uint64_t MissCounts::total() const {
    std::uint64_t total = 0;
    for (std::uint64_t count : by_cause) total += count;
    return total;
}

MissWindow::MissWindow(std::size_t capacity) : m_ring(capacity, kHit) {
    REMORA_ASSERT(capacity >= 1);
}

void MissWindow::reset() {
    m_next = 0;
    m_size = 0;
    m_hits = 0;
    m_misses = MissCounts{};
}

std::uint64_t MissWindow::state_misses() const {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < kMissCauseCount; ++i) {
        if (is_state_miss(static_cast<MissCause>(i))) total += m_misses.by_cause[i];
    }
    return total;
}

void MissWindow::push(std::uint8_t outcome) {
    if (m_size == m_ring.size()) {  // the oldest outcome leaves the window
        std::uint8_t old = m_ring[m_next];
        if (old == kHit) {
            --m_hits;
        } else {
            --m_misses.by_cause[old];
        }
    } else {
        ++m_size;
    }
    m_ring[m_next] = outcome;
    m_next = (m_next + 1) % m_ring.size();
    if (outcome == kHit) {
        ++m_hits;
    } else {
        ++m_misses.by_cause[outcome];
    }
}

}  // namespace remora::executor::protocol
