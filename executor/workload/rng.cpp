#include "executor/workload/rng.h"

#include "common/status.h"

namespace remora::executor::workload {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
    std::uint64_t state = seed;
    for (auto& word : m_state) word = splitmix64(state);
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = rotl(m_state[3], 45);
    return result;
}

std::uint64_t Rng::uniform(std::uint64_t bound) {
    REMORA_ASSERT(bound > 0);
    // Rejection sampling: draws below `threshold` would make small results more likely.
    const std::uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        std::uint64_t r = next_u64();
        if (r >= threshold) return r % bound;
    }
}

std::uint64_t Rng::between(std::uint64_t low, std::uint64_t high) {
    REMORA_ASSERT(low <= high);
    if (high - low == UINT64_MAX) return next_u64();
    return low + uniform(high - low + 1);
}

double Rng::unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t state = seed;
    std::uint64_t a = splitmix64(state);
    state = a ^ stream;
    return splitmix64(state);
}

}  // namespace remora::executor::workload
