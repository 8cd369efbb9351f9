#pragma once
// Transaction <-> FlatBuffers bytes (executor/schema/transaction.fbs). These bytes are the wire
// form only: the digest is over canonical_transaction_bytes(), which no FlatBuffers detail
// (field order, padding, vtable sharing) can change.

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

Bytes encode_transaction(const Transaction& tx);

// Verifies the buffer (size <= limits::kTransactionEncodedBytesMax, identifier "RXTX",
// FlatBuffers verifier) before reading any field, then checks every field and
// validate_transaction(): Corruption naming the field. Signatures are not checked here
// (verify_authenticators does that, and the lookup table may already hold the result).
common::Result<Transaction> decode_transaction(ByteView bytes);

}  // namespace remora::executor
