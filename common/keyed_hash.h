#pragma once
// A keyed hash of 256-bit ids for in-memory tables whose keys someone else chooses: a
// transaction's digest is its sender's choice, and so are the ids of the objects it creates.
// Hash256Hasher (bytes.h) takes an id's first word as it is, so a sender who grinds ids that
// share it, or share its low bits, can pile them into one bucket or probe run and make each
// lookup walk all of them. Here two words of the id go through a multiply keyed by a number
// drawn once per process: which ids collide cannot be known outside it.
//
// The key changes where entries sit in a table, never what a lookup answers; tables hashed
// with it are looked up only, never iterated in their own order (docs/style.md).

#include <cstdint>
#include <cstring>

#include "common/bytes.h"

namespace remora::common {

class KeyedHash256 {
public:
    // The process's key (drawn once, at random).
    KeyedHash256();
    // A fixed key, for tests that want the same layout every run. 0 means the process's key.
    explicit KeyedHash256(std::uint64_t key);

    std::size_t operator()(const Hash256& h) const noexcept {
        std::uint64_t a;
        std::uint64_t b;
        std::memcpy(&a, h.bytes.data(), sizeof a);
        std::memcpy(&b, h.bytes.data() + 8, sizeof b);
        // The 128-bit product's halves folded together: every bit of both words and of the key
        // reaches the middle bits.
        const unsigned __int128 product = static_cast<unsigned __int128>(a ^ m_key1) * (b ^ m_key0);
        return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
    }

private:
    std::uint64_t m_key0;  // odd
    std::uint64_t m_key1;
};

}  // namespace remora::common
