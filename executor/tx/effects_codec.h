#pragma once
// Effects <-> FlatBuffers bytes (executor/schema/effects.fbs): how pre-executors send effects
// to the primary and how commit records carry them. Comparisons ("byte-identical effects")
// use canonical_effects_bytes(), not these bytes.

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/effects.h"

namespace remora::executor {

Bytes encode_effects(const Effects& effects);

// Verifies the buffer (size <= limits::kEffectsEncodedBytesMax, identifier "RXEF",
// FlatBuffers verifier) before reading any field, then checks every field and
// validate_effects(): Corruption naming the field.
common::Result<Effects> decode_effects(ByteView bytes);

}  // namespace remora::executor
