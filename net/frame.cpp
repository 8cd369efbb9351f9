#include "net/frame.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include "net/limits.h"

namespace remora::net {
namespace {

// XXH3-64(BE16 type ‖ body), streamed: the body is not copied to put the type before it.
std::uint64_t frame_checksum(std::uint16_t type, common::ByteView body) {
    const unsigned char type_bytes[2] = {static_cast<unsigned char>(type >> 8),
                                         static_cast<unsigned char>(type & 0xff)};
    XXH3_state_t state;
    XXH3_INITSTATE(&state);
    XXH3_64bits_reset(&state);
    XXH3_64bits_update(&state, type_bytes, sizeof type_bytes);
    XXH3_64bits_update(&state, body.data(), body.size());
    return XXH3_64bits_digest(&state);
}

}  // namespace

const char* message_type_name(std::uint16_t type) {
    switch (static_cast<MessageType>(type)) {
        case MessageType::kHello:
            return "hello";
        case MessageType::kPreExecResult:
            return "pre_exec_result";
        case MessageType::kStateUpdate:
            return "state_update";
        case MessageType::kStateUpdateAck:
            return "state_update_ack";
        case MessageType::kPeerEffects:
            return "peer_effects";
        case MessageType::kSubmitTransaction:
            return "submit_transaction";
        case MessageType::kExecutionSummary:
            return "execution_summary";
        case MessageType::kSubmitRefused:
            return "submit_refused";
        case MessageType::kExecuteTransaction:
            return "execute_transaction";
        case MessageType::kHeartbeat:
            return "heartbeat";
        case MessageType::kSnapshotRequest:
            return "snapshot_request";
        case MessageType::kSnapshotOffer:
            return "snapshot_offer";
        case MessageType::kSnapshotChunkRequest:
            return "snapshot_chunk_request";
        case MessageType::kSnapshotChunk:
            return "snapshot_chunk";
        case MessageType::kTentativeOrder:
            return "tentative_order";
        case MessageType::kRelayedResult:
            return "relayed_result";
        case MessageType::kForwardTransaction:
            return "forward_transaction";
        case MessageType::kMembership:
            return "membership";
    }
    return "unknown";
}

common::Bytes encode_frame(std::uint16_t type, common::ByteView body) {
    common::Bytes frame;
    frame.reserve(kFrameHeaderBytes + body.size());
    append_frame(frame, type, body);
    return frame;
}

void append_frame(common::Bytes& out, std::uint16_t type, common::ByteView body) {
    REMORA_ASSERT(body.size() <= limits::kFrameBodyBytesMax);
    common::put_be32(out, static_cast<std::uint32_t>(body.size()));
    common::put_be16(out, type);
    common::put_be64(out, frame_checksum(type, body));
    out.append(body);
}

common::Status FrameDecoder::fail(std::string message) {
    m_error = common::Status{common::Code::kCorruption, std::move(message)};
    m_buffer.clear();
    m_offset = 0;
    return m_error;
}

common::Status FrameDecoder::feed(common::ByteView bytes) {
    if (!m_error.is_ok()) return m_error;
    if (buffered() + bytes.size() > limits::kDecoderBufferBytesMax) {
        return fail("frame stream: " + std::to_string(buffered() + bytes.size()) +
                    " bytes buffered exceed the limit of " +
                    std::to_string(limits::kDecoderBufferBytesMax));
    }
    // Drop what was consumed before growing: the buffer holds at most one frame and a header.
    if (m_offset > 0 && m_offset * 2 >= m_buffer.size()) {
        m_buffer.erase(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
    return common::Status::ok();
}

common::Result<std::optional<Frame>> FrameDecoder::next() {
    if (!m_error.is_ok()) return m_error;
    const common::ByteView rest(m_buffer.data() + m_offset, buffered());
    if (rest.size() < kFrameHeaderBytes) return std::optional<Frame>();
    const std::uint32_t length = common::get_be32(rest, 0);
    if (length > limits::kFrameBodyBytesMax) {
        return fail("frame of " + std::to_string(length) + " bytes exceeds the limit of " +
                    std::to_string(limits::kFrameBodyBytesMax));
    }
    if (rest.size() < kFrameHeaderBytes + length) return std::optional<Frame>();
    Frame frame;
    frame.type = common::get_be16(rest, 4);
    const std::uint64_t checksum = common::get_be64(rest, 6);
    const common::ByteView body = rest.substr(kFrameHeaderBytes, length);
    if (frame_checksum(frame.type, body) != checksum) {
        return fail("frame of type " + std::to_string(frame.type) + " (" +
                    message_type_name(frame.type) + ", " + std::to_string(length) +
                    " bytes) fails its checksum");
    }
    frame.body.assign(body);
    m_offset += kFrameHeaderBytes + length;
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
    return std::optional<Frame>(std::move(frame));
}

}  // namespace remora::net
