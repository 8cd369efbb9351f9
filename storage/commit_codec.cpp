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
    flatbuffers::FlatBufferBuilder builder(256 + write_count * 48 + body_bytes.size());
    std::vector<fb::ObjectRef> refs;
    refs.reserve(write_count);
    for (std::size_t i = 0; i < write_count; ++i) {
        ObjectRef w = write_at(i);
        refs.emplace_back(to_fb(w.id), w.version, w.tombstone);
    }
    auto writes = builder.CreateVectorOfStructs(refs);
    auto body = builder.CreateVector(reinterpret_cast<const std::uint8_t*>(body_bytes.data()),
                                     body_bytes.size());
    fb::Hash32 digest = to_fb(record.state_digest);
    fb::CommitRecordBuilder rec(builder);
    rec.add_index(record.index);
    rec.add_state_digest(&digest);
    rec.add_live_objects(record.live_objects);
    rec.add_writes(writes);
    rec.add_transactions(record.transactions);
    rec.add_body(body);
    fb::FinishCommitRecordBuffer(builder, rec.Finish());
    return {reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize()};
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
