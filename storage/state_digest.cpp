#include "storage/state_digest.h"

#include "common/hash.h"

namespace remora::storage {

common::Hash256 entry_hash(const common::ObjectId& id, common::Version version,
                           common::ByteView payload) {
    common::Bytes version_be;
    common::put_be64(version_be, version);
    return common::blake2b_256({kEntryHashDomain, id.view(), version_be, payload});
}

void StateDigest::add(const common::Hash256& entry) {
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {
        unsigned sum = unsigned{m_value.bytes[i]} + unsigned{entry.bytes[i]} + carry;
        m_value.bytes[i] = static_cast<std::uint8_t>(sum);
        carry = sum >> 8;
    }
}

void StateDigest::remove(const common::Hash256& entry) {
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        int diff = int{m_value.bytes[i]} - int{entry.bytes[i]} - borrow;
        borrow = diff < 0 ? 1 : 0;
        m_value.bytes[i] = static_cast<std::uint8_t>(diff + (borrow << 8));
    }
}

}  // namespace remora::storage
