#pragma once
// Why the primary could not adopt a pre-executed result (docs/design.md §3), and the statistics it
// keeps per pre-executor over a sliding window of the last W transactions attributed to it.
// The counters are plain values so that metrics exporters copy them without locking.

#include <array>
#include <cstdint>
#include <vector>

#include "executor/protocol/messages.h"

namespace remora::executor::protocol {

// Append-only (the numbers index counters and may appear in metrics).
enum class MissCause : std::uint8_t {
    kMissingResult = 0,        // no result when the transaction was ordered: late, lost, none
    kStaleVersion = 1,         // a declared read's version or presence differs from the primary's
    kDynamicMismatch = 2,      // a dynamic read (package, child, created id) differs
    kAuthenticatorFailed = 3,  // the table marks an authenticator Failed (never trusted)
    kUnconfirmedRead = 4,      // a speculative read whose writer is not committed as assumed
    kInvalidResult = 5,        // the result contradicts the transaction or itself
    kForeignExecutor = 6,      // produced under another executor identity (rules, gas, packages)
};
inline constexpr std::size_t kMissCauseCount = 7;

// "missing_result", "stale_version", "dynamic_mismatch", "authenticator_failed",
// "unconfirmed_read", "invalid_result", "foreign_executor" (metric label values).
const char* miss_cause_name(MissCause cause);

// Misses a state update can repair: the pre-executor's state was behind the primary's.
bool is_state_miss(MissCause cause);

struct MissCounts {
    std::array<std::uint64_t, kMissCauseCount> by_cause{};

    std::uint64_t operator[](MissCause cause) const {
        return by_cause[static_cast<std::size_t>(cause)];
    }
    void add(MissCause cause) { ++by_cause[static_cast<std::size_t>(cause)]; }
    std::uint64_t total() const;
    bool operator==(const MissCounts&) const = default;
};

// The outcomes of the last `capacity` transactions attributed to one pre-executor (a ring).
class MissWindow {
public:
    // REQUIRES: capacity >= 1.
    explicit MissWindow(std::size_t capacity);

    void record_hit() { push(kHit); }
    void record_miss(MissCause cause) { push(static_cast<std::uint8_t>(cause)); }
    void reset();

    std::size_t size() const { return m_size; }
    std::uint64_t hits() const { return m_hits; }
    const MissCounts& misses() const { return m_misses; }
    std::uint64_t state_misses() const;

private:
    static constexpr std::uint8_t kHit = 0xff;
    void push(std::uint8_t outcome);

    std::vector<std::uint8_t> m_ring;
    std::size_t m_next = 0;
    std::size_t m_size = 0;
    std::uint64_t m_hits = 0;
    MissCounts m_misses;
};

}  // namespace remora::executor::protocol
