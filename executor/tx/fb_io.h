#pragma once
// Internal to the codecs (*_codec.cpp): opening an inbound FlatBuffer safely and reading its
// fields with exact checks. Nothing here reads a field before the whole buffer has passed the
// FlatBuffers verifier with our explicit depth, table-count and size limits.

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
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

// The builder of the hot encoders (transactions, effects, objects and the commit body, which
// the primary runs per committed transaction): FlatBuffers' own builder with two of its calls
// fused into one write. bytes() and offsets() leave exactly the bytes, alignment bookkeeping
// and offsets that CreateVector leaves for the same arguments (the two PreAligns of
// StartVector, the elements, EndVector's length), with one space check instead of one per
// element, padding and length; the stored bytes do not change (tests/executor/tx_codec_test).
class Builder : public flatbuffers::FlatBufferBuilder {
public:
    using FlatBufferBuilder::FlatBufferBuilder;

    // CreateVector<std::uint8_t>(data, size).
    flatbuffers::Offset<ByteVector> bytes(const void* data, std::size_t size) {
        NotNested();
        TrackMinAlign(sizeof(flatbuffers::uoffset_t));
        const std::size_t pad =
            flatbuffers::PaddingBytes(GetSize() + size, sizeof(flatbuffers::uoffset_t));
        std::uint8_t* at = buf_.make_space(sizeof(flatbuffers::uoffset_t) + size + pad);
        flatbuffers::WriteScalar(at, static_cast<flatbuffers::uoffset_t>(size));
        if (size != 0) std::memcpy(at + sizeof(flatbuffers::uoffset_t), data, size);
        std::memset(at + sizeof(flatbuffers::uoffset_t) + size, 0, pad);
        return flatbuffers::Offset<ByteVector>(GetSize());
    }
    flatbuffers::Offset<ByteVector> bytes(ByteView view) { return bytes(view.data(), view.size()); }
    template <std::size_t N>
    flatbuffers::Offset<ByteVector> bytes(const std::array<std::uint8_t, N>& array) {
        return bytes(array.data(), N);
    }

    // One field of a table: its vtable slot (the generated VT_ constant), its size in bytes (1,
    // 2, 4 or 8; an offset's is 4) and its value (for an offset, the target's offset). A zero
    // value is left out, as the generated add_ calls leave out a field at its default (every
    // default of these schemas is 0) and a null offset.
    struct Field {
        flatbuffers::voffset_t slot = 0;
        std::uint8_t size = 0;
        bool offset = false;
        std::uint64_t value = 0;
    };
    template <typename T>
    static Field scalar(flatbuffers::voffset_t slot, T value) {
        static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
        return {slot, sizeof(T), false, static_cast<std::uint64_t>(value)};
    }
    template <typename T>
    static Field offset(flatbuffers::voffset_t slot, flatbuffers::Offset<T> target) {
        return {slot, sizeof(flatbuffers::uoffset_t), true, target.o};
    }
    // StartTable, the add_ calls of `fields` in their order, then EndTable: the same bytes,
    // alignment bookkeeping and vtable (shared with an equal earlier one, as EndTable's
    // deduplication does), in one space check. The order must be the one of the generated
    // Create function (or the builder calls) it replaces. Inline, so that the layout of each
    // call's fixed list of fields is worked out where it is known.
    template <std::size_t N>
    flatbuffers::uoffset_t table(const Field (&fields)[N]) {
        using flatbuffers::uoffset_t;
        using flatbuffers::voffset_t;
        REMORA_ASSERT(!force_defaults_);
        NotNested();
        // Where each present field ends (the builder's size just after AddElement pushed it), laid
        // out as the add_ calls would: each aligned to its size, in order.
        const std::size_t start = GetSize();
        std::array<std::size_t, N> end{};
        std::size_t size = start;
        voffset_t slot_max = 0;
        std::size_t i = 0;
        for (const Field& field : fields) {
            if (field.value != 0) {
                size += flatbuffers::PaddingBytes(size, field.size) + field.size;
                end[i] = size;
                TrackMinAlign(field.size);
                slot_max = std::max(slot_max, field.slot);
            }
            ++i;
        }
        // EndTable: the table's offset to its vtable, then the vtable itself (its size, the
        // table's size, one slot per field up to the last present one).
        TrackMinAlign(sizeof(flatbuffers::soffset_t));
        size += flatbuffers::PaddingBytes(size, sizeof(flatbuffers::soffset_t)) +
                sizeof(flatbuffers::soffset_t);
        const std::size_t table_at = size;
        const auto vtable_size = std::max(static_cast<voffset_t>(slot_max + sizeof(voffset_t)),
                                          flatbuffers::FieldIndexToOffset(0));
        size += vtable_size;
        std::uint8_t* vtable = buf_.make_space(size - start);
        std::memset(vtable, 0, size - start);
        flatbuffers::WriteScalar<voffset_t>(vtable, vtable_size);
        flatbuffers::WriteScalar<voffset_t>(vtable + sizeof(voffset_t),
                                            static_cast<voffset_t>(table_at - start));
        i = 0;
        for (const Field& field : fields) {
            if (field.value != 0) {
                std::uint8_t* at = buf_.data_at(end[i]);
                if (field.offset) {
                    REMORA_ASSERT(field.value < end[i]);
                    flatbuffers::WriteScalar<uoffset_t>(
                        at, static_cast<uoffset_t>(end[i] - field.value));
                } else if (field.size == 1) {
                    flatbuffers::WriteScalar<std::uint8_t>(at,
                                                           static_cast<std::uint8_t>(field.value));
                } else if (field.size == 2) {
                    flatbuffers::WriteScalar<std::uint16_t>(
                        at, static_cast<std::uint16_t>(field.value));
                } else if (field.size == 4) {
                    flatbuffers::WriteScalar<std::uint32_t>(
                        at, static_cast<std::uint32_t>(field.value));
                } else {
                    flatbuffers::WriteScalar<std::uint64_t>(at, field.value);
                }
                flatbuffers::WriteScalar<voffset_t>(vtable + field.slot,
                                                    static_cast<voffset_t>(table_at - end[i]));
            }
            ++i;
        }
        // EndTable's deduplication: an equal vtable built earlier in this buffer is used instead.
        std::size_t vtable_at = size;
        if (dedup_vtables_) {
            for (std::uint8_t* it = buf_.scratch_data(); it < buf_.scratch_end();
                 it += sizeof(uoffset_t)) {
                const auto earlier = flatbuffers::ReadScalar<uoffset_t>(it);
                const std::uint8_t* other = buf_.data_at(earlier);
                if (flatbuffers::ReadScalar<voffset_t>(other) != vtable_size ||
                    std::memcmp(other, vtable, vtable_size) != 0) {
                    continue;
                }
                vtable_at = earlier;
                buf_.pop(vtable_size);
                break;
            }
        }
        if (vtable_at == size) buf_.scratch_push_small(static_cast<uoffset_t>(vtable_at));
        flatbuffers::WriteScalar<flatbuffers::soffset_t>(
            buf_.data_at(table_at), static_cast<flatbuffers::soffset_t>(vtable_at) -
                                        static_cast<flatbuffers::soffset_t>(table_at));
        return static_cast<uoffset_t>(table_at);
    }

    // CreateVector(offsets, count) of tables already in this builder.
    template <typename T>
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<T>>> offsets(
        const flatbuffers::Offset<T>* offsets, std::size_t count) {
        constexpr std::size_t kSize = sizeof(flatbuffers::uoffset_t);
        NotNested();
        TrackMinAlign(kSize);
        const std::size_t pad = flatbuffers::PaddingBytes(GetSize(), kSize);
        // The element i lies (count - i) slots below the padding: its offset is taken from
        // there, as ReferTo does when CreateVector pushes it.
        const std::size_t base = GetSize() + pad;
        std::uint8_t* at = buf_.make_space(kSize * (count + 1) + pad);
        flatbuffers::WriteScalar(at, static_cast<flatbuffers::uoffset_t>(count));
        for (std::size_t i = 0; i < count; ++i) {
            REMORA_ASSERT(offsets[i].o != 0 && offsets[i].o <= base);
            const std::size_t position = base + kSize * (count - i);
            flatbuffers::WriteScalar(at + kSize * (i + 1),
                                     static_cast<flatbuffers::uoffset_t>(position - offsets[i].o));
        }
        std::memset(at + kSize * (count + 1), 0, pad);
        return flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<T>>>(GetSize());
    }
};

// Offsets of tables to be gathered into one vector: on the stack up to N of them, so that an
// encoder does not allocate for the usual few.
template <typename T, std::size_t N = 16>
class OffsetList {
public:
    explicit OffsetList(std::size_t count) {
        if (count > N) m_large.resize(count);
    }
    void push_back(flatbuffers::Offset<T> offset) {
        (m_large.empty() ? m_small.data() : m_large.data())[m_size++] = offset;
    }
    const flatbuffers::Offset<T>* data() const {
        return m_large.empty() ? m_small.data() : m_large.data();
    }
    std::size_t size() const { return m_size; }

private:
    std::array<flatbuffers::Offset<T>, N> m_small;
    std::vector<flatbuffers::Offset<T>> m_large;
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
