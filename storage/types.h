#pragma once
// Value types of the store's interface.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace remora::storage {

using common::Bytes;
using common::CommitIndex;
using common::Digest;
using common::ObjectId;
using common::Version;

// One version of one object as stored. A tombstone marks a deletion: it has a version (the
// deleting transaction's) and no payload.
struct ObjectVersion {
    ObjectId id;
    Version version = 0;
    bool tombstone = false;
    Bytes payload;  // empty for tombstones; opaque to the store (the executor's encoding)

    bool operator==(const ObjectVersion&) const = default;
};

// What the store knows cheaply (from memory when cached) about an object's newest version.
struct LatestInfo {
    Version version = 0;
    bool tombstone = false;

    bool operator==(const LatestInfo&) const = default;
};

// One write of a commit. `payload == nullopt` deletes the object (writes a tombstone).
struct ObjectWrite {
    ObjectId id;
    Version version = 0;
    std::optional<Bytes> payload;
};

// Where a transaction landed: its commit and its position in that commit.
struct TxLocation {
    common::Hash256 tx_digest;
    std::uint32_t position = 0;
};

// Everything one commit changes, persisted in one atomic WriteBatch.
struct CommitInput {
    CommitIndex index = 0;            // REQUIRES: applied_commit() + 1
    std::vector<ObjectWrite> writes;  // at most one write per object id
    Bytes body;                       // opaque executor record (ordered transactions, effects)
    std::vector<TxLocation> transactions;
};

struct ObjectRef {
    ObjectId id;
    Version version = 0;
    bool tombstone = false;

    bool operator==(const ObjectRef&) const = default;
};

// The persisted commit record (column family `commits`).
struct CommitRecord {
    CommitIndex index = 0;
    Digest state_digest;  // digest of the live object set after this commit
    std::uint64_t live_objects = 0;
    std::vector<ObjectRef> writes;  // sorted by (shard, id)
    Bytes body;
    std::uint32_t transactions = 0;
};

// The store's persisted metadata (column family `meta`).
struct StoreStatus {
    std::uint32_t format_version = 0;
    std::uint32_t shard_count = 0;
    CommitIndex applied_commit = 0;  // commits 1..applied_commit are present, nothing else
    Digest state_digest;
    std::uint64_t live_objects = 0;
    Version retention_watermark = 0;  // versions below it may be pruned; reads below it fail
};

struct RecomputedDigest {
    Digest state_digest;
    std::uint64_t live_objects = 0;
};

struct ColumnFamilyStats {
    std::string name;
    std::uint64_t entries = 0;
    std::uint64_t key_bytes = 0;
    std::uint64_t value_bytes = 0;
    std::uint64_t sst_file_bytes = 0;  // RocksDB's rocksdb.total-sst-files-size
};

struct ShardStats {
    std::uint32_t shard = 0;
    std::uint64_t entries = 0;  // versions, tombstones included
    std::uint64_t bytes = 0;    // key + value bytes
    std::uint64_t objects = 0;  // distinct ids
    std::uint64_t live_objects = 0;
};

// RocksDB properties summed over every column family (docs/metrics.md, "Store").
struct EngineGauges {
    std::uint64_t memtable_bytes = 0;            // rocksdb.cur-size-all-mem-tables
    std::uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
    std::uint64_t live_sst_bytes = 0;            // rocksdb.live-sst-files-size
};

struct StoreStats {
    std::vector<ColumnFamilyStats> column_families;  // in the order of kColumnFamilies
    std::vector<ShardStats> shards;                  // one per shard, in shard order
};

// The table-file bytes of one column family before and after a full compaction.
struct CompactedColumnFamily {
    std::string name;
    std::uint64_t sst_file_bytes_before = 0;  // rocksdb.total-sst-files-size
    std::uint64_t sst_file_bytes_after = 0;
};

struct CompactResult {
    std::vector<CompactedColumnFamily> column_families;  // in the order of kColumnFamilies
};

struct PruneResult {
    Version retention_watermark = 0;
    std::uint64_t versions_deleted = 0;
};

}  // namespace remora::storage
