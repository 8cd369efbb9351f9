// libFuzzer target for the wire layer (built with REMORA_FUZZ=ON, Clang). The first byte picks
// what to feed: the frame decoder (in pieces whose sizes come from the input) or one message
// decoder. Oracles: nothing crashes or hangs; every frame the decoder yields re-encodes to
// exactly the bytes it consumed; whatever message decodes re-encodes to bytes that decode to an
// equal value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "net/frame.h"
#include "net/message_codec.h"

namespace {

namespace net = remora::net;
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    ByteView bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
    switch (data[0] % 6) {
        case 0:
            frames(bytes, data[1]);
            break;
        case 1:
            round_trip(bytes, net::decode_hello, net::encode_hello);
            break;
        case 2:
            round_trip(bytes, net::decode_pre_exec_result, net::encode_pre_exec_result);
            break;
        case 3:
            round_trip(bytes, net::decode_state_update_ack, net::encode_state_update_ack);
            break;
        case 4:
            round_trip(bytes, net::decode_peer_effects, net::encode_peer_effects);
            break;
        default: {
            auto update = net::decode_state_update(bytes);
            if (update) {
                auto again = net::decode_state_update(net::encode_state_update(*update));
                check(again.is_ok());
                check(again->objects == update->objects && again->tombstones == update->tombstones);
            }
            break;
        }
    }
    return 0;
}
