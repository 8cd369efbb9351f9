#pragma once
// The workloads' random numbers: xoshiro256** seeded through SplitMix64. Our own generator and
// our own range reduction (not <random>'s distributions, whose algorithms the standard leaves
// to the library) so that a seed gives the same transactions on every build.

#include <cstdint>

namespace remora::executor::workload {

class Rng {
public:
    explicit Rng(std::uint64_t seed);

    std::uint64_t next_u64();
    // Uniform in [0, bound). REQUIRES: bound > 0.
    std::uint64_t uniform(std::uint64_t bound);
    // Uniform in [low, high]. REQUIRES: low <= high.
    std::uint64_t between(std::uint64_t low, std::uint64_t high);
    // Uniform in [0, 1), 53 bits.
    double unit();

private:
    std::uint64_t m_state[4];
};

// Mixes several values into one seed (SplitMix64 finaliser over the sequence), so that each
// generator stream (accounts, kinds, ...) gets an independent seed from the workload's seed.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream);

}  // namespace remora::executor::workload
