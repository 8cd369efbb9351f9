#pragma once
// Internal to the codecs (*_codec.cpp): opening an inbound FlatBuffer safely and reading its
// fields with exact checks. Nothing here reads a field before the whole buffer has passed the
// FlatBuffers verifier with our explicit depth, table-count and size limits.

#include <flatbuffers/flatbuffers.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/field_path.h"
#include "executor/tx/limits.h"

namespace remora::executor::fb_io {

using common::Bytes;
using common::ByteView;
using common::Status;
using ByteVector = flatbuffers::Vector<std::uint8_t>;

// Every decoding error: the bytes came from a peer, a client or a file.
Status corrupt(const std::string& message);
// Turns a validate_*() error (InvalidArgument) into a decoding error, keeping the message.
Status as_corrupt(const Status& status);

// An inbound buffer that passed the size limit, the file identifier check and the verifier.
// Holds an aligned copy when the caller's bytes are not 8-byte aligned (FlatBuffers reads
// scalars in place, and the verifier rejects misaligned ones).
class VerifiedBuffer {
public:
    // Move-only: m_data may point into m_aligned, whose heap block a move keeps and a copy would
    // not.
    VerifiedBuffer(VerifiedBuffer&&) = default;
    VerifiedBuffer& operator=(VerifiedBuffer&&) = default;
    VerifiedBuffer(const VerifiedBuffer&) = delete;
    VerifiedBuffer& operator=(const VerifiedBuffer&) = delete;

    // `what` names the message in errors ("transaction"). `tables_max`: tables the verifier
    // visits at most; a message whose lists of tables may be longer (a state update) passes
    // its own bound.
    template <typename Root>
    static common::Result<VerifiedBuffer> open(
        ByteView bytes, const std::string& what, const char* identifier, std::size_t bytes_max,
        std::uint32_t tables_max = limits::kVerifierTablesMax) {
        VerifiedBuffer buffer;
        REMORA_RETURN_IF_ERROR(buffer.prepare(bytes, what, identifier, bytes_max));
        flatbuffers::Verifier::Options options;
        options.max_depth = limits::kVerifierDepthMax;
        options.max_tables = tables_max;
        options.check_alignment = true;
        options.check_nested_flatbuffers = true;
        flatbuffers::Verifier verifier(buffer.m_data, buffer.m_size, options);
        if (!verifier.VerifyBuffer<Root>(identifier)) {
            return corrupt(what +
                           ": not a valid FlatBuffer (bad offsets, truncated, or past the "
                           "verifier's depth/table limits)");
        }
        return buffer;
    }

    template <typename Root>
    const Root* root() const {
        return flatbuffers::GetRoot<Root>(m_data);
    }

private:
    VerifiedBuffer() = default;
    Status prepare(ByteView bytes, const std::string& what, const char* identifier,
                   std::size_t bytes_max);

    std::vector<std::uint64_t> m_aligned;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

// Field names are FieldPaths: written out only in an error (field_path.h).

// `field` is absent or has exactly N bytes; absent is an error.
template <std::size_t N>
Status read_fixed(const ByteVector* v, const FieldPath& field, std::array<std::uint8_t, N>& out) {
    if (v == nullptr)
        return corrupt(field.str() + ": missing (expected " + std::to_string(N) + " bytes)");
    if (v->size() != N) {
        return corrupt(field.str() + ": " + std::to_string(v->size()) +
                       " bytes, expected exactly " + std::to_string(N));
    }
    std::memcpy(out.data(), v->data(), N);
    return Status::ok();
}

// Variable-length bytes; absent reads as empty.
Status read_bytes(const ByteVector* v, const FieldPath& field, std::size_t bytes_max, Bytes& out);
Status read_string(const flatbuffers::String* s, const FieldPath& field, std::size_t bytes_max,
                   std::string& out);
// A vector's length against its limit (absent counts as empty).
Status check_count(std::size_t count, const FieldPath& field, std::size_t count_max);
// The raw value of an enum field against the largest value it may hold.
Status check_enum(unsigned value, const FieldPath& field, unsigned value_max);

inline flatbuffers::Offset<ByteVector> make_bytes(flatbuffers::FlatBufferBuilder& fbb,
                                                  ByteView bytes) {
    return fbb.CreateVector(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}
// A nested FlatBuffer's bytes, placed 8-byte aligned in the outer buffer so that its reader
// opens it in place instead of copying it to aligned memory (VerifiedBuffer).
inline flatbuffers::Offset<ByteVector> make_nested(flatbuffers::FlatBufferBuilder& fbb,
                                                   ByteView bytes) {
    fbb.ForceVectorAlignment(bytes.size(), 1, alignof(std::uint64_t));
    return make_bytes(fbb, bytes);
}
template <std::size_t N>
flatbuffers::Offset<ByteVector> make_bytes(flatbuffers::FlatBufferBuilder& fbb,
                                           const std::array<std::uint8_t, N>& bytes) {
    return fbb.CreateVector(bytes.data(), N);
}
inline Bytes finish_bytes(const flatbuffers::FlatBufferBuilder& fbb) {
    return Bytes(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

}  // namespace remora::executor::fb_io
