#pragma once
// Seeded random numbers whose streams are the same on every platform and compiler: two
// generators (SplitMix64, and xoshiro256** seeded through it) and the bounded draws the
// project uses, each named after its algorithm. <random>'s distributions are not used because
// the standard leaves their algorithms to the library; its engines (std::mt19937_64) are fully
// specified and work with every draw here.
//
// The draws are different algorithms on purpose, not by accident: each reproduces a stream
// that something pins (the workload's digests, the simulation's recorded seeds, a benchmark's
// named workload), so a caller picks the one its stream was made with and never swaps it.
//   below_modulo          r % n: biased towards small results when n does not divide 2^64.
//   below_modulo_or_zero  below_modulo, or 0 without a draw when n is 0.
//   below_unbiased        rejection sampling, then r % n: exactly uniform, draws one or more.
//   below_multiply_shift  (r * n) >> 64: one draw, bias below n / 2^64.
//   at_most_modulo        [0, bound] by modulo; draws nothing when bound is 0.
//   chance                draws once, always (also for p <= 0 or p >= 1).
//   chance_if_possible    draws nothing when p <= 0.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "common/status.h"

namespace remora::common {

// One step of SplitMix64 from `state` (advanced): Steele, Lea and Flood's finaliser.
constexpr std::uint64_t splitmix64_step(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// The first SplitMix64 output from state `x`: spreads neighbouring values (a seed and a stream
// or index number) into unrelated seeds.
constexpr std::uint64_t splitmix64_mix(std::uint64_t x) { return splitmix64_step(x); }

// One seed from a seed and a stream (or index) number, so that each stream gets an independent
// seed from one seed: splitmix64_mix(splitmix64_mix(seed) ^ stream).
constexpr std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
    return splitmix64_mix(splitmix64_mix(seed) ^ stream);
}

// A source of 64 uniform bits per call (our generators and std::mt19937_64).
template <typename G>
concept Bits64 = requires(G& g) {
    { g() } -> std::same_as<std::uint64_t>;
};

// SplitMix64 (a 64-bit state). A UniformRandomBitGenerator.
class SplitMix64 {
public:
    using result_type = std::uint64_t;
    explicit constexpr SplitMix64(std::uint64_t seed) : m_state(seed) {}
    constexpr std::uint64_t operator()() { return splitmix64_step(m_state); }
    static constexpr std::uint64_t min() { return 0; }
    static constexpr std::uint64_t max() { return std::numeric_limits<std::uint64_t>::max(); }

private:
    std::uint64_t m_state;
};

// xoshiro256** (Blackman and Vigna), its four words drawn from SplitMix64(seed). A
// UniformRandomBitGenerator.
class Xoshiro256StarStar {
public:
    using result_type = std::uint64_t;
    explicit constexpr Xoshiro256StarStar(std::uint64_t seed) {
        SplitMix64 seeder(seed);
        for (auto& word : m_state) word = seeder();
    }
    constexpr std::uint64_t operator()() {
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
    static constexpr std::uint64_t min() { return 0; }
    static constexpr std::uint64_t max() { return std::numeric_limits<std::uint64_t>::max(); }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t m_state[4] = {};
};

// In [0, n) as r % n (biased when n does not divide 2^64). REQUIRES: n > 0.
template <Bits64 G>
std::uint64_t below_modulo(G& bits, std::uint64_t n) {
    REMORA_ASSERT(n > 0);
    return bits() % n;
}

// below_modulo, or 0 without a draw when n is 0 (a random index into a possibly empty table).
template <Bits64 G>
std::uint64_t below_modulo_or_zero(G& bits, std::uint64_t n) {
    return n == 0 ? 0 : bits() % n;
}

// Exactly uniform in [0, n): draws below 2^64 mod n are rejected (they would make small results
// more likely), then r % n. REQUIRES: n > 0.
template <Bits64 G>
std::uint64_t below_unbiased(G& bits, std::uint64_t n) {
    REMORA_ASSERT(n > 0);
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
        const std::uint64_t r = bits();
        if (r >= threshold) return r % n;
    }
}

// Exactly uniform in [low, high] (below_unbiased; one plain draw for the full range).
// REQUIRES: low <= high.
template <Bits64 G>
std::uint64_t between_unbiased(G& bits, std::uint64_t low, std::uint64_t high) {
    REMORA_ASSERT(low <= high);
    if (high - low == std::numeric_limits<std::uint64_t>::max()) return bits();
    return low + below_unbiased(bits, high - low + 1);
}

// In [0, n) as the high word of r * n: one draw, bias below n / 2^64. REQUIRES: n > 0.
template <Bits64 G>
std::uint64_t below_multiply_shift(G& bits, std::uint64_t n) {
    REMORA_ASSERT(n > 0);
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(bits()) * n) >> 64);
}

// In [0, bound] as r % (bound + 1); 0 without a draw when bound is 0. REQUIRES: bound < 2^64-1.
template <Bits64 G>
std::uint64_t at_most_modulo(G& bits, std::uint64_t bound) {
    REMORA_ASSERT(bound < std::numeric_limits<std::uint64_t>::max());
    return bound == 0 ? 0 : bits() % (bound + 1);
}

// Uniform in [0, 1) from the top 53 bits of one draw.
template <Bits64 G>
double unit_interval(G& bits) {
    return static_cast<double>(bits() >> 11) * 0x1.0p-53;
}

// True with probability p; always one draw, whatever p.
template <Bits64 G>
bool chance(G& bits, double p) {
    return unit_interval(bits) < p;
}

// True with probability p; no draw when p <= 0 (so a knob left at 0 leaves the stream as it
// was), one draw otherwise.
template <Bits64 G>
bool chance_if_possible(G& bits, double p) {
    return p > 0 && unit_interval(bits) < p;
}

// Fills out[0, size) with whole draws, eight bytes per draw, least significant byte first (the
// same bytes on every platform); the last draw's unused bytes are dropped.
template <Bits64 G, typename Byte>
void fill_random_bytes(G& bits, Byte* out, std::size_t size) {
    static_assert(sizeof(Byte) == 1);
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < size; ++i) {
        if (i % 8 == 0) word = bits();
        out[i] = static_cast<Byte>(word & 0xff);
        word >>= 8;
    }
}

}  // namespace remora::common
