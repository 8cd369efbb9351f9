#pragma once
// The node's messages beyond the engines' (docs/wire_format.md): client ingress, liveness and
// snapshot transfer, as plain values with their FlatBuffers codecs. Decoding trusts nothing, as
// message_codec.h: the verifier first, then every field against its bound; kCorruption names
// the field.
//
// Client ingress reuses existing encodings where one exists: a SubmitTransaction body is a
// Transaction buffer (executor/schema/transaction.fbs), an ExecutionSummary body and an
// ExecuteTransaction body are Anoma messages (executor/schema/anoma.fbs). A ForwardTransaction
// (wire version 4) carries the Transaction buffer a client submitted, byte for byte.

#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/transaction.h"

namespace remora::net {

// Why a submission was not admitted. Append-only: the numbers are on the wire.
enum class RefusalReason : std::uint8_t {
    kMalformed = 1,     // the body is not a valid transaction buffer
    kInvalid = 2,       // it decodes but breaks validate_transaction (or a node limit)
    kOverloaded = 3,    // the node's admission bound is reached: retry later
    kShuttingDown = 4,  // the node is stopping: submit elsewhere or later
    kWrongRole = 5,     // a message that has no business on this port
};
inline constexpr std::uint8_t kRefusalReasonMax = 5;
// "malformed", "invalid", "overloaded", "shutting_down", "wrong_role".
const char* refusal_reason_name(RefusalReason reason);

inline constexpr std::size_t kRefusalMessageBytesMax = 1024;

struct SubmitRefused {
    common::Digest tx_digest;  // all zero when the submission did not decode
    RefusalReason reason = RefusalReason::kMalformed;
    std::string message;  // at most kRefusalMessageBytesMax (encode cuts longer ones)

    bool operator==(const SubmitRefused&) const = default;
};

struct Heartbeat {
    common::CommitIndex commit_index = 0;
    bool operator==(const Heartbeat&) const = default;
};

struct SnapshotRequest {
    common::CommitIndex resume_commit = 0;  // 0: the latest
    bool operator==(const SnapshotRequest&) const = default;
};

struct SnapshotOffer {
    common::CommitIndex commit_index = 0;
    common::Bytes manifest;  // the REMORA-SNAPSHOT file's bytes, decoded by the receiver
    bool operator==(const SnapshotOffer&) const = default;
};

// The largest piece of a snapshot file one chunk carries.
inline constexpr std::uint32_t kSnapshotChunkBytesMax = 1u << 20;
// The largest manifest an offer carries (docs/snapshot_format.md bounds the file itself).
inline constexpr std::size_t kSnapshotManifestBytesMax = 16u << 20;

struct SnapshotChunkRequest {
    common::CommitIndex commit_index = 0;
    std::uint32_t file_index = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;  // 1..kSnapshotChunkBytesMax
    bool operator==(const SnapshotChunkRequest&) const = default;
};

struct SnapshotChunk {
    common::CommitIndex commit_index = 0;
    std::uint32_t file_index = 0;
    std::uint64_t offset = 0;
    common::Bytes data;  // at most kSnapshotChunkBytesMax; decode checks xxh3 against it
    bool operator==(const SnapshotChunk&) const = default;
};

common::Bytes encode_submit_refused(const SubmitRefused& refused);
common::Result<SubmitRefused> decode_submit_refused(common::ByteView bytes);

common::Bytes encode_heartbeat(const Heartbeat& heartbeat);
common::Result<Heartbeat> decode_heartbeat(common::ByteView bytes);

common::Bytes encode_snapshot_request(const SnapshotRequest& request);
common::Result<SnapshotRequest> decode_snapshot_request(common::ByteView bytes);

common::Bytes encode_snapshot_offer(const SnapshotOffer& offer);
common::Result<SnapshotOffer> decode_snapshot_offer(common::ByteView bytes);

common::Bytes encode_snapshot_chunk_request(const SnapshotChunkRequest& request);
common::Result<SnapshotChunkRequest> decode_snapshot_chunk_request(common::ByteView bytes);

// The chunk's XXH3-64 travels with it; decode refuses data that does not match (kCorruption).
common::Bytes encode_snapshot_chunk(const SnapshotChunk& chunk);
common::Result<SnapshotChunk> decode_snapshot_chunk(common::ByteView bytes);

// The bytes of a transaction buffer as the client submitted them (the primary decoded and
// validated them at admission), wrapped without decoding or re-encoding them; the copy's start
// is 8-byte aligned in the body so the receiver reads it in place. REQUIRES:
// transaction_bytes.size() <= limits::kTransactionEncodedBytesMax.
common::Bytes encode_forward_transaction(common::ByteView transaction_bytes);
// Decodes and validates the nested transaction as decode_transaction does (kCorruption naming
// "forward_transaction.transaction" and the field): the receiver trusts nothing the primary sent.
common::Result<executor::Transaction> decode_forward_transaction(common::ByteView bytes);

}  // namespace remora::net
