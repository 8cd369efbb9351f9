#pragma once
// The oracle of the fuzz_net target (tests/net/fuzz_net.cpp), also run by net_test on the
// committed seeds (tests/fuzz/corpus/fuzz_net) so that a seed which no longer reaches its
// decoder's success path is noticed. The first byte picks what to feed: the frame decoder (in
// pieces whose sizes come from the second byte) or the decoder of one message body, after the
// second byte — selector 1..17 is the body of message type 1..17 (net/frame.h), selector 0 the
// frame decoder. Oracles: nothing crashes or hangs; every frame the decoder yields re-encodes to
// exactly the bytes it consumed; whatever body decodes re-encodes to bytes that decode to an
// equal value. A broken oracle aborts.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "executor/tx/anoma_codec.h"
#include "executor/tx/transaction_codec.h"
#include "net/frame.h"
#include "net/message_codec.h"
#include "net/node_messages.h"

namespace remora::net::fuzz {

// kDecoded: a body decoded, or the frame decoder yielded at least one frame.
enum class Outcome : std::uint8_t { kTooShort, kRefused, kDecoded };

namespace detail {

inline void check(bool condition) {
    if (!condition) std::abort();
}

template <typename Decode, typename Encode>
Outcome round_trip(common::ByteView bytes, Decode decode, Encode encode) {
    auto first = decode(bytes);
    if (!first) return Outcome::kRefused;
    auto again = decode(encode(first.value()));
    check(again.is_ok());
    check(again.value() == first.value());
    return Outcome::kDecoded;
}

inline Outcome frames(common::ByteView bytes, std::uint8_t piece_seed) {
    FrameDecoder decoder;
    std::size_t at = 0;
    std::size_t consumed = 0;
    std::size_t piece = 1 + piece_seed % 64;
    while (at < bytes.size()) {
        const std::size_t n = std::min(piece, bytes.size() - at);
        if (!decoder.feed(bytes.substr(at, n))) break;
        at += n;
        piece = 1 + (piece * 7 + 3) % 97;
        for (;;) {
            auto frame = decoder.next();
            if (!frame) return consumed > 0 ? Outcome::kDecoded : Outcome::kRefused;
            if (!frame.value()) break;
            const auto encoded = encode_frame(frame.value()->type, frame.value()->body);
            check(bytes.substr(consumed, encoded.size()) == common::ByteView(encoded));
            consumed += encoded.size();
        }
    }
    return consumed > 0 ? Outcome::kDecoded : Outcome::kRefused;
}

inline Outcome state_update(common::ByteView bytes) {
    auto update = decode_state_update(bytes);
    if (!update) return Outcome::kRefused;
    auto again = decode_state_update(encode_state_update(*update));
    check(again.is_ok());
    check(again->objects == update->objects && again->tombstones == update->tombstones);
    return Outcome::kDecoded;
}

// TentativeOrder has no operator== (executor/protocol/ordered_replay.h): field by field.
inline Outcome tentative_order(common::ByteView bytes) {
    auto order = decode_tentative_order(bytes);
    if (!order) return Outcome::kRefused;
    auto again = decode_tentative_order(encode_tentative_order(*order));
    check(again.is_ok());
    check(again->batch == order->batch && again->commit == order->commit &&
          again->txs == order->txs);
    return Outcome::kDecoded;
}

template <typename T>
Outcome anoma(common::ByteView bytes) {
    return round_trip(bytes, executor::decode_anoma_message_as<T>,
                      [](const T& message) { return executor::encode_anoma_message(message); });
}

}  // namespace detail

inline Outcome run_one(const std::uint8_t* data, std::size_t size) {
    using namespace detail;
    if (size < 2) return Outcome::kTooShort;
    const common::ByteView bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
    switch (data[0] % (kMessageTypeMax + 1)) {
        case 0:
            return frames(bytes, data[1]);
        case 1:
            return round_trip(bytes, decode_hello, encode_hello);
        case 2:
            return round_trip(bytes, decode_pre_exec_result, encode_pre_exec_result);
        case 3:
            return state_update(bytes);
        case 4:
            return round_trip(bytes, decode_state_update_ack, encode_state_update_ack);
        case 5:
            return round_trip(bytes, decode_peer_effects, encode_peer_effects);
        case 6:
            return round_trip(bytes, executor::decode_transaction, executor::encode_transaction);
        case 7:
            return anoma<executor::ExecutionSummary>(bytes);
        case 8:
            return round_trip(bytes, decode_submit_refused, encode_submit_refused);
        case 9:
            return anoma<executor::ExecuteTransaction>(bytes);
        case 10:
            return round_trip(bytes, decode_heartbeat, encode_heartbeat);
        case 11:
            return round_trip(bytes, decode_snapshot_request, encode_snapshot_request);
        case 12:
            return round_trip(bytes, decode_snapshot_offer, encode_snapshot_offer);
        case 13:
            return round_trip(bytes, decode_snapshot_chunk_request, encode_snapshot_chunk_request);
        case 14:
            return round_trip(bytes, decode_snapshot_chunk, encode_snapshot_chunk);
        case 15:
            return tentative_order(bytes);
        case 16:  // relayed_result: a pre_exec_result body
            return round_trip(bytes, decode_pre_exec_result, encode_pre_exec_result);
        case 17:  // forward_transaction
            return round_trip(
                bytes, decode_forward_transaction, [](const executor::Transaction& tx) {
                    return encode_forward_transaction(executor::encode_transaction(tx));
                });
        default:  // membership
            return round_trip(bytes, decode_membership, encode_membership);
    }
}

}  // namespace remora::net::fuzz
