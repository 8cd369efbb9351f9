#pragma once
// Bounds of genesis and the workload generators (docs/style.md: a limit on everything). Knobs
// outside them are rejected with kInvalidArgument; docs/workloads.md lists them.

#include <cstddef>
#include <cstdint>

namespace remora::executor::workload::limits {

inline constexpr std::uint32_t kAccountsMax = 1'000'000;
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
inline constexpr std::size_t kTraceLineBytesMax = 1024 * 1024;
inline constexpr std::size_t kTraceColumnsMax = 256;
inline constexpr std::size_t kTraceIdHexDigitsMax = 64;

}  // namespace remora::executor::workload::limits
