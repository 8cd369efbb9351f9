#pragma once
// Every bound of the wire layer (docs/wire_format.md). A frame or message past one is refused
// before anything is allocated for it.

#include <cstddef>
#include <cstdint>

#include "executor/protocol/limits.h"
#include "executor/tx/limits.h"

namespace remora::net::limits {

// Largest frame body: room for the largest state update the primary builds by default and a
// result of the largest transaction, with margin. A peer announcing more is cut off.
inline constexpr std::uint32_t kFrameBodyBytesMax = 64u << 20;
static_assert(kFrameBodyBytesMax >= executor::limits::kEffectsEncodedBytesMax +
                                        executor::limits::kLookupTableEncodedBytesMax + 65536,
              "a result of the largest transaction must fit one frame");
// What one FrameDecoder holds at most: one whole frame plus a header.
inline constexpr std::size_t kDecoderBufferBytesMax = kFrameBodyBytesMax + 64;

// Lists inside cluster messages (each also bounded by the frame's size).
inline constexpr std::size_t kSpeculativeReadsMax = 4096;
inline constexpr std::size_t kStateUpdateObjectsMax = 1u << 20;
// Tables the verifier visits in one state update: one per object and per tombstone, and the
// root. A state update may hold far more than executor::limits::kVerifierTablesMax (a catch-up
// of an amm run creates a coin per swap); the frame's size bounds the work.
inline constexpr std::uint32_t kStateUpdateTablesMax = 2 * kStateUpdateObjectsMax + 16;
// What one entry of a state update costs on the wire besides its object's bytes, at most: an
// object's table, its vector's length and alignment and its offset (about 28 bytes); a
// tombstone's table, id vector and version (about 64 bytes).
inline constexpr std::size_t kStateUpdateEntryOverheadBytesMax = 96;
// The largest catch-up update the primary builds by default fits one frame (a larger routed
// update is not sent), and every one of its entries passes the decoder's bounds.
static_assert(executor::protocol::limits::kStateUpdateBytesDefault +
                      executor::protocol::limits::kStateUpdateObjectsDefault *
                          kStateUpdateEntryOverheadBytesMax +
                      4096 <=
                  kFrameBodyBytesMax,
              "the largest default state update must fit one frame");
static_assert(executor::protocol::limits::kStateUpdateObjectsDefault <= kStateUpdateObjectsMax);
// Transactions in one tentative order: the largest batch a sequencer cuts (sequencer.batch_txs).
inline constexpr std::size_t kTentativeOrderTxsMax = 100'000;

}  // namespace remora::net::limits
