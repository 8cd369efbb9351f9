#pragma once
// Encoding of the commit record (FlatBuffers table remora.storage.fb.CommitRecord).

#include <array>
#include <functional>

#include <flatbuffers/flatbuffers.h>

#include "common/status.h"
#include "storage/types.h"

namespace remora::storage {

// A commit record encoded around a body it never copied: the record's bytes are parts(body)
// joined, the same bytes encode_commit_record gives for that body. The commit path hands the
// parts to RocksDB, which copies the body once, into the write batch.
class CommitRecordParts {
public:
    // REQUIRES: `body` is the body the parts were encoded for (its size, at least).
    std::array<common::ByteView, 3> parts(common::ByteView body) const;

private:
    friend CommitRecordParts encode_commit_record_parts(
        const CommitRecord&, common::ByteView, std::size_t,
        const std::function<ObjectRef(std::size_t)>&);
    flatbuffers::DetachedBuffer m_buffer;  // the body's room in it is left unwritten
    std::size_t m_body_from_end = 0;       // where the body starts, counted from the end
    std::size_t m_body_size = 0;
};

common::Bytes encode_commit_record(const CommitRecord& record);
// The same bytes for `record` with its `writes` replaced by write_at(0), ..., write_at(count - 1)
// and its body by `body` (record.writes and record.body are ignored): spares the commit path a
// copy of every reference and of the body.
common::Bytes encode_commit_record(const CommitRecord& record, common::ByteView body,
                                   std::size_t write_count,
                                   const std::function<ObjectRef(std::size_t)>& write_at);
// The same record as parts around `body`, without copying it.
CommitRecordParts encode_commit_record_parts(const CommitRecord& record, common::ByteView body,
                                             std::size_t write_count,
                                             const std::function<ObjectRef(std::size_t)>& write_at);
// Verifies the buffer before reading a field; kCorruption on any defect.
common::Result<CommitRecord> decode_commit_record(common::ByteView bytes);

}  // namespace remora::storage
