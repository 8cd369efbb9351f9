// The generators against reference outputs (SplitMix64's from its authors' code; xoshiro256**
// and mix_seed from an independent implementation), and each draw's documented algorithm,
// including when it draws nothing: the workload digests and the simulation's recorded seeds
// depend on exactly these streams.

#include "common/random.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <random>
#include <string>

namespace {

namespace common = remora::common;

// Hands out the given words in order and counts the draws.
class Scripted {
public:
    explicit Scripted(std::deque<std::uint64_t> words) : m_words(std::move(words)) {}
    std::uint64_t operator()() {
        REQUIRE(!m_words.empty());
        const std::uint64_t w = m_words.front();
        m_words.pop_front();
        ++m_draws;
        return w;
    }
    int draws() const { return m_draws; }

private:
    std::deque<std::uint64_t> m_words;
    int m_draws = 0;
};

constexpr std::uint64_t kMax = UINT64_MAX;

}  // namespace

TEST_CASE("SplitMix64 and xoshiro256** give their reference streams") {
    common::SplitMix64 splitmix(0);
    CHECK(splitmix() == 0xe220a8397b1dcdafULL);
    CHECK(splitmix() == 0x6e789e6aa1b965f4ULL);
    CHECK(splitmix() == 0x06c45d188009454fULL);

    common::Xoshiro256StarStar xoshiro(42);
    CHECK(xoshiro() == 0x15780b2e0c2ec716ULL);
    CHECK(xoshiro() == 0x6104d9866d113a7eULL);
    CHECK(xoshiro() == 0xae17533239e499a1ULL);

    CHECK(common::splitmix64_mix(0) == 0xe220a8397b1dcdafULL);
    CHECK(common::mix_seed(7, 3) == 0x6baa78681a99f995ULL);
}

TEST_CASE("the modulo draws: r % n, and no draw where the result is forced") {
    Scripted bits({10, 10, 10, 10});
    CHECK(common::below_modulo(bits, 3) == 1);
    CHECK(common::below_modulo_or_zero(bits, 0) == 0);
    CHECK(bits.draws() == 1);
    CHECK(common::below_modulo_or_zero(bits, 4) == 2);
    CHECK(common::at_most_modulo(bits, 0) == 0);
    CHECK(bits.draws() == 2);
    CHECK(common::at_most_modulo(bits, 3) == 2);  // 10 % 4
    CHECK(bits.draws() == 3);
}

TEST_CASE("below_unbiased rejects the draws that would favour small results") {
    // For n = 3, 2^64 mod 3 = 1: the draw 0 is rejected, the next one (5) gives 5 % 3.
    Scripted bits({0, 5});
    CHECK(common::below_unbiased(bits, 3) == 2);
    CHECK(bits.draws() == 2);
    // A power of two rejects nothing.
    Scripted once({7});
    CHECK(common::below_unbiased(once, 4) == 3);
    // The full range is one plain draw.
    Scripted full({kMax});
    CHECK(common::between_unbiased(full, 0, kMax) == kMax);
    Scripted between({0, 5});
    CHECK(common::between_unbiased(between, 10, 12) == 12);
}

TEST_CASE("below_multiply_shift keeps the high word of r * n") {
    Scripted bits({0, kMax, 1ULL << 63});
    CHECK(common::below_multiply_shift(bits, 10) == 0);
    CHECK(common::below_multiply_shift(bits, 10) == 9);
    CHECK(common::below_multiply_shift(bits, 10) == 5);
}

TEST_CASE("chance always draws; chance_if_possible draws nothing for p <= 0") {
    Scripted bits({0, 0, kMax, 0});
    CHECK_FALSE(common::chance(bits, 0.0));  // 0 < 0 is false, and a draw was spent
    CHECK(bits.draws() == 1);
    CHECK_FALSE(common::chance_if_possible(bits, 0.0));
    CHECK_FALSE(common::chance_if_possible(bits, -1.0));
    CHECK(bits.draws() == 1);
    CHECK(common::chance_if_possible(bits, 1e-300) == true);  // the draw 0 is below any p > 0
    CHECK_FALSE(common::chance(bits, 0.999));                 // the top draw is not
    CHECK(common::unit_interval(bits) == 0.0);
}

TEST_CASE("fill_random_bytes: eight bytes per draw, least significant first") {
    Scripted bits({0x0807060504030201ULL, 0x0a09ULL});
    std::string out(10, '\0');
    common::fill_random_bytes(bits, out.data(), out.size());
    CHECK(out == std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10));
    CHECK(bits.draws() == 2);
}

TEST_CASE("std::mt19937_64 works with the draws (the tests' generator)") {
    std::mt19937_64 engine(5489);
    std::mt19937_64 copy(5489);
    CHECK(common::below_modulo(engine, 1000) == copy() % 1000);
}
