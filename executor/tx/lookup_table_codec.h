#pragma once
// LookupTable <-> FlatBuffers bytes (executor/schema/lookup_table.fbs): what a pre-executor
// sends to the primary beside the effects.

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/lookup_table.h"

namespace remora::executor {

Bytes encode_lookup_table(const LookupTable& table);

// Verifies the buffer (size <= limits::kLookupTableEncodedBytesMax, identifier "RXLT",
// FlatBuffers verifier) before reading any field, then checks every field and
// validate_lookup_table(): Corruption naming the field.
common::Result<LookupTable> decode_lookup_table(ByteView bytes);

}  // namespace remora::executor
