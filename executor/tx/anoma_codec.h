#pragma once
// Anoma messages <-> FlatBuffers bytes (executor/schema/anoma.fbs). Every message is wrapped
// in one AnomaMessage envelope (a FlatBuffers union) so that the receiver learns the kind from
// the bytes and can never read one kind as another.

#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/anoma.h"

namespace remora::executor {

Bytes encode_anoma_message(const AnomaMessage& message);

// Verifies the buffer (size <= limits::kAnomaMessageEncodedBytesMax, identifier "RXAN",
// FlatBuffers verifier) before reading any field, then checks every field and
// validate_anoma_message(): Corruption naming the field.
common::Result<AnomaMessage> decode_anoma_message(ByteView bytes);

// decode_anoma_message() that also requires the kind T; Corruption "expected T, got U".
template <typename T>
common::Result<T> decode_anoma_message_as(ByteView bytes) {
    auto message = decode_anoma_message(bytes);
    if (!message) return message.status();
    if (auto* typed = std::get_if<T>(&*message)) return std::move(*typed);
    return common::Status(common::Code::kCorruption, std::string("anoma message: expected ") +
                                                         anoma_message_name(AnomaMessage(T{})) +
                                                         ", got " + anoma_message_name(*message));
}

}  // namespace remora::executor
