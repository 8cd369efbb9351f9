#pragma once
// Bounds of genesis and the workload generators (docs/style.md: a limit on everything). Knobs
// outside them are rejected with kInvalidArgument; docs/workloads.md lists them.

#include <cstddef>
#include <cstdint>

#include "common/limits.h"

namespace remora::executor::workload::limits {

inline constexpr std::uint32_t kAccountsMax = 10'000'000;
inline constexpr std::uint32_t kCoinsPerAccountMax = 64;
// Counters, pools or collections each (the contention knob).
inline constexpr std::uint32_t kSharedObjectsMax = 100'000;
inline constexpr std::uint32_t kBatchSizeMax = 100'000;
inline constexpr double kZipfThetaMax = 10.0;
// Starting balances stay far below 2^64 so that no sum of coins can overflow.
inline constexpr std::uint64_t kCoinBalanceMax = std::uint64_t{1} << 32;
inline constexpr std::uint64_t kPoolReserveMax = std::uint64_t{1} << 32;

// --- trace:<file> ----------------------------------------------------------------------------
inline constexpr std::uint64_t kTraceFileBytesMax = 256ull << 20;
// A row names at most executor::limits::kInputsMax (2,048) objects; an extra object of two
// 64-digit ids takes 130 bytes, so a full row fits well within 1 MiB.
inline constexpr std::size_t kTraceLineBytesMax = std::size_t{1024} * 1024;
inline constexpr std::size_t kTraceColumnsMax = 256;
inline constexpr std::size_t kTraceIdHexDigitsMax = 64;
// Objects declared by the transactions of one suggested commit: a trace block that would pass
// this is split before the row that would cross it. A commit record carries every
// transaction and its effects (common::limits::kCommitBodyBytesMax, 256 MiB; ~300 KB for a
// transaction of 2,048 objects, so ~850 of them), and the commit's distinct writes are bounded
// by common::limits::kCommitWritesMax (2^20): 2^19 declared objects stays under both with room.
// Real blocks stay far below (an Ethereum block writes a few thousand slots); 1,000 rows of
// 2,048 objects in one block failed before the split.
inline constexpr std::size_t kTraceCommitObjectsMax = common::limits::kCommitWritesMax / 2;

}  // namespace remora::executor::workload::limits
