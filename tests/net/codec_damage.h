#pragma once
// The damage oracle shared by the codec tests: randomly damaged bodies are refused with
// kCorruption, or decode into a value that itself round-trips (a decoder never lies, never
// crashes).

#include <catch2/catch.hpp>

#include <random>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::net {

template <typename Decode, typename Encode>
void check_damage_never_lies(const common::Bytes& bytes, Decode decode, Encode encode,
                             std::uint64_t seed, std::size_t& decoded) {
    std::mt19937_64 rng(seed);
    for (int trial = 0; trial < 200; ++trial) {
        common::Bytes damaged = bytes;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            damaged[rng() % damaged.size()] = static_cast<char>(rng());
        }
        if (rng() % 8 == 0) damaged.resize(rng() % damaged.size());
        auto value = decode(damaged);
        if (!value) {
            CHECK(value.status().code() == common::Code::kCorruption);
            continue;
        }
        ++decoded;
        auto again = decode(encode(value.value()));
        REQUIRE(again.is_ok());
        CHECK(again.value() == value.value());
    }
}

}  // namespace remora::net
