#include "common/hash.h"

#include <xxhash.h>

#include "common/blake2b.h"
#include "common/status.h"

namespace remora::common {

Hash256 blake2b_256(std::initializer_list<ByteView> parts) {
    Blake2b256 hasher;
    for (ByteView part : parts) hasher.update(part);
    return hasher.finish();
}

std::uint64_t xxh3_64(ByteView data) { return XXH3_64bits(data.data(), data.size()); }

Xxh3Stream::Xxh3Stream() : m_state(XXH3_createState()) {
    REMORA_ASSERT(m_state != nullptr);
    XXH3_64bits_reset(static_cast<XXH3_state_t*>(m_state));
}

Xxh3Stream::~Xxh3Stream() { XXH3_freeState(static_cast<XXH3_state_t*>(m_state)); }

void Xxh3Stream::update(ByteView data) {
    XXH3_64bits_update(static_cast<XXH3_state_t*>(m_state), data.data(), data.size());
}

std::uint64_t Xxh3Stream::digest() const {
    return XXH3_64bits_digest(static_cast<XXH3_state_t*>(m_state));
}

}  // namespace remora::common
