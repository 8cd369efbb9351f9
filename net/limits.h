#pragma once
// Every bound of the wire layer (docs/wire_format.md). A frame or message past one is refused
// before anything is allocated for it.

#include <cstddef>
#include <cstdint>

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
// Transactions in one tentative order: the largest batch a sequencer cuts (sequencer.batch_txs).
inline constexpr std::size_t kTentativeOrderTxsMax = 100'000;

}  // namespace remora::net::limits
