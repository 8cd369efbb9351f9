// libFuzzer target for the wire layer (built with REMORA_FUZZ=ON, Clang). The first byte picks
// what to feed: the frame decoder (in pieces whose sizes come from the input) or the decoder of
// one message body — selector 1..14 is the body of message type 1..14 (net/frame.h), selector 0
// the frame decoder. Oracles: nothing crashes or hangs; every frame the decoder yields re-encodes
// to exactly the bytes it consumed; whatever body decodes re-encodes to bytes that decode to an
// equal value. Seeds: tests/fuzz/make_fuzz_seeds.cpp.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "executor/tx/anoma_codec.h"
#include "executor/tx/transaction_codec.h"
#include "net/frame.h"
#include "net/message_codec.h"
#include "net/node_messages.h"

namespace {

namespace net = remora::net;
namespace executor = remora::executor;
using remora::common::ByteView;

void check(bool condition) {
    if (!condition) std::abort();
}

template <typename Decode, typename Encode>
void round_trip(ByteView bytes, Decode decode, Encode encode) {
    auto first = decode(bytes);
    if (!first) return;
    auto again = decode(encode(first.value()));
    check(again.is_ok());
    check(again.value() == first.value());
}

void frames(ByteView bytes, std::uint8_t piece_seed) {
    net::FrameDecoder decoder;
    std::size_t at = 0;
    std::size_t consumed = 0;
    std::size_t piece = 1 + piece_seed % 64;
    while (at < bytes.size()) {
        const std::size_t n = std::min(piece, bytes.size() - at);
        if (!decoder.feed(bytes.substr(at, n))) return;
        at += n;
        piece = 1 + (piece * 7 + 3) % 97;
        for (;;) {
            auto frame = decoder.next();
            if (!frame) return;
            if (!frame.value()) break;
            const auto encoded = net::encode_frame(frame.value()->type, frame.value()->body);
            check(bytes.substr(consumed, encoded.size()) == ByteView(encoded));
            consumed += encoded.size();
        }
    }
}

void state_update(ByteView bytes) {
    auto update = net::decode_state_update(bytes);
    if (!update) return;
    auto again = net::decode_state_update(net::encode_state_update(*update));
    check(again.is_ok());
    check(again->objects == update->objects && again->tombstones == update->tombstones);
}

template <typename T>
void anoma(ByteView bytes) {
    round_trip(bytes, executor::decode_anoma_message_as<T>,
               [](const T& message) { return executor::encode_anoma_message(message); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    ByteView bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
    switch (data[0] % (net::kMessageTypeMax + 1)) {
        case 0: frames(bytes, data[1]); break;
        case 1: round_trip(bytes, net::decode_hello, net::encode_hello); break;
        case 2: round_trip(bytes, net::decode_pre_exec_result, net::encode_pre_exec_result); break;
        case 3: state_update(bytes); break;
        case 4: round_trip(bytes, net::decode_state_update_ack, net::encode_state_update_ack); break;
        case 5: round_trip(bytes, net::decode_peer_effects, net::encode_peer_effects); break;
        case 6: round_trip(bytes, executor::decode_transaction, executor::encode_transaction); break;
        case 7: anoma<executor::ExecutionSummary>(bytes); break;
        case 8: round_trip(bytes, net::decode_submit_refused, net::encode_submit_refused); break;
        case 9: anoma<executor::ExecuteTransaction>(bytes); break;
        case 10: round_trip(bytes, net::decode_heartbeat, net::encode_heartbeat); break;
        case 11: round_trip(bytes, net::decode_snapshot_request, net::encode_snapshot_request); break;
        case 12: round_trip(bytes, net::decode_snapshot_offer, net::encode_snapshot_offer); break;
        case 13:
            round_trip(bytes, net::decode_snapshot_chunk_request, net::encode_snapshot_chunk_request);
            break;
        default: round_trip(bytes, net::decode_snapshot_chunk, net::encode_snapshot_chunk); break;
    }
    return 0;
}
