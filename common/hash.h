#pragma once
// The two hash families of the project: BLAKE2b-256 (blake2b.h) where a value is a commitment
// (digests, transaction ids), XXH3 (xxHash) where speed matters and collisions are only an
// inefficiency or are caught elsewhere (shard choice, frame and file checksums).

#include <cstdint>
#include <initializer_list>

#include "common/bytes.h"

namespace remora::common {

// BLAKE2b with a 32-byte output over the concatenation of `parts`.
Hash256 blake2b_256(std::initializer_list<ByteView> parts);
inline Hash256 blake2b_256(ByteView data) { return blake2b_256({data}); }

std::uint64_t xxh3_64(ByteView data);

// Streaming XXH3-64, for file checksums.
class Xxh3Stream {
public:
    Xxh3Stream();
    ~Xxh3Stream();
    Xxh3Stream(const Xxh3Stream&) = delete;
    Xxh3Stream& operator=(const Xxh3Stream&) = delete;
    void update(ByteView data);
    std::uint64_t digest() const;

private:
    void* m_state;
};

}  // namespace remora::common
