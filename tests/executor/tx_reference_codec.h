#pragma once
// Test-only: the encoders as they were written before the hot ones were tuned (session 11),
// with FlatBuffers' own calls only (CreateVector of std::vector offsets, fresh builders, each
// transaction and its effects finished on their own and copied into the body). The tuned
// encoders must give exactly these bytes: stored bodies are hashed into commit digests.

#include <span>

#include "common/bytes.h"
#include "executor/sequential/identity.h"
#include "executor/tx/effects.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::testing {

common::Bytes reference_encode_object(const executor::Object& object);
common::Bytes reference_encode_transaction(const executor::Transaction& tx);
common::Bytes reference_encode_effects(const executor::Effects& effects);
// A non-genesis commit body (format 2), as encode_commit_body(transactions, effects, identity).
common::Bytes reference_encode_commit_body(
    std::span<const executor::Transaction* const> transactions,
    std::span<const executor::Effects> effects, const executor::ExecutorIdentity& identity);

}  // namespace remora::testing
