#pragma once
// Encoding of the commit record (FlatBuffers table remora.storage.fb.CommitRecord).

#include "common/status.h"
#include "storage/types.h"

namespace remora::storage {

common::Bytes encode_commit_record(const CommitRecord& record);
// Verifies the buffer before reading a field; kCorruption on any defect.
common::Result<CommitRecord> decode_commit_record(common::ByteView bytes);

}  // namespace remora::storage
