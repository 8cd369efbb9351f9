#pragma once
// The executor's interface in Anoma's vocabulary (second seed; docs/design.md §3).
// ExecuteTransaction starts an execution, KVSRead delivers an input read from the state,
// KVSWrite carries an output, ExecutorFinished goes to the curator (the commit pipeline) and
// ExecutionSummary to the issuer (the client that submitted the transaction).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/effects.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

// Anoma's timestamp: the transaction's position in the total order.
struct TxFingerprint {
    common::CommitIndex commit_index = 0;
    std::uint32_t index_in_commit = 0;
    // NOLINTNEXTLINE(modernize-use-nullptr): its synthesized `< 0`, llvm-project#53961
    auto operator<=>(const TxFingerprint&) const = default;
};

// Anoma's ExternalIdentity: 32 bytes naming an engine (a node id) or a client (its address).
using ExternalIdentity = common::Hash256;

struct ExecuteTransaction {
    Transaction executable;
    TxFingerprint timestamp;
    ExternalIdentity curator;
    ExternalIdentity issuer;

    // The label is the transaction's declared inputs; it is not sent twice.
    const std::vector<InputObject>& label() const { return executable.inputs; }
    bool operator==(const ExecuteTransaction&) const = default;
};

// A read of `key` at `timestamp`. `data` absent: no live object; `version` is then the
// tombstone's version, or 0 if the key never held an object. Present: data->id == key and
// data->version == version.
struct KvsRead {
    TxFingerprint timestamp;
    ObjectId key;
    Version version = 0;
    std::optional<Object> data;
    bool operator==(const KvsRead&) const = default;
};

// A write of `key`: the new object, or a deletion (data absent) with the tombstone `version`.
struct KvsWrite {
    TxFingerprint timestamp;
    ObjectId key;
    Version version = 0;
    std::optional<Object> data;
    bool operator==(const KvsWrite&) const = default;
};

struct ExecutorFinished {
    TxFingerprint timestamp;
    common::Digest tx_digest;
    AbortCode status = AbortCode::kNone;
    std::uint64_t gas_used = 0;
    common::Digest effects_digest;
    bool operator==(const ExecutorFinished&) const = default;
};

struct ExecutionSummary {
    TxFingerprint timestamp;
    common::Digest tx_digest;
    ExecutionStatus status;
    std::uint64_t gas_used = 0;
    common::Digest effects_digest;
    bool operator==(const ExecutionSummary&) const = default;
};

// The order of alternatives is the union type on the wire minus one (0 is "none" there).
using AnomaMessage =
    std::variant<ExecuteTransaction, KvsRead, KvsWrite, ExecutorFinished, ExecutionSummary>;

// "ExecuteTransaction", "KvsRead", ...
const char* anoma_message_name(const AnomaMessage& message);

// Semantic bounds of each message (and of the transaction or object it carries).
common::Status validate_anoma_message(const AnomaMessage& message);

}  // namespace remora::executor
