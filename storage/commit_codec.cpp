#include "storage/commit_codec.h"

#include <cstring>

#include "common/limits.h"
#include "storage/commit_record_generated.h"

namespace remora::storage {
namespace {

fb::Hash32 to_fb(const common::Hash256& h) {
    return fb::Hash32(flatbuffers::span<const std::uint8_t, 32>(h.bytes));
}

common::Hash256 from_fb(const fb::Hash32& h) {
    common::Hash256 out;
    std::memcpy(out.bytes.data(), h.v()->Data(), 32);
    return out;
}

}  // namespace

common::Bytes encode_commit_record(const CommitRecord& record) {
    return encode_commit_record(record, record.body, record.writes.size(),
                                [&record](std::size_t i) { return record.writes[i]; });
}

common::Bytes encode_commit_record(const CommitRecord& record, common::ByteView body_bytes,
                                   std::size_t write_count,
                                   const std::function<ObjectRef(std::size_t)>& write_at) {
    const CommitRecordParts encoded =
        encode_commit_record_parts(record, body_bytes, write_count, write_at);
    common::Bytes out;
    const auto parts = encoded.parts(body_bytes);
    out.reserve(parts[0].size() + parts[1].size() + parts[2].size());
    for (common::ByteView part : parts) out.append(part);
    return out;
}

CommitRecordParts encode_commit_record_parts(
    const CommitRecord& record, common::ByteView body_bytes, std::size_t write_count,
    const std::function<ObjectRef(std::size_t)>& write_at) {
    // Room for the body too (left unwritten), so that the buffer is allocated once.
    flatbuffers::FlatBufferBuilder builder(256 + write_count * 48 + body_bytes.size());
    std::vector<fb::ObjectRef> refs;
    refs.reserve(write_count);
    for (std::size_t i = 0; i < write_count; ++i) {
        ObjectRef w = write_at(i);
        refs.emplace_back(to_fb(w.id), w.version, w.tombstone);
    }
    auto writes = builder.CreateVectorOfStructs(refs);
    // The body's vector as CreateVector lays it out, its bytes not written: parts() puts the
    // caller's body there. The builder grows downwards, so the body's distance from the end
    // of the buffer is final once the vector is made.
    std::uint8_t* unwritten = nullptr;
    auto body = builder.CreateUninitializedVector(body_bytes.size(), &unwritten);
    CommitRecordParts out;
    out.m_body_from_end =
        static_cast<std::size_t>(builder.GetCurrentBufferPointer() + builder.GetSize() - unwritten);
    out.m_body_size = body_bytes.size();
    fb::Hash32 digest = to_fb(record.state_digest);
    fb::CommitRecordBuilder rec(builder);
    rec.add_index(record.index);
    rec.add_state_digest(&digest);
    rec.add_live_objects(record.live_objects);
    rec.add_writes(writes);
    rec.add_transactions(record.transactions);
    rec.add_body(body);
    fb::FinishCommitRecordBuffer(builder, rec.Finish());
    out.m_buffer = builder.Release();
    return out;
}

std::array<common::ByteView, 3> CommitRecordParts::parts(common::ByteView body) const {
    REMORA_ASSERT(body.size() == m_body_size);
    const auto* data = reinterpret_cast<const char*>(m_buffer.data());
    const std::size_t body_at = m_buffer.size() - m_body_from_end;
    return {
        common::ByteView(data, body_at), body,
        common::ByteView(data + body_at + m_body_size, m_buffer.size() - body_at - m_body_size)};
}

common::Result<CommitRecord> decode_commit_record(common::ByteView bytes) {
    using common::Code;
    if (bytes.size() > common::limits::kCommitBodyBytesMax + (64u << 20)) {
        return common::Status{Code::kCorruption, "commit record larger than the limit"};
    }
    flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size(), /*max_depth=*/8, /*max_tables=*/16,
                                   /*check_alignment=*/true);
    if (!fb::VerifyCommitRecordBuffer(verifier)) {
        return common::Status{Code::kCorruption, "commit record fails FlatBuffers verification"};
    }
    const fb::CommitRecord* rec = fb::GetCommitRecord(bytes.data());
    if (rec->state_digest() == nullptr) {
        return common::Status{Code::kCorruption, "commit record has no state digest"};
    }
    CommitRecord out;
    out.index = rec->index();
    out.state_digest = from_fb(*rec->state_digest());
    out.live_objects = rec->live_objects();
    out.transactions = rec->transactions();
    if (rec->writes() != nullptr) {
        out.writes.reserve(rec->writes()->size());
        for (const fb::ObjectRef* w : *rec->writes()) {
            out.writes.push_back({from_fb(w->id()), w->version(), w->tombstone()});
        }
    }
    if (rec->body() != nullptr) {
        out.body.assign(reinterpret_cast<const char*>(rec->body()->data()), rec->body()->size());
    }
    return out;
}

}  // namespace remora::storage
