#pragma once
// The building blocks of every canonical encoding (docs/transactions.md, "Canonical bytes"):
// big-endian integers, 32-byte values written raw, variable-length byte strings and lists
// prefixed by a BE32 length or count, and a length-prefixed ASCII domain tag first.
// These bytes are hashed and compared, never parsed, so there is only a writer.

#include <cstdint>
#include <utility>

#include "common/bytes.h"

namespace remora::executor {

// Domain tags: distinct per kind of hashed value so that no two kinds share a preimage.
inline constexpr common::ByteView kTransactionDomain = "remora/transaction/v1";
inline constexpr common::ByteView kEffectsDomain = "remora/effects/v1";
inline constexpr common::ByteView kObjectDomain = "remora/object/v1";
inline constexpr common::ByteView kAddressDomain = "remora/address/v1";
inline constexpr common::ByteView kCreatedObjectDomain = "remora/created-object/v1";
inline constexpr common::ByteView kDynamicObjectDomain = "remora/dynamic-object/v1";

class CanonicalWriter {
public:
    // Starts the encoding with BE32(len(tag)) ‖ tag, with room for `expected_bytes` (a hint
    // that saves the reallocations of growing one byte field at a time).
    explicit CanonicalWriter(common::ByteView domain_tag, std::size_t expected_bytes = 256) {
        m_out.reserve(expected_bytes);
        bytes(domain_tag);
    }
    // A nested encoding with no domain tag (for parts appended to another writer's output).
    CanonicalWriter() = default;

    void u8(std::uint8_t v) { m_out.push_back(static_cast<char>(v)); }
    void u16(std::uint16_t v) { common::put_be16(m_out, v); }
    void u32(std::uint32_t v) { common::put_be32(m_out, v); }
    void u64(std::uint64_t v) { common::put_be64(m_out, v); }
    void hash(const common::Hash256& h) { m_out.append(h.view()); }
    // BE32 length ‖ bytes. REQUIRES: data.size() < 2^32 (every field is bounded far below).
    void bytes(common::ByteView data);
    // BE32 element count, then the caller writes the elements.
    void count(std::size_t n);
    void raw(common::ByteView data) { m_out.append(data); }

    const common::Bytes& out() const { return m_out; }
    // For appenders that write a nested encoding in place (append_canonical_object).
    common::Bytes& buffer() { return m_out; }
    common::Bytes take() { return std::move(m_out); }

private:
    common::Bytes m_out;
};

// BE32(len(tag)) ‖ tag: the prefix of every domain-separated hash input.
common::Bytes domain_prefix(common::ByteView domain_tag);

}  // namespace remora::executor
