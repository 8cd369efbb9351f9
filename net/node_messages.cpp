#include "net/node_messages.h"

#include "common/hash.h"
#include "executor/tx/fb_io.h"
#include "executor/tx/limits.h"
#include "executor/tx/transaction_codec.h"
#include "net/forward_transaction_generated.h"
#include "net/heartbeat_generated.h"
#include "net/limits.h"
#include "net/snapshot_chunk_generated.h"
#include "net/snapshot_chunk_request_generated.h"
#include "net/snapshot_offer_generated.h"
#include "net/snapshot_request_generated.h"
#include "net/submit_refused_generated.h"

namespace remora::net {
namespace {

namespace fbio = executor::fb_io;
using common::Status;

template <typename Root>
common::Result<fbio::VerifiedBuffer> open(common::ByteView bytes, const char* what,
                                          const char* identifier) {
    return fbio::VerifiedBuffer::open<Root>(bytes, what, identifier, limits::kFrameBodyBytesMax);
}

}  // namespace

const char* refusal_reason_name(RefusalReason reason) {
    switch (reason) {
        case RefusalReason::kMalformed:
            return "malformed";
        case RefusalReason::kInvalid:
            return "invalid";
        case RefusalReason::kOverloaded:
            return "overloaded";
        case RefusalReason::kShuttingDown:
            return "shutting_down";
        case RefusalReason::kWrongRole:
            return "wrong_role";
    }
    return "unknown";
}

// --- SubmitRefused ---------------------------------------------------------------------------

common::Bytes encode_submit_refused(const SubmitRefused& refused) {
    flatbuffers::FlatBufferBuilder fbb(256);
    auto digest = fbio::make_bytes(fbb, refused.tx_digest.bytes);
    auto message = fbb.CreateString(refused.message.substr(0, kRefusalMessageBytesMax));
    fbb.Finish(
        fb::CreateSubmitRefused(fbb, digest, static_cast<std::uint8_t>(refused.reason), message),
        fb::SubmitRefusedIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<SubmitRefused> decode_submit_refused(common::ByteView bytes) {
    auto buffer = open<fb::SubmitRefused>(bytes, "submit_refused", fb::SubmitRefusedIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::SubmitRefused>();
    SubmitRefused out;
    REMORA_RETURN_IF_ERROR(
        fbio::read_fixed(in->tx_digest(), "submit_refused.tx_digest", out.tx_digest.bytes));
    REMORA_RETURN_IF_ERROR(
        fbio::check_enum(in->reason(), "submit_refused.reason", kRefusalReasonMax));
    if (in->reason() == 0) return fbio::corrupt("submit_refused.reason: 0 is no reason");
    out.reason = static_cast<RefusalReason>(in->reason());
    REMORA_RETURN_IF_ERROR(fbio::read_string(in->message(), "submit_refused.message",
                                             kRefusalMessageBytesMax, out.message));
    return out;
}

// --- Heartbeat -------------------------------------------------------------------------------

common::Bytes encode_heartbeat(const Heartbeat& heartbeat) {
    flatbuffers::FlatBufferBuilder fbb(64);
    fbb.Finish(fb::CreateHeartbeat(fbb, heartbeat.commit_index), fb::HeartbeatIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<Heartbeat> decode_heartbeat(common::ByteView bytes) {
    auto buffer = open<fb::Heartbeat>(bytes, "heartbeat", fb::HeartbeatIdentifier());
    if (!buffer) return buffer.status();
    return Heartbeat{buffer->root<fb::Heartbeat>()->commit_index()};
}

// --- Snapshot transfer -----------------------------------------------------------------------

common::Bytes encode_snapshot_request(const SnapshotRequest& request) {
    flatbuffers::FlatBufferBuilder fbb(64);
    fbb.Finish(fb::CreateSnapshotRequest(fbb, request.resume_commit),
               fb::SnapshotRequestIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<SnapshotRequest> decode_snapshot_request(common::ByteView bytes) {
    auto buffer =
        open<fb::SnapshotRequest>(bytes, "snapshot_request", fb::SnapshotRequestIdentifier());
    if (!buffer) return buffer.status();
    return SnapshotRequest{buffer->root<fb::SnapshotRequest>()->resume_commit()};
}

common::Bytes encode_snapshot_offer(const SnapshotOffer& offer) {
    flatbuffers::FlatBufferBuilder fbb(offer.manifest.size() + 64);
    auto manifest = fbio::make_bytes(fbb, offer.manifest);
    fbb.Finish(fb::CreateSnapshotOffer(fbb, offer.commit_index, manifest),
               fb::SnapshotOfferIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<SnapshotOffer> decode_snapshot_offer(common::ByteView bytes) {
    auto buffer = open<fb::SnapshotOffer>(bytes, "snapshot_offer", fb::SnapshotOfferIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::SnapshotOffer>();
    SnapshotOffer out;
    out.commit_index = in->commit_index();
    if (out.commit_index == 0) return fbio::corrupt("snapshot_offer.commit_index: 0 is no commit");
    REMORA_RETURN_IF_ERROR(fbio::read_bytes(in->manifest(), "snapshot_offer.manifest",
                                            kSnapshotManifestBytesMax, out.manifest));
    if (out.manifest.empty()) return fbio::corrupt("snapshot_offer.manifest: missing");
    return out;
}

common::Bytes encode_snapshot_chunk_request(const SnapshotChunkRequest& request) {
    flatbuffers::FlatBufferBuilder fbb(64);
    fbb.Finish(fb::CreateSnapshotChunkRequest(fbb, request.commit_index, request.file_index,
                                              request.offset, request.length),
               fb::SnapshotChunkRequestIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<SnapshotChunkRequest> decode_snapshot_chunk_request(common::ByteView bytes) {
    auto buffer = open<fb::SnapshotChunkRequest>(bytes, "snapshot_chunk_request",
                                                 fb::SnapshotChunkRequestIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::SnapshotChunkRequest>();
    SnapshotChunkRequest out{in->commit_index(), in->file_index(), in->offset(), in->length()};
    if (out.length == 0 || out.length > kSnapshotChunkBytesMax) {
        return fbio::corrupt("snapshot_chunk_request.length: " + std::to_string(out.length) +
                             " is outside 1.." + std::to_string(kSnapshotChunkBytesMax));
    }
    return out;
}

common::Bytes encode_snapshot_chunk(const SnapshotChunk& chunk) {
    flatbuffers::FlatBufferBuilder fbb(chunk.data.size() + 128);
    auto data = fbio::make_bytes(fbb, chunk.data);
    fbb.Finish(fb::CreateSnapshotChunk(fbb, chunk.commit_index, chunk.file_index, chunk.offset,
                                       data, common::xxh3_64(chunk.data)),
               fb::SnapshotChunkIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<SnapshotChunk> decode_snapshot_chunk(common::ByteView bytes) {
    auto buffer = open<fb::SnapshotChunk>(bytes, "snapshot_chunk", fb::SnapshotChunkIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::SnapshotChunk>();
    SnapshotChunk out;
    out.commit_index = in->commit_index();
    out.file_index = in->file_index();
    out.offset = in->offset();
    REMORA_RETURN_IF_ERROR(
        fbio::read_bytes(in->data(), "snapshot_chunk.data", kSnapshotChunkBytesMax, out.data));
    if (common::xxh3_64(out.data) != in->xxh3()) {
        return fbio::corrupt("snapshot_chunk.data: its XXH3-64 is not the one sent with it");
    }
    return out;
}

// --- ForwardTransaction ----------------------------------------------------------------------

common::Bytes encode_forward_transaction(common::ByteView transaction_bytes) {
    REMORA_ASSERT(transaction_bytes.size() <= executor::limits::kTransactionEncodedBytesMax);
    flatbuffers::FlatBufferBuilder fbb(transaction_bytes.size() + 64);
    auto transaction = fbio::make_nested(fbb, transaction_bytes);
    fbb.Finish(fb::CreateForwardTransaction(fbb, transaction), fb::ForwardTransactionIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<executor::Transaction> decode_forward_transaction(common::ByteView bytes) {
    auto buffer = open<fb::ForwardTransaction>(bytes, "forward_transaction",
                                               fb::ForwardTransactionIdentifier());
    if (!buffer) return buffer.status();
    const auto* nested = buffer->root<fb::ForwardTransaction>()->transaction();
    if (nested == nullptr) return fbio::corrupt("forward_transaction.transaction: missing");
    auto tx = executor::decode_transaction(
        {reinterpret_cast<const char*>(nested->data()), nested->size()});
    if (!tx) return fbio::corrupt("forward_transaction.transaction: " + tx.status().message());
    return tx;
}

}  // namespace remora::net
