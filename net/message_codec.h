#pragma once
// The cluster messages' wire bodies (docs/wire_format.md): FlatBuffers, one schema per message
// under net/schema/, each with its own file identifier. Decoding trusts nothing: the buffer
// passes the FlatBuffers verifier before a field is read, every nested buffer (effects, lookup
// table, objects) is decoded and validated by its own codec, enums are range-checked, and a
// result must pass validate_pre_exec_result before it is returned (a state update's order
// rules are the pre-executor's, apply_state_update). Any defect is kCorruption naming the field.

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/protocol/messages.h"  // and ExecutorIdentity
#include "executor/protocol/ordered_replay.h"
#include "executor/tx/effects.h"
#include "net/frame.h"

namespace remora::net {

// The wire protocol version; bumped with every incompatible change to a frame or body. A peer
// speaks every version in [min_protocol_version, protocol_version].
// Version 1 had the cluster messages only and no process ever spoke it (there was no node);
// version 2 adds client ingress, ExecuteTransaction, heartbeats and snapshot transfer, and the
// client role in Hello. A version-1 peer is refused by negotiate_version with both ranges named.
// Version 3 adds PreExecResult.revision (a superseding result's number); a version-2 peer sends
// none, read as 0, so version 2 is still spoken.
// Version 4 adds three primary -> pre-executor messages: tentative_order (type 15),
// relayed_result (type 16, a pre_exec_result body) and forward_transaction (type 17: the client's
// transaction bytes as submitted, instead of an ExecuteTransaction re-encoding them). The primary
// sends them only on links that agreed on 4 or later, so versions 2 and 3 are still spoken.
// Version 5 adds peer links (pre-executor <-> pre-executor, peer_effects, type 5): a pre-executor's
// hello names its peer-link port (Hello.peer_host, peer_port), the primary sends membership
// (type 18) on links that agreed on 5 or later, and a peer link needs 5 at both ends (an older
// peer is refused with both ranges named). Versions 2 to 4 are still spoken to the primary.
inline constexpr std::uint32_t kWireProtocolVersion = 5;
inline constexpr std::uint32_t kConvergenceVersion = 4;  // the first with types 15 to 17
inline constexpr std::uint32_t kPeerLinksVersion = 5;    // the first with membership, peer links
inline constexpr std::uint32_t kWireProtocolVersionMin = 2;

enum class NodeRole : std::uint8_t { kPrimary = 1, kPreExecutor = 2, kClient = 3 };
inline constexpr std::uint8_t kNodeRoleMax = 3;
// "primary", "pre-executor", "client".
const char* node_role_name(NodeRole role);

struct Hello {
    std::uint32_t protocol_version = kWireProtocolVersion;
    std::uint32_t min_protocol_version = kWireProtocolVersionMin;
    NodeRole role = NodeRole::kPreExecutor;
    std::uint32_t node_id = 0;
    executor::ExecutorIdentity executor = executor::executor_identity();
    // Version 5, a pre-executor's hello to the primary: its peer-link port (0: none) and the
    // address it listens on ("": the address its link comes from; at most kPeerHostBytesMax).
    std::string peer_host;
    std::uint16_t peer_port = 0;

    bool operator==(const Hello&) const = default;
};

// An address in a hello or a membership: an IP literal, at most this long.
inline constexpr std::size_t kPeerHostBytesMax = 64;
// Members in one membership message.
inline constexpr std::size_t kMembershipMembersMax = 1024;

struct Member {
    std::uint32_t node_id = 0;
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const Member&) const = default;
};

// The pre-executors that take peer links (docs/wire_format.md, "Peer links").
struct Membership {
    std::vector<Member> members;  // ascending node_id, each once
    bool operator==(const Membership&) const = default;
};

// One result's effects, forwarded to another pre-executor with the digest its sender computed.
struct PeerEffects {
    executor::Effects effects;
    common::Digest effects_digest;

    bool operator==(const PeerEffects&) const = default;
};

common::Bytes encode_hello(const Hello& hello);
common::Result<Hello> decode_hello(common::ByteView bytes);

// The protocol version both sides speak (the highest in both ranges), or kFormatVersion with a
// message that names both ranges: an upgrade is a known event, not a stream of unknown types.
common::Result<std::uint32_t> negotiate_version(const Hello& mine, const Hello& theirs);

// The first frame of a connection, which must be the peer's hello: kCorruption when it is
// another message or does not decode, kFormatVersion when no protocol version meets. The roles
// are the caller's to check.
common::Result<Hello> expect_hello(const Frame& frame, const Hello& mine);

common::Bytes encode_pre_exec_result(const executor::protocol::PreExecResult& result);
common::Result<executor::protocol::PreExecResult> decode_pre_exec_result(common::ByteView bytes);
// The same without executor::protocol::validate_pre_exec_result, for the one caller that hands
// the result to executor::protocol::Primary::submit before anything acts on it: submit runs that
// check itself (and a result that fails it is refused there), so it is not run twice.
common::Result<executor::protocol::PreExecResult> decode_pre_exec_result_for_submit(
    common::ByteView bytes);

common::Bytes encode_state_update(const executor::protocol::StateUpdate& update);
// encoded_bytes of the result is the body's size.
common::Result<executor::protocol::StateUpdate> decode_state_update(common::ByteView bytes);

common::Bytes encode_state_update_ack(const executor::protocol::StateUpdateAck& ack);
common::Result<executor::protocol::StateUpdateAck> decode_state_update_ack(common::ByteView bytes);

// A batch's tentative order. Decoding refuses a digest list that is not whole 32-byte digests
// or longer than limits::kTentativeOrderTxsMax.
common::Bytes encode_tentative_order(const executor::protocol::TentativeOrder& order);
common::Result<executor::protocol::TentativeOrder> decode_tentative_order(common::ByteView bytes);

// Decoding refuses ids out of order or repeated, id or port 0, an empty or overlong host and
// more than kMembershipMembersMax members.
common::Bytes encode_membership(const Membership& membership);
common::Result<Membership> decode_membership(common::ByteView bytes);

common::Bytes encode_peer_effects(const PeerEffects& peer);
common::Result<PeerEffects> decode_peer_effects(common::ByteView bytes);

}  // namespace remora::net
