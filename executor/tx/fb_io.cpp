#include "executor/tx/fb_io.h"

#include <algorithm>

namespace remora::executor::fb_io {

flatbuffers::uoffset_t Builder::table(std::initializer_list<Field> fields) {
    using flatbuffers::uoffset_t;
    using flatbuffers::voffset_t;
    constexpr std::size_t kFieldsMax = 16;
    REMORA_ASSERT(fields.size() <= kFieldsMax);
    REMORA_ASSERT(!force_defaults_);
    NotNested();
    // Where each present field ends (the builder's size just after AddElement pushed it), laid
    // out as the add_ calls would: each aligned to its size, in order.
    const std::size_t start = GetSize();
    std::array<std::size_t, kFieldsMax> end{};
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
                flatbuffers::WriteScalar<uoffset_t>(at,
                                                    static_cast<uoffset_t>(end[i] - field.value));
            } else if (field.size == 1) {
                flatbuffers::WriteScalar<std::uint8_t>(at, static_cast<std::uint8_t>(field.value));
            } else if (field.size == 2) {
                flatbuffers::WriteScalar<std::uint16_t>(at,
                                                        static_cast<std::uint16_t>(field.value));
            } else if (field.size == 4) {
                flatbuffers::WriteScalar<std::uint32_t>(at,
                                                        static_cast<std::uint32_t>(field.value));
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

Status corrupt(const std::string& message) { return {common::Code::kCorruption, message}; }

Status as_corrupt(const Status& status) {
    if (status.is_ok()) return status;
    return corrupt(status.message());
}

Status VerifiedBuffer::prepare(ByteView bytes, const std::string& what, const char* identifier,
                               std::size_t bytes_max) {
    if (bytes.size() > bytes_max) {
        return corrupt(what + ": " + std::to_string(bytes.size()) + " bytes exceed the limit of " +
                       std::to_string(bytes_max));
    }
    // Root offset plus file identifier: anything shorter cannot be one of our buffers.
    constexpr std::size_t kHeaderBytes = 2 * sizeof(flatbuffers::uoffset_t);
    if (bytes.size() < kHeaderBytes) {
        return corrupt(what + ": " + std::to_string(bytes.size()) +
                       " bytes are too short for a FlatBuffer (at least " +
                       std::to_string(kHeaderBytes) + ")");
    }
    if (std::memcmp(bytes.data() + sizeof(flatbuffers::uoffset_t), identifier,
                    flatbuffers::kFileIdentifierLength) != 0) {
        return corrupt(what + ": wrong file identifier \"" +
                       common::to_hex(bytes.substr(sizeof(flatbuffers::uoffset_t),
                                                   flatbuffers::kFileIdentifierLength)) +
                       "\" (hex), expected \"" + identifier + "\"");
    }
    auto address = reinterpret_cast<std::uintptr_t>(bytes.data());
    if (address % alignof(std::uint64_t) == 0) {
        m_data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    } else {
        m_aligned.resize((bytes.size() + 7) / 8);
        std::memcpy(m_aligned.data(), bytes.data(), bytes.size());
        m_data = reinterpret_cast<const std::uint8_t*>(m_aligned.data());
    }
    m_size = bytes.size();
    return Status::ok();
}

Status read_bytes(const ByteVector* v, const FieldPath& field, std::size_t bytes_max, Bytes& out) {
    out.clear();
    if (v == nullptr) return Status::ok();
    if (v->size() > bytes_max) {
        return corrupt(field.str() + ": " + std::to_string(v->size()) +
                       " bytes exceed the limit of " + std::to_string(bytes_max));
    }
    out.assign(reinterpret_cast<const char*>(v->data()), v->size());
    return Status::ok();
}

Status read_string(const flatbuffers::String* s, const FieldPath& field, std::size_t bytes_max,
                   std::string& out) {
    out.clear();
    if (s == nullptr) return Status::ok();
    if (s->size() > bytes_max) {
        return corrupt(field.str() + ": " + std::to_string(s->size()) +
                       " bytes exceed the limit of " + std::to_string(bytes_max));
    }
    out.assign(s->data(), s->size());
    return Status::ok();
}

Status check_count(std::size_t count, const FieldPath& field, std::size_t count_max) {
    if (count > count_max) {
        return corrupt(field.str() + ": " + std::to_string(count) +
                       " entries exceed the limit of " + std::to_string(count_max));
    }
    return Status::ok();
}

Status check_enum(unsigned value, const FieldPath& field, unsigned value_max) {
    if (value > value_max) {
        return corrupt(field.str() + ": unknown value " + std::to_string(value) + " (largest is " +
                       std::to_string(value_max) + ")");
    }
    return Status::ok();
}

}  // namespace remora::executor::fb_io
