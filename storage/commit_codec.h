#pragma once
// Encoding of the commit record (FlatBuffers table remora.storage.fb.CommitRecord).

#include <functional>

#include "common/status.h"
#include "storage/types.h"

namespace remora::storage {

common::Bytes encode_commit_record(const CommitRecord& record);
// The same bytes for `record` with its `writes` replaced by write_at(0), ..., write_at(count - 1)
// and its body by `body` (record.writes and record.body are ignored): spares the commit path a
// copy of every reference and of the body.
common::Bytes encode_commit_record(const CommitRecord& record, common::ByteView body,
                                   std::size_t write_count,
                                   const std::function<ObjectRef(std::size_t)>& write_at);
// Verifies the buffer before reading a field; kCorruption on any defect.
common::Result<CommitRecord> decode_commit_record(common::ByteView bytes);

}  // namespace remora::storage
