#pragma once
// Every bound in the system has a name here (docs/style.md §3: a limit on everything).
// Units are last in names.

#include <cstddef>
#include <cstdint>

namespace remora::common::limits {

// --- Objects and storage -------------------------------------------------------------------
inline constexpr std::size_t kObjectIdBytes = 32;
inline constexpr std::size_t kDigestBytes = 32;
// Largest encoded object payload the store accepts (contents plus header).
inline constexpr std::size_t kObjectBytesMax = std::size_t{64} * 1024;
// Writes in one commit; a commit is one RocksDB WriteBatch, so this bounds its memory.
inline constexpr std::size_t kCommitWritesMax = 1 << 20;
// Opaque commit-record body attached by the executor (ordered transactions and effects).
inline constexpr std::size_t kCommitBodyBytesMax = std::size_t{256} * 1024 * 1024;
inline constexpr std::uint32_t kShardCountMax = 4096;
inline constexpr std::uint32_t kShardCountDefault = 16;
// Entries kept by the store's in-memory latest-version cache before it evicts (about 90 bytes
// each at most twice over, for the open-addressing table's slack).
inline constexpr std::size_t kLatestCacheEntriesDefault = 1 << 20;
// Versions returned by one history() call.
inline constexpr std::size_t kHistoryVersionsMax = 1 << 16;

// --- Snapshots -------------------------------------------------------------------------------
inline constexpr std::size_t kSnapshotManifestBytesMax = std::size_t{16} * 1024 * 1024;
inline constexpr std::size_t kSnapshotFilesMax = 1 << 16;

static_assert(kObjectBytesMax < kCommitBodyBytesMax);
static_assert(kShardCountDefault <= kShardCountMax);

}  // namespace remora::common::limits
