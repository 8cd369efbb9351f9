#include "executor/tx/fb_io.h"

namespace remora::executor::fb_io {

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
