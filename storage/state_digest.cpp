#include "storage/state_digest.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "common/hash.h"

namespace remora::storage {

common::Hash256 entry_hash(const common::ObjectId& id, common::Version version,
                           common::ByteView payload) {
    common::Bytes version_be;
    common::put_be64(version_be, version);
    return common::blake2b_256({kEntryHashDomain, id.view(), version_be, payload});
}

namespace {

// The 256-bit big-endian values as four 64-bit limbs, most significant first.
using Limbs = std::array<std::uint64_t, 4>;

Limbs load(const common::Hash256& h) {
    Limbs out;
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint64_t v;
        std::memcpy(&v, h.bytes.data() + 8 * i, 8);
        out[i] = __builtin_bswap64(v);
    }
    return out;
}

void store(const Limbs& limbs, common::Hash256& h) {
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint64_t v = __builtin_bswap64(limbs[i]);
        std::memcpy(h.bytes.data() + 8 * i, &v, 8);
    }
}

}  // namespace

void StateDigest::add(const common::Hash256& entry) {
    Limbs a = load(m_value);
    Limbs b = load(entry);
    unsigned carry = 0;
    for (int i = 3; i >= 0; --i) {
        std::uint64_t sum = a[i] + b[i];
        unsigned next = sum < a[i] ? 1 : 0;
        std::uint64_t total = sum + carry;
        next += total < sum ? 1 : 0;
        a[i] = total;
        carry = next;
    }
    store(a, m_value);  // the carry out of the top limb is dropped: mod 2^256
}

void StateDigest::remove(const common::Hash256& entry) {
    Limbs a = load(m_value);
    Limbs b = load(entry);
    unsigned borrow = 0;
    for (int i = 3; i >= 0; --i) {
        std::uint64_t diff = a[i] - b[i];
        unsigned next = a[i] < b[i] ? 1 : 0;
        std::uint64_t total = diff - borrow;
        next += diff < borrow ? 1 : 0;
        a[i] = total;
        borrow = next;
    }
    store(a, m_value);  // a borrow out of the top limb wraps: mod 2^256
}

}  // namespace remora::storage
