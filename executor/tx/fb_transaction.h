#pragma once
// Internal to the codecs: a Transaction as a table inside a larger FlatBuffer.

#include <string>

#include "executor/transaction_generated.h"
#include "executor/tx/fb_io.h"
#include "executor/tx/field_path.h"
#include "executor/tx/transaction.h"

namespace remora::executor::fb_io {

flatbuffers::Offset<fb::Transaction> build_transaction(Builder& fbb, const Transaction& tx);

// Clears `fbb` and finishes in it exactly the bytes encode_transaction(tx) returns: a caller
// that encodes many transactions reuses one builder's memory instead of allocating per call.
void finish_transaction(Builder& fbb, const Transaction& tx);

// REQUIRES: the enclosing buffer passed its verifier. `path` names the table in errors.
common::Status read_transaction(const fb::Transaction* in, const FieldPath& path, Transaction& out);

}  // namespace remora::executor::fb_io
