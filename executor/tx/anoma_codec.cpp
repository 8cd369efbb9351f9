#include "executor/tx/anoma_codec.h"

#include "executor/anoma_generated.h"
#include "executor/tx/fb_io.h"
#include "executor/tx/fb_object.h"
#include "executor/tx/fb_transaction.h"

namespace remora::executor {
namespace {

using namespace fb_io;
using fb_io::Builder;

fb::TxFingerprint to_fb(const TxFingerprint& t) {
    return fb::TxFingerprint(t.commit_index, t.index_in_commit);
}

flatbuffers::Offset<fb::Object> optional_object(Builder& fbb, const std::optional<Object>& o) {
    return o ? build_object(fbb, *o) : flatbuffers::Offset<fb::Object>();
}

// One overload per message kind: returns the union type and the table's offset.
struct Encoder {
    Builder& fbb;

    std::pair<fb::AnomaBody, flatbuffers::Offset<void>> operator()(const ExecuteTransaction& m) {
        auto tx = build_transaction(fbb, m.executable);
        auto curator = make_bytes(fbb, m.curator.bytes);
        auto issuer = make_bytes(fbb, m.issuer.bytes);
        auto ts = to_fb(m.timestamp);
        auto offset = fb::CreateExecuteTransaction(fbb, tx, &ts, curator, issuer);
        return {fb::AnomaBody::ExecuteTransaction, offset.Union()};
    }
    std::pair<fb::AnomaBody, flatbuffers::Offset<void>> operator()(const KvsRead& m) {
        auto key = make_bytes(fbb, m.key.bytes);
        auto data = optional_object(fbb, m.data);
        auto ts = to_fb(m.timestamp);
        return {fb::AnomaBody::KvsRead, fb::CreateKvsRead(fbb, &ts, key, m.version, data).Union()};
    }
    std::pair<fb::AnomaBody, flatbuffers::Offset<void>> operator()(const KvsWrite& m) {
        auto key = make_bytes(fbb, m.key.bytes);
        auto data = optional_object(fbb, m.data);
        auto ts = to_fb(m.timestamp);
        return {fb::AnomaBody::KvsWrite,
                fb::CreateKvsWrite(fbb, &ts, key, m.version, data).Union()};
    }
    std::pair<fb::AnomaBody, flatbuffers::Offset<void>> operator()(const ExecutorFinished& m) {
        auto tx_digest = make_bytes(fbb, m.tx_digest.bytes);
        auto effects_digest = make_bytes(fbb, m.effects_digest.bytes);
        auto ts = to_fb(m.timestamp);
        auto offset = fb::CreateExecutorFinished(
            fbb, &ts, tx_digest, static_cast<std::uint16_t>(m.status), m.gas_used, effects_digest);
        return {fb::AnomaBody::ExecutorFinished, offset.Union()};
    }
    std::pair<fb::AnomaBody, flatbuffers::Offset<void>> operator()(const ExecutionSummary& m) {
        auto tx_digest = make_bytes(fbb, m.tx_digest.bytes);
        auto detail = fbb.CreateString(m.status.detail);
        auto effects_digest = make_bytes(fbb, m.effects_digest.bytes);
        auto ts = to_fb(m.timestamp);
        auto offset = fb::CreateExecutionSummary(
            fbb, &ts, tx_digest, static_cast<std::uint16_t>(m.status.code), m.status.abort_value,
            detail, m.gas_used, effects_digest);
        return {fb::AnomaBody::ExecutionSummary, offset.Union()};
    }
};

common::Status read_timestamp(const fb::TxFingerprint* in, const std::string& path,
                              TxFingerprint& out) {
    if (in == nullptr) return corrupt(path + ".timestamp: missing");
    out = {in->commit_index(), in->index_in_commit()};
    return common::Status::ok();
}

// KvsRead and KvsWrite have the same fields.
template <typename Table, typename Message>
common::Status read_keyed(const Table* in, const std::string& path, Message& out) {
    REMORA_RETURN_IF_ERROR(read_timestamp(in->timestamp(), path, out.timestamp));
    REMORA_RETURN_IF_ERROR(read_fixed(in->key(), path + ".key", out.key.bytes));
    out.version = in->version();
    if (in->data() != nullptr) {
        out.data.emplace();
        REMORA_RETURN_IF_ERROR(read_object(in->data(), path + ".data", *out.data));
    }
    return common::Status::ok();
}

common::Result<AnomaMessage> read_body(const fb::AnomaMessage* in) {
    // The verifier accepts a union whose type is set but whose table is absent.
    if (in->body_type() != fb::AnomaBody::NONE && in->body() == nullptr) {
        return corrupt("anoma message.body: missing for kind " +
                       std::to_string(static_cast<unsigned>(in->body_type())));
    }
    switch (in->body_type()) {
        case fb::AnomaBody::ExecuteTransaction: {
            const auto* body = in->body_as_ExecuteTransaction();
            ExecuteTransaction m;
            REMORA_RETURN_IF_ERROR(
                read_timestamp(body->timestamp(), "ExecuteTransaction", m.timestamp));
            REMORA_RETURN_IF_ERROR(read_transaction(body->executable(),
                                                    "ExecuteTransaction.executable", m.executable));
            REMORA_RETURN_IF_ERROR(
                read_fixed(body->curator(), "ExecuteTransaction.curator", m.curator.bytes));
            REMORA_RETURN_IF_ERROR(
                read_fixed(body->issuer(), "ExecuteTransaction.issuer", m.issuer.bytes));
            return AnomaMessage(std::move(m));
        }
        case fb::AnomaBody::KvsRead: {
            KvsRead m;
            REMORA_RETURN_IF_ERROR(read_keyed(in->body_as_KvsRead(), "KvsRead", m));
            return AnomaMessage(std::move(m));
        }
        case fb::AnomaBody::KvsWrite: {
            KvsWrite m;
            REMORA_RETURN_IF_ERROR(read_keyed(in->body_as_KvsWrite(), "KvsWrite", m));
            return AnomaMessage(std::move(m));
        }
        case fb::AnomaBody::ExecutorFinished: {
            const auto* body = in->body_as_ExecutorFinished();
            ExecutorFinished m;
            REMORA_RETURN_IF_ERROR(
                read_timestamp(body->timestamp(), "ExecutorFinished", m.timestamp));
            REMORA_RETURN_IF_ERROR(
                read_fixed(body->tx_digest(), "ExecutorFinished.tx_digest", m.tx_digest.bytes));
            REMORA_RETURN_IF_ERROR(
                check_enum(body->abort_code(), "ExecutorFinished.abort_code", kAbortCodeMax));
            m.status = static_cast<AbortCode>(body->abort_code());
            m.gas_used = body->gas_used();
            REMORA_RETURN_IF_ERROR(read_fixed(
                body->effects_digest(), "ExecutorFinished.effects_digest", m.effects_digest.bytes));
            return AnomaMessage(m);  // trivially copyable: nothing to move
        }
        case fb::AnomaBody::ExecutionSummary: {
            const auto* body = in->body_as_ExecutionSummary();
            ExecutionSummary m;
            REMORA_RETURN_IF_ERROR(
                read_timestamp(body->timestamp(), "ExecutionSummary", m.timestamp));
            REMORA_RETURN_IF_ERROR(
                read_fixed(body->tx_digest(), "ExecutionSummary.tx_digest", m.tx_digest.bytes));
            REMORA_RETURN_IF_ERROR(
                check_enum(body->abort_code(), "ExecutionSummary.abort_code", kAbortCodeMax));
            m.status.code = static_cast<AbortCode>(body->abort_code());
            m.status.abort_value = body->abort_value();
            REMORA_RETURN_IF_ERROR(read_string(body->abort_detail(),
                                               "ExecutionSummary.abort_detail",
                                               limits::kAbortDetailBytesMax, m.status.detail));
            m.gas_used = body->gas_used();
            REMORA_RETURN_IF_ERROR(read_fixed(
                body->effects_digest(), "ExecutionSummary.effects_digest", m.effects_digest.bytes));
            return AnomaMessage(std::move(m));
        }
        case fb::AnomaBody::NONE:
            return corrupt("anoma message: no body");
    }
    return corrupt("anoma message.body_type: unknown message kind " +
                   std::to_string(static_cast<unsigned>(in->body_type())));
}

}  // namespace

Bytes encode_anoma_message(const AnomaMessage& message) {
    Builder fbb(1024);
    auto [type, body] = std::visit(Encoder{fbb}, message);
    fbb.Finish(fb::CreateAnomaMessage(fbb, type, body), fb::AnomaMessageIdentifier());
    return finish_bytes(fbb);
}

common::Result<AnomaMessage> decode_anoma_message(ByteView bytes) {
    auto buffer = VerifiedBuffer::open<fb::AnomaMessage>(
        bytes, "anoma message", fb::AnomaMessageIdentifier(), limits::kAnomaMessageEncodedBytesMax);
    if (!buffer) return buffer.status();
    auto message = read_body(buffer->root<fb::AnomaMessage>());
    if (!message) return message;
    REMORA_RETURN_IF_ERROR(as_corrupt(validate_anoma_message(*message)));
    return message;
}

}  // namespace remora::executor
