#pragma once
// Byte strings, fixed-size ids, big-endian integers and hex. Big-endian so that RocksDB's
// bytewise order equals numeric order and `ldb` output stays readable.

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/limits.h"

namespace remora::common {

using Bytes = std::string;  // owned byte string (std::string so RocksDB Slices are free)
using ByteView = std::string_view;

// A 32-byte value: object ids and digests.
struct Hash256 {
    std::array<std::uint8_t, 32> bytes{};

    // Bytewise (lexicographic) order, RocksDB's: compared as four big-endian 64-bit words,
    // inline. The defaulted operators call memcmp, a fifth of the primary's thread at 100k
    // tx/s, where every std::map keyed by ids and digests compares them (docs/BENCHMARKS.md,
    // "The allocator, the id comparisons and the hot levels uncompressed").
    std::strong_ordering operator<=>(const Hash256& other) const noexcept {
        for (std::size_t i = 0; i < bytes.size(); i += 8) {
            const std::uint64_t a = word(i);
            const std::uint64_t b = other.word(i);
            if (a != b) return a <=> b;
        }
        return std::strong_ordering::equal;
    }
    bool operator==(const Hash256& other) const noexcept {
        std::uint64_t differ = 0;
        for (std::size_t i = 0; i < bytes.size(); i += 8) {
            std::uint64_t a = 0;
            std::uint64_t b = 0;
            std::memcpy(&a, bytes.data() + i, sizeof(a));
            std::memcpy(&b, other.bytes.data() + i, sizeof(b));
            differ |= a ^ b;
        }
        return differ == 0;
    }
    // The 8 bytes at `offset` as a big-endian number (bytewise order is numeric order).
    std::uint64_t word(std::size_t offset) const noexcept {
        std::uint64_t v = 0;
        std::memcpy(&v, bytes.data() + offset, sizeof(v));
        if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
        return v;
    }
    ByteView view() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
    std::string hex() const;
    // Parses exactly 64 hex digits (either case); nullopt otherwise.
    static std::optional<Hash256> from_hex(std::string_view text);
    // REQUIRES: raw.size() == 32.
    static Hash256 from_bytes(ByteView raw);
    bool is_zero() const;
};

using ObjectId = Hash256;
using Digest = Hash256;
using Version = std::uint64_t;
using CommitIndex = std::uint64_t;

std::string to_hex(ByteView bytes);
// Parses an even number of hex digits; nullopt on any other character or odd length.
std::optional<Bytes> from_hex(std::string_view text);

inline void put_be16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}
inline void put_be32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
inline void put_be64(Bytes& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
// REQUIRES: in.size() >= 2/4/8 at `offset`.
inline std::uint16_t get_be16(ByteView in, std::size_t offset = 0) {
    auto b = [&](std::size_t i) {
        return static_cast<std::uint16_t>(static_cast<std::uint8_t>(in[offset + i]));
    };
    return static_cast<std::uint16_t>((b(0) << 8) | b(1));
}
inline std::uint32_t get_be32(ByteView in, std::size_t offset = 0) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[offset + i]);
    return v;
}
inline std::uint64_t get_be64(ByteView in, std::size_t offset = 0) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[offset + i]);
    return v;
}

// Hash for unordered containers keyed by Hash256 (ids are already uniformly random).
struct Hash256Hasher {
    std::size_t operator()(const Hash256& h) const noexcept {
        std::size_t v = 0;
        std::memcpy(&v, h.bytes.data(), sizeof(v));
        return v;
    }
};

}  // namespace remora::common
