#pragma once
// Object <-> FlatBuffers bytes (executor/schema/object.fbs): the form objects take in the store
// and on the wire. The encoding is deterministic (one builder sequence per object), so equal
// objects give equal bytes with this FlatBuffers version; canonical_object_bytes() is the form
// that is defined independently of any library.

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/object.h"

namespace remora::executor {

Bytes encode_object(const Object& object);

// Verifies the buffer (size <= limits::kObjectEncodedBytesMax, identifier "RXOB", FlatBuffers
// verifier) before reading any field, then checks every field: Corruption naming the field.
common::Result<Object> decode_object(ByteView bytes);

}  // namespace remora::executor
