#pragma once
// The state digest: an order-independent commitment to the live object set.
//
//   entry_hash(id, version, payload) = BLAKE2b-256("remora/object/v1" ‖ id ‖ BE64(version) ‖
//   payload) digest = Σ entry_hash over live objects (newest version not a tombstone), mod 2^256,
//            each hash read as a big-endian 256-bit unsigned integer; the empty set is 0.
//
// Addition mod 2^256 makes it incremental (add the new entry, subtract the replaced one) and
// independent of order; docs/storage_format.md states it for independent implementations.

#include "common/bytes.h"

namespace remora::storage {

inline constexpr std::string_view kEntryHashDomain = "remora/object/v1";

common::Hash256 entry_hash(const common::ObjectId& id, common::Version version,
                           common::ByteView payload);

class StateDigest {
public:
    StateDigest() = default;
    explicit StateDigest(const common::Digest& value) : m_value(value) {}

    void add(const common::Hash256& entry);
    void remove(const common::Hash256& entry);
    const common::Digest& value() const { return m_value; }

private:
    common::Digest m_value;  // big-endian 256-bit accumulator
};

}  // namespace remora::storage
