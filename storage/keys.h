#pragma once
// Key encodings of the store's column families (docs/storage_format.md is the reference).
// All integers are big-endian so RocksDB's bytewise order is numeric order.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/bytes.h"

namespace remora::storage {

// Column family names, in the order the store opens them.
inline constexpr std::string_view kCfDefault = "default";  // unused, RocksDB requires it
inline constexpr std::string_view kCfMeta = "meta";
inline constexpr std::string_view kCfObjects = "objects";
inline constexpr std::string_view kCfCommits = "commits";
inline constexpr std::string_view kCfTransactions = "transactions";
inline constexpr std::array<std::string_view, 5> kColumnFamilies = {kCfDefault, kCfMeta, kCfObjects,
                                                                    kCfCommits, kCfTransactions};

// `meta` keys (ASCII) and their value encodings.
inline constexpr std::string_view kMetaFormatVersion = "format_version";            // BE32
inline constexpr std::string_view kMetaShardCount = "shard_count";                  // BE32
inline constexpr std::string_view kMetaAppliedCommit = "applied_commit";            // BE64
inline constexpr std::string_view kMetaStateDigest = "state_digest";                // 32 bytes
inline constexpr std::string_view kMetaLiveObjects = "live_objects";                // BE64
inline constexpr std::string_view kMetaRetentionWatermark = "retention_watermark";  // BE64

// `objects`: key = BE16 shard ‖ 32-byte id ‖ BE64 version.
inline constexpr std::size_t kObjectPrefixBytes = 2 + 32;
inline constexpr std::size_t kObjectKeyBytes = kObjectPrefixBytes + 8;
// `objects` value: one flag byte, then the payload (live) or nothing (tombstone).
inline constexpr char kValueLive = 0x00;
inline constexpr char kValueTombstone = 0x01;

std::uint32_t shard_for(const common::ObjectId& id, std::uint32_t shard_count);

common::Bytes object_prefix(std::uint32_t shard, const common::ObjectId& id);
common::Bytes object_key(std::uint32_t shard, const common::ObjectId& id, common::Version version);

struct DecodedObjectKey {
    std::uint32_t shard = 0;
    common::ObjectId id;
    common::Version version = 0;
};
// nullopt unless `key` is exactly kObjectKeyBytes long.
std::optional<DecodedObjectKey> decode_object_key(std::string_view key);

// `commits`: key = BE64 commit index.
common::Bytes commit_key(common::CommitIndex index);
// `transactions`: key = 32-byte transaction digest; value = BE64 commit ‖ BE32 position.
common::Bytes transaction_value(common::CommitIndex index, std::uint32_t position);

}  // namespace remora::storage
