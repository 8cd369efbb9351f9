#pragma once
// SplitMix64: a tiny seeded generator whose output is the same on every platform and compiler
// (std:: distributions are not), so a benchmark seed names one workload everywhere.

#include <cstdint>

namespace remora::tools::bench {

class SeededRng {
public:
    explicit SeededRng(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next_u64() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Uniform in [0, bound) by multiply-shift (bias below 2^-64 * bound, irrelevant here).
    // REQUIRES: bound > 0.
    std::uint64_t below(std::uint64_t bound) {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next_u64()) * bound) >>
                                          64);
    }

    // True with probability `p` (p in [0, 1]).
    bool chance(double p) { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53 < p; }

private:
    std::uint64_t m_state;
};

}  // namespace remora::tools::bench
