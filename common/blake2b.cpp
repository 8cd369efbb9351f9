#include "common/blake2b.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace remora::common {
namespace {

constexpr std::array<std::uint64_t, 8> kIv = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

// The message schedule of RFC 7693 §2.7; rounds 10 and 11 repeat rows 0 and 1.
constexpr std::uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

constexpr std::uint64_t rotr(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

inline std::uint64_t load_le64(const std::uint8_t* p) {
    static_assert(std::endian::native == std::endian::little, "loads assume a little-endian host");
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

[[gnu::always_inline]] inline void mix(std::uint64_t& a, std::uint64_t& b, std::uint64_t& c,
                                       std::uint64_t& d, std::uint64_t x, std::uint64_t y) {
    a = a + b + x;
    d = rotr(d ^ a, 32);
    c = c + d;
    b = rotr(b ^ c, 24);
    a = a + b + y;
    d = rotr(d ^ a, 16);
    c = c + d;
    b = rotr(b ^ c, 63);
}

// One round, with the schedule a compile-time constant so that the compiler keeps v and m in
// registers (a runtime-indexed schedule made this 1.7x slower).
template <int R>
[[gnu::always_inline]] inline void round(std::uint64_t* v, const std::uint64_t* m) {
    constexpr const std::uint8_t* s = kSigma[R];
    mix(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
    mix(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
    mix(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
    mix(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
    mix(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
    mix(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
    mix(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
    mix(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
}

template <int... R>
inline void rounds(std::uint64_t* v, const std::uint64_t* m, std::integer_sequence<int, R...>) {
    (round<R>(v, m), ...);
}

}  // namespace

Blake2b256::Blake2b256() : m_h(kIv) {
    // Parameter block: digest length 32, no key, fanout 1, depth 1.
    m_h[0] ^= 0x01010000ull ^ 32u;
}

void Blake2b256::compress(const std::uint8_t* block, bool last) {
    std::uint64_t m[16];
    for (std::size_t i = 0; i < 16; ++i) m[i] = load_le64(block + 8 * i);
    std::uint64_t v[16];
    for (int i = 0; i < 8; ++i) {
        v[i] = m_h[i];
        v[i + 8] = kIv[i];
    }
    v[12] ^= m_t0;
    v[13] ^= m_t1;
    if (last) v[14] = ~v[14];
    rounds(v, m, std::make_integer_sequence<int, 12>{});
    for (int i = 0; i < 8; ++i) m_h[i] ^= v[i] ^ v[i + 8];
}

void Blake2b256::update(ByteView data) {
    const auto* in = reinterpret_cast<const std::uint8_t*>(data.data());
    std::size_t left = data.size();
    // A full buffered block is compressed only once more input follows: the last block, full
    // or not, is compressed by finish() with the final flag.
    while (left > 0) {
        if (m_filled == kBlockBytes) {
            m_t0 += kBlockBytes;
            if (m_t0 < kBlockBytes) ++m_t1;
            compress(m_block.data(), false);
            m_filled = 0;
        }
        if (m_filled == 0) {
            while (left > kBlockBytes) {  // whole blocks straight from the input
                m_t0 += kBlockBytes;
                if (m_t0 < kBlockBytes) ++m_t1;
                compress(in, false);
                in += kBlockBytes;
                left -= kBlockBytes;
            }
        }
        std::size_t take = std::min(left, kBlockBytes - m_filled);
        std::memcpy(m_block.data() + m_filled, in, take);
        m_filled += take;
        in += take;
        left -= take;
    }
}

Hash256 Blake2b256::finish() {
    m_t0 += m_filled;
    if (m_t0 < m_filled) ++m_t1;
    std::memset(m_block.data() + m_filled, 0, kBlockBytes - m_filled);
    compress(m_block.data(), true);
    Hash256 out;
    for (std::size_t i = 0; i < out.bytes.size(); ++i) {
        out.bytes[i] = static_cast<std::uint8_t>(m_h[i / 8] >> (8 * (i % 8)));
    }
    return out;
}

}  // namespace remora::common
