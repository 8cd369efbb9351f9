#include "net/message_codec.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "executor/tx/effects_codec.h"
#include "executor/tx/fb_io.h"
#include "executor/tx/limits.h"
#include "executor/tx/lookup_table_codec.h"
#include "executor/tx/object_codec.h"
#include "net/hello_generated.h"
#include "net/limits.h"
#include "net/membership_generated.h"
#include "net/peer_effects_generated.h"
#include "net/pre_exec_result_generated.h"
#include "net/state_update_ack_generated.h"
#include "net/state_update_generated.h"
#include "net/tentative_order_generated.h"

namespace remora::net {
namespace {

namespace fbio = executor::fb_io;
namespace protocol = executor::protocol;
using common::Code;
using common::Status;

Status corrupt(const std::string& message) { return {Code::kCorruption, message}; }

// Every nested buffer must itself decode; an error names the outer field (built into a string
// only for an error, not for each of the primary's results).
template <typename T, typename Decode>
Status read_nested(const flatbuffers::Vector<std::uint8_t>* v, const executor::FieldPath& field,
                   Decode decode, T& out) {
    if (v == nullptr) return corrupt(field.str() + ": missing");
    auto decoded = decode(common::ByteView(reinterpret_cast<const char*>(v->data()), v->size()));
    if (!decoded) return corrupt(field.str() + ": " + decoded.status().message());
    out = std::move(decoded).value();
    return Status::ok();
}

Status read_identity(std::uint32_t rules_version, const flatbuffers::Vector<std::uint8_t>* digest,
                     const std::string& field, executor::ExecutorIdentity& out) {
    out.rules_version = rules_version;
    return fbio::read_fixed(digest, field, out.digest.bytes);
}

template <typename Root>
common::Result<fbio::VerifiedBuffer> open(
    common::ByteView bytes, const char* what, const char* identifier,
    std::uint32_t tables_max = executor::limits::kVerifierTablesMax) {
    return fbio::VerifiedBuffer::open<Root>(bytes, what, identifier, limits::kFrameBodyBytesMax,
                                            tables_max);
}

}  // namespace

const char* node_role_name(NodeRole role) {
    switch (role) {
        case NodeRole::kPrimary:
            return "primary";
        case NodeRole::kPreExecutor:
            return "pre-executor";
        case NodeRole::kClient:
            return "client";
    }
    return "unknown";
}

// --- Hello -----------------------------------------------------------------------------------

common::Bytes encode_hello(const Hello& hello) {
    flatbuffers::FlatBufferBuilder fbb(128);
    auto identity = fbio::make_bytes(fbb, hello.executor.digest.bytes);
    auto peer_host = hello.peer_host.empty()
                         ? 0
                         : fbb.CreateString(hello.peer_host.substr(0, kPeerHostBytesMax));
    fbb.Finish(fb::CreateHello(fbb, hello.protocol_version, hello.min_protocol_version,
                               static_cast<std::uint8_t>(hello.role), hello.node_id,
                               hello.executor.rules_version, identity, peer_host, hello.peer_port),
               fb::HelloIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<Hello> decode_hello(common::ByteView bytes) {
    auto buffer = open<fb::Hello>(bytes, "hello", fb::HelloIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::Hello>();
    Hello out;
    out.protocol_version = in->protocol_version();
    out.min_protocol_version = in->min_protocol_version();
    if (out.min_protocol_version == 0 || out.min_protocol_version > out.protocol_version) {
        return corrupt("hello: protocol versions [" + std::to_string(out.min_protocol_version) +
                       ", " + std::to_string(out.protocol_version) + "] are not a range");
    }
    REMORA_RETURN_IF_ERROR(fbio::check_enum(in->role(), "hello.role", kNodeRoleMax));
    if (in->role() == 0) return corrupt("hello.role: 0 is no role");
    out.role = static_cast<NodeRole>(in->role());
    out.node_id = in->node_id();
    REMORA_RETURN_IF_ERROR(read_identity(in->rules_version(), in->executor_identity(),
                                         "hello.executor_identity", out.executor));
    REMORA_RETURN_IF_ERROR(
        fbio::read_string(in->peer_host(), "hello.peer_host", kPeerHostBytesMax, out.peer_host));
    out.peer_port = in->peer_port();
    return out;
}

common::Result<std::uint32_t> negotiate_version(const Hello& mine, const Hello& theirs) {
    const std::uint32_t high = std::min(mine.protocol_version, theirs.protocol_version);
    const std::uint32_t low = std::max(mine.min_protocol_version, theirs.min_protocol_version);
    if (low > high) {
        return Status{Code::kFormatVersion, "no common wire protocol version: this node speaks " +
                                                std::to_string(mine.min_protocol_version) + ".." +
                                                std::to_string(mine.protocol_version) +
                                                ", the peer " +
                                                std::to_string(theirs.min_protocol_version) + ".." +
                                                std::to_string(theirs.protocol_version)};
    }
    return high;
}

common::Result<Hello> expect_hello(const Frame& frame, const Hello& mine) {
    if (frame.type != wire_type(MessageType::kHello)) {
        return Status{Code::kCorruption,
                      std::string("expected hello first, got ") + message_type_name(frame.type)};
    }
    auto hello = decode_hello(frame.body);
    if (!hello) return hello.status();
    auto version = negotiate_version(mine, *hello);
    if (!version) return version.status();
    return hello;
}

// --- PreExecResult ---------------------------------------------------------------------------

common::Bytes encode_pre_exec_result(const protocol::PreExecResult& result) {
    flatbuffers::FlatBufferBuilder fbb(1024);
    auto tx_digest = fbio::make_bytes(fbb, result.tx_digest.bytes);
    auto effects = fbio::make_nested(fbb, executor::encode_effects(result.effects));
    auto table = fbio::make_nested(fbb, executor::encode_lookup_table(result.table));
    std::vector<flatbuffers::Offset<fb::SpeculativeRead>> reads;
    reads.reserve(result.speculative_reads.size());
    for (const protocol::SpeculativeRead& read : result.speculative_reads) {
        reads.push_back(
            fb::CreateSpeculativeRead(fbb, fbio::make_bytes(fbb, read.id.bytes), read.version,
                                      fbio::make_bytes(fbb, read.writer_tx.bytes),
                                      fbio::make_bytes(fbb, read.writer_effects.bytes)));
    }
    auto read_vector = fbb.CreateVector(reads);
    auto identity = fbio::make_bytes(fbb, result.executor.digest.bytes);
    fbb.Finish(fb::CreatePreExecResult(fbb, result.pre_executor, tx_digest, effects, table,
                                       result.caught_up_commit, read_vector,
                                       result.executor.rules_version, identity, result.revision),
               fb::PreExecResultIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<protocol::PreExecResult> decode_pre_exec_result(common::ByteView bytes) {
    auto out = decode_pre_exec_result_for_submit(bytes);
    if (!out) return out;
    Status valid = protocol::validate_pre_exec_result(*out);
    if (!valid) return corrupt(valid.message());
    return out;
}

common::Result<protocol::PreExecResult> decode_pre_exec_result_for_submit(common::ByteView bytes) {
    auto buffer = open<fb::PreExecResult>(bytes, "pre_exec_result", fb::PreExecResultIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::PreExecResult>();
    protocol::PreExecResult out;
    out.pre_executor = in->pre_executor();
    REMORA_RETURN_IF_ERROR(
        fbio::read_fixed(in->tx_digest(), "pre_exec_result.tx_digest", out.tx_digest.bytes));
    REMORA_RETURN_IF_ERROR(read_nested(in->effects(), "pre_exec_result.effects",
                                       executor::decode_effects, out.effects));
    REMORA_RETURN_IF_ERROR(read_nested(in->lookup_table(), "pre_exec_result.lookup_table",
                                       executor::decode_lookup_table, out.table));
    out.caught_up_commit = in->caught_up_commit();
    out.revision = in->revision();
    if (const auto* reads = in->speculative_reads()) {
        REMORA_RETURN_IF_ERROR(fbio::check_count(reads->size(), "pre_exec_result.speculative_reads",
                                                 limits::kSpeculativeReadsMax));
        out.speculative_reads.reserve(reads->size());
        const executor::FieldPath list("pre_exec_result.speculative_reads");
        for (std::size_t i = 0; i < reads->size(); ++i) {
            const fb::SpeculativeRead* read = reads->Get(static_cast<flatbuffers::uoffset_t>(i));
            const executor::FieldPath field(list, i);
            protocol::SpeculativeRead value;
            REMORA_RETURN_IF_ERROR(
                fbio::read_fixed(read->id(), executor::FieldPath(field, ".id"), value.id.bytes));
            value.version = read->version();
            REMORA_RETURN_IF_ERROR(fbio::read_fixed(read->writer_tx(),
                                                    executor::FieldPath(field, ".writer_tx"),
                                                    value.writer_tx.bytes));
            REMORA_RETURN_IF_ERROR(fbio::read_fixed(read->writer_effects(),
                                                    executor::FieldPath(field, ".writer_effects"),
                                                    value.writer_effects.bytes));
            out.speculative_reads.push_back(value);
        }
    }
    REMORA_RETURN_IF_ERROR(read_identity(in->rules_version(), in->executor_identity(),
                                         "pre_exec_result.executor_identity", out.executor));
    return out;
}

// --- StateUpdate -----------------------------------------------------------------------------

common::Bytes encode_state_update(const protocol::StateUpdate& update) {
    flatbuffers::FlatBufferBuilder fbb(4096);
    std::vector<flatbuffers::Offset<fb::UpdateObject>> objects;
    objects.reserve(update.objects.size());
    for (const executor::Object& object : update.objects) {
        objects.push_back(
            fb::CreateUpdateObject(fbb, fbio::make_nested(fbb, executor::encode_object(object))));
    }
    auto object_vector = fbb.CreateVector(objects);
    std::vector<flatbuffers::Offset<fb::UpdateTombstone>> tombstones;
    tombstones.reserve(update.tombstones.size());
    for (const executor::DeletedObject& deleted : update.tombstones) {
        tombstones.push_back(fb::CreateUpdateTombstone(fbb, fbio::make_bytes(fbb, deleted.id.bytes),
                                                       deleted.version));
    }
    auto tombstone_vector = fbb.CreateVector(tombstones);
    fbb.Finish(
        fb::CreateStateUpdate(fbb, update.pre_executor, static_cast<std::uint8_t>(update.kind),
                              update.complete, update.from_commit, update.to_commit, object_vector,
                              tombstone_vector),
        fb::StateUpdateIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<protocol::StateUpdate> decode_state_update(common::ByteView bytes) {
    auto buffer = open<fb::StateUpdate>(bytes, "state_update", fb::StateUpdateIdentifier(),
                                        limits::kStateUpdateTablesMax);
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::StateUpdate>();
    protocol::StateUpdate out;
    out.pre_executor = in->pre_executor();
    REMORA_RETURN_IF_ERROR(fbio::check_enum(in->kind(), "state_update.kind", 1));
    out.kind = static_cast<protocol::StateUpdateKind>(in->kind());
    out.complete = in->complete();
    out.from_commit = in->from_commit();
    out.to_commit = in->to_commit();
    if (const auto* objects = in->objects()) {
        REMORA_RETURN_IF_ERROR(fbio::check_count(objects->size(), "state_update.objects",
                                                 limits::kStateUpdateObjectsMax));
        out.objects.reserve(objects->size());
        const executor::FieldPath list("state_update.objects");
        for (std::size_t i = 0; i < objects->size(); ++i) {
            executor::Object object;
            REMORA_RETURN_IF_ERROR(
                read_nested(objects->Get(static_cast<flatbuffers::uoffset_t>(i))->object(),
                            executor::FieldPath(list, i), executor::decode_object, object));
            out.objects.push_back(std::move(object));
        }
    }
    if (const auto* tombstones = in->tombstones()) {
        REMORA_RETURN_IF_ERROR(fbio::check_count(tombstones->size(), "state_update.tombstones",
                                                 limits::kStateUpdateObjectsMax));
        out.tombstones.reserve(tombstones->size());
        const executor::FieldPath list("state_update.tombstones");
        for (std::size_t i = 0; i < tombstones->size(); ++i) {
            const fb::UpdateTombstone* t = tombstones->Get(static_cast<flatbuffers::uoffset_t>(i));
            const executor::FieldPath field(list, i);
            executor::DeletedObject deleted;
            REMORA_RETURN_IF_ERROR(
                fbio::read_fixed(t->id(), executor::FieldPath(field, ".id"), deleted.id.bytes));
            deleted.version = t->version();
            out.tombstones.push_back(deleted);
        }
    }
    out.encoded_bytes = bytes.size();
    return out;
}

// --- StateUpdateAck --------------------------------------------------------------------------

common::Bytes encode_state_update_ack(const protocol::StateUpdateAck& ack) {
    flatbuffers::FlatBufferBuilder fbb(64);
    fbb.Finish(fb::CreateStateUpdateAck(fbb, ack.pre_executor, ack.caught_up_commit),
               fb::StateUpdateAckIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<protocol::StateUpdateAck> decode_state_update_ack(common::ByteView bytes) {
    auto buffer =
        open<fb::StateUpdateAck>(bytes, "state_update_ack", fb::StateUpdateAckIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::StateUpdateAck>();
    return protocol::StateUpdateAck{in->pre_executor(), in->caught_up_commit()};
}

// --- PeerEffects -----------------------------------------------------------------------------

common::Bytes encode_peer_effects(const PeerEffects& peer) {
    flatbuffers::FlatBufferBuilder fbb(1024);
    auto effects = fbio::make_nested(fbb, executor::encode_effects(peer.effects));
    auto digest = fbio::make_bytes(fbb, peer.effects_digest.bytes);
    fbb.Finish(fb::CreatePeerEffects(fbb, effects, digest), fb::PeerEffectsIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<PeerEffects> decode_peer_effects(common::ByteView bytes) {
    auto buffer = open<fb::PeerEffects>(bytes, "peer_effects", fb::PeerEffectsIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::PeerEffects>();
    PeerEffects out;
    REMORA_RETURN_IF_ERROR(
        read_nested(in->effects(), "peer_effects.effects", executor::decode_effects, out.effects));
    REMORA_RETURN_IF_ERROR(fbio::read_fixed(in->effects_digest(), "peer_effects.effects_digest",
                                            out.effects_digest.bytes));
    return out;
}

// --- Membership ------------------------------------------------------------------------------

common::Bytes encode_membership(const Membership& membership) {
    flatbuffers::FlatBufferBuilder fbb(64 + membership.members.size() * 48);
    std::vector<flatbuffers::Offset<fb::Member>> members;
    members.reserve(membership.members.size());
    for (const Member& m : membership.members) {
        members.push_back(fb::CreateMember(fbb, m.node_id, fbb.CreateString(m.host), m.port));
    }
    fbb.Finish(fb::CreateMembership(fbb, fbb.CreateVector(members)), fb::MembershipIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<Membership> decode_membership(common::ByteView bytes) {
    auto buffer = open<fb::Membership>(bytes, "membership", fb::MembershipIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::Membership>();
    Membership out;
    if (in->members() == nullptr) return out;
    if (in->members()->size() > kMembershipMembersMax) {
        return corrupt("membership.members: " + std::to_string(in->members()->size()) +
                       " members, at most " + std::to_string(kMembershipMembersMax));
    }
    out.members.reserve(in->members()->size());
    for (const fb::Member* m : *in->members()) {
        Member member;
        member.node_id = m->node_id();
        member.port = m->port();
        REMORA_RETURN_IF_ERROR(fbio::read_string(m->host(), "membership.members.host",
                                                 kPeerHostBytesMax, member.host));
        if (member.node_id == 0 || member.port == 0 || member.host.empty()) {
            return corrupt("membership.members: a member needs an id, a host and a port");
        }
        if (!out.members.empty() && out.members.back().node_id >= member.node_id) {
            return corrupt("membership.members: ids not ascending at " +
                           std::to_string(member.node_id));
        }
        out.members.push_back(std::move(member));
    }
    return out;
}

// --- TentativeOrder --------------------------------------------------------------------------

common::Bytes encode_tentative_order(const protocol::TentativeOrder& order) {
    flatbuffers::FlatBufferBuilder fbb(order.txs.size() * common::Digest{}.bytes.size() + 64);
    std::vector<std::uint8_t> digests;
    digests.reserve(order.txs.size() * common::Digest{}.bytes.size());
    for (const common::Digest& d : order.txs)
        digests.insert(digests.end(), d.bytes.begin(), d.bytes.end());
    auto list = fbb.CreateVector(digests);
    fbb.Finish(fb::CreateTentativeOrder(fbb, order.batch, order.commit, list),
               fb::TentativeOrderIdentifier());
    return fbio::finish_bytes(fbb);
}

common::Result<protocol::TentativeOrder> decode_tentative_order(common::ByteView bytes) {
    auto buffer =
        open<fb::TentativeOrder>(bytes, "tentative_order", fb::TentativeOrderIdentifier());
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::TentativeOrder>();
    protocol::TentativeOrder out;
    out.batch = in->batch();
    out.commit = in->commit();
    const auto* digests = in->tx_digests();
    constexpr std::size_t kDigestBytes = sizeof(common::Digest{}.bytes);
    if (digests == nullptr || digests->size() == 0) {
        return corrupt("tentative_order.tx_digests: missing (an order names at least one)");
    }
    if (digests->size() % kDigestBytes != 0) {
        return corrupt("tentative_order.tx_digests: " + std::to_string(digests->size()) +
                       " bytes, not whole 32-byte digests");
    }
    const std::size_t count = digests->size() / kDigestBytes;
    if (count > limits::kTentativeOrderTxsMax) {
        return corrupt("tentative_order.tx_digests: " + std::to_string(count) +
                       " transactions, at most " + std::to_string(limits::kTentativeOrderTxsMax));
    }
    out.txs.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::copy_n(digests->data() + i * kDigestBytes, kDigestBytes, out.txs[i].bytes.begin());
    }
    return out;
}

}  // namespace remora::net
