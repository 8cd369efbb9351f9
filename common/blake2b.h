#pragma once
// BLAKE2b (RFC 7693) with a 32-byte digest, unkeyed: the project's commitment hash.
//
// Our own implementation rather than libsodium's crypto_generichash because libsodium picks
// its compression function at sodium_init(), and the one it picks on our AMD EPYC VMs (AVX2)
// is 1.75x slower than its portable one (0.63 vs 0.36 us for 266 bytes); processes that verify
// signatures must call sodium_init(). This one is the portable algorithm, so every process
// hashes at the same speed. Tests cross-check it against libsodium on random inputs and
// chunkings (tests/common/hash_test.cpp).

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.h"

namespace remora::common {

class Blake2b256 {
public:
    Blake2b256();
    // Absorbs `data`; any split of the input gives the same digest.
    void update(ByteView data);
    // The digest of everything absorbed. The object must not be used afterwards.
    Hash256 finish();

private:
    static constexpr std::size_t kBlockBytes = 128;
    void compress(const std::uint8_t* block, bool last);

    std::array<std::uint64_t, 8> m_h;
    std::uint64_t m_t0 = 0;  // bytes compressed so far, 128-bit counter
    std::uint64_t m_t1 = 0;
    std::array<std::uint8_t, kBlockBytes> m_block{};
    std::size_t m_filled = 0;
};

}  // namespace remora::common
