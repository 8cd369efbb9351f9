#pragma once
// Framing of the Remora wire protocol (docs/wire_format.md): pure functions, no sockets.
//
//   BE32 body length ‖ BE16 message type ‖ BE64 XXH3-64(BE16 type ‖ body) ‖ body
//
// The length is checked against limits::kFrameBodyBytesMax before anything is allocated for
// the body; the checksum covers the type too, so a flipped type is caught like a flipped body
// byte. The body is a FlatBuffer whose meaning the type gives (message_codec.h); framing never
// looks inside it.

#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::net {

inline constexpr std::size_t kFrameHeaderBytes = 4 + 2 + 8;

// Append-only: the numbers are on the wire.
enum class MessageType : std::uint16_t {
    kHello = 1,           // the handshake: protocol version and executor identity
    kPreExecResult = 2,   // pre-executor -> primary
    kStateUpdate = 3,     // primary -> pre-executor
    kStateUpdateAck = 4,  // pre-executor -> primary
    kPeerEffects = 5,     // pre-executor -> pre-executor (peer forwarding, a peer link)
    // Since protocol version 2 (the node):
    kSubmitTransaction = 6,      // client -> primary (ingress): a Transaction buffer
    kExecutionSummary = 7,       // primary -> client: an Anoma ExecutionSummary
    kSubmitRefused = 8,          // primary -> client: not admitted, and why
    kExecuteTransaction = 9,     // primary -> pre-executor: an Anoma ExecuteTransaction
    kHeartbeat = 10,             // both ways on a cluster link
    kSnapshotRequest = 11,       // pre-executor -> primary
    kSnapshotOffer = 12,         // primary -> pre-executor
    kSnapshotChunkRequest = 13,  // pre-executor -> primary
    kSnapshotChunk = 14,         // primary -> pre-executor
    // Since protocol version 4:
    kTentativeOrder = 15,      // primary -> pre-executor: a batch's order when it is cut
    kRelayedResult = 16,       // primary -> pre-executor: another pre-executor's result, relayed
    kForwardTransaction = 17,  // primary -> pre-executor: the client's transaction bytes
    // Since protocol version 5:
    kMembership = 18,  // primary -> pre-executor: the pre-executors' peer-link addresses
};
inline constexpr std::uint16_t kMessageTypeMax = 18;

// The number a frame carries for `type`.
constexpr std::uint16_t wire_type(MessageType type) { return static_cast<std::uint16_t>(type); }

// "hello", "pre_exec_result", ...; "unknown" for another value.
const char* message_type_name(std::uint16_t type);

struct Frame {
    std::uint16_t type = 0;  // not necessarily a known MessageType: the codec decides
    common::Bytes body;

    bool operator==(const Frame&) const = default;
};

// The frame's bytes. REQUIRES: body.size() <= limits::kFrameBodyBytesMax.
common::Bytes encode_frame(std::uint16_t type, common::ByteView body);
// The same appended to `out` (a session's send buffer: frames back to back, no buffer each).
void append_frame(common::Bytes& out, std::uint16_t type, common::ByteView body);

// Cuts frames out of a byte stream fed in pieces of any size. After an error the decoder stays
// failed (a stream that lost its framing cannot be resynchronised): the connection is closed.
class FrameDecoder {
public:
    // Appends received bytes. kCorruption when the buffered bytes would exceed
    // limits::kDecoderBufferBytesMax (a peer that sends faster than frames are taken).
    common::Status feed(common::ByteView bytes);

    // The next whole frame, nullopt when more bytes are needed, or kCorruption naming the
    // problem: a length past the limit (detected from the header alone, before the body
    // arrives) or a checksum mismatch.
    common::Result<std::optional<Frame>> next();

    // Bytes received and not yet returned as frames.
    std::size_t buffered() const { return m_buffer.size() - m_offset; }
    bool failed() const { return !m_error.is_ok(); }

private:
    common::Status fail(std::string message);

    common::Bytes m_buffer;
    std::size_t m_offset = 0;  // start of the first unconsumed byte
    common::Status m_error;
};

}  // namespace remora::net
