// Whole-database operations: pruning, compaction, digest recomputation, statistics and
// checkpoints.
// Every scan sets total_order_seek: the `objects` column family has a prefix extractor, and
// without it an iterator may skip keys of other prefixes.

#include <rocksdb/utilities/checkpoint.h>

#include <algorithm>
#include <filesystem>

#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "storage/state_digest.h"
#include "storage/store_impl.h"

namespace remora::storage {

using common::Code;

namespace {

rocksdb::ReadOptions scan_options() {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;
    return ro;
}

// Walks `objects` one object at a time: calls visit(id, versions) with the versions of each
// object in ascending order (payloads are only decoded by the visitor when it needs them).
struct RawVersion {
    Version version;
    std::string key;
    std::string value;
};

template <typename Visit>
Status for_each_object(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* objects, Visit&& visit) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(scan_options(), objects));
    std::vector<RawVersion> versions;
    std::optional<DecodedObjectKey> current;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto key = decode_object_key(it->key().ToStringView());
        if (!key) return malformed_object_key(it->key());
        if (current && (current->id != key->id || current->shard != key->shard)) {
            REMORA_RETURN_IF_ERROR(visit(*current, versions));
            versions.clear();
        }
        current = key;
        versions.push_back({key->version, it->key().ToString(), it->value().ToString()});
    }
    REMORA_RETURN_IF_ERROR(to_status(it->status(), "scanning objects"));
    if (current) REMORA_RETURN_IF_ERROR(visit(*current, versions));
    return {};
}

}  // namespace

Status malformed_object_key(const rocksdb::Slice& key) {
    return {Code::kCorruption, "objects key of " + std::to_string(key.size()) +
                                   " bytes: " + common::to_hex(key.ToStringView())};
}

Result<PruneResult> Store::Impl::prune(Version watermark) {
    REMORA_RETURN_IF_ERROR(require_writable("prune"));
    if (watermark < m_status.retention_watermark) {
        return Status{Code::kInvalidArgument, "retention watermark may only advance (" +
                                                  std::to_string(m_status.retention_watermark) +
                                                  " -> " + std::to_string(watermark) + ")"};
    }
    PruneResult result{watermark, 0};
    // Deletions per WriteBatch, so a prune of a large store has bounded memory.
    const std::size_t batch_deletes_max =
        std::max<std::size_t>(1, m_options.prune_batch_deletes_max);
    rocksdb::WriteBatch batch;
    // The watermark goes first, in the first batch: once it is durable, reads below it are
    // refused, so a crash between batches can never expose a partly pruned history.
    common::Bytes be;
    common::put_be64(be, watermark);
    (void)batch.Put(m_meta, kMetaRetentionWatermark, be);
    auto flush = [&]() -> Status {
        REMORA_RETURN_IF_ERROR(to_status(m_db->Write(write_options(m_options), &batch), "pruning"));
        m_status.retention_watermark = watermark;
        batch.Clear();
        return {};
    };
    Status scanned = for_each_object(
        m_db.get(), m_objects,
        [&](const DecodedObjectKey& /*object*/, const std::vector<RawVersion>& versions) -> Status {
            // The newest version <= watermark is what reads at the watermark see; keep it and
            // everything newer. Older ones are shadowed for every permitted read.
            std::size_t floor = versions.size();
            for (std::size_t i = 0; i < versions.size(); ++i) {
                if (versions[i].version <= watermark) floor = i;
            }
            if (floor == versions.size()) return {};
            for (std::size_t i = 0; i < floor; ++i) {
                (void)batch.Delete(m_objects, versions[i].key);
                ++result.versions_deleted;
                if (static_cast<std::size_t>(batch.Count()) >= batch_deletes_max) {
                    REMORA_RETURN_IF_ERROR(flush());
                }
            }
            return {};
        });
    REMORA_RETURN_IF_ERROR(scanned);
    if (batch.Count() > 0) REMORA_RETURN_IF_ERROR(flush());
    m_status.retention_watermark = watermark;
    return result;
}

Result<CompactResult> Store::Impl::compact() {
    REMORA_RETURN_IF_ERROR(require_writable("compact"));
    auto sst_bytes = [&](std::size_t i) {
        std::uint64_t bytes = 0;
        return m_db->GetIntProperty(m_handles[i], "rocksdb.total-sst-files-size", &bytes) ? bytes
                                                                                          : 0;
    };
    CompactResult result;
    rocksdb::CompactRangeOptions options;
    // Rewrite the last level too: that is where deletions of pruned versions meet their values.
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (std::size_t i = 0; i < kColumnFamilies.size(); ++i) {
        CompactedColumnFamily family{std::string(kColumnFamilies[i]), sst_bytes(i), 0};
        REMORA_RETURN_IF_ERROR(
            to_status(m_db->CompactRange(options, m_handles[i], nullptr, nullptr),
                      "compacting column family " + family.name));
        family.sst_file_bytes_after = sst_bytes(i);
        result.column_families.push_back(std::move(family));
    }
    return result;
}

Result<RecomputedDigest> Store::Impl::recompute_digest() {
    StateDigest digest;
    std::uint64_t live = 0;
    Status scanned = for_each_object(
        m_db.get(), m_objects,
        [&](const DecodedObjectKey& object, const std::vector<RawVersion>& versions) -> Status {
            const RawVersion& newest = versions.back();
            auto v = decode_object_value(object.id, newest.version, newest.value);
            if (!v) return v.status();
            if (v->tombstone) return {};
            digest.add(entry_hash(object.id, v->version, v->payload));
            ++live;
            return {};
        });
    REMORA_RETURN_IF_ERROR(scanned);
    return RecomputedDigest{digest.value(), live};
}

EngineGauges Store::Impl::engine_gauges() const {
    EngineGauges out;
    // Per column family (GetAggregatedIntProperty is not offered for every property); a property
    // RocksDB cannot give stays 0.
    for (rocksdb::ColumnFamilyHandle* handle : m_handles) {
        std::uint64_t value = 0;
        if (m_db->GetIntProperty(handle, "rocksdb.cur-size-all-mem-tables", &value)) {
            out.memtable_bytes += value;
        }
        if (m_db->GetIntProperty(handle, "rocksdb.estimate-pending-compaction-bytes", &value)) {
            out.pending_compaction_bytes += value;
        }
        if (m_db->GetIntProperty(handle, "rocksdb.live-sst-files-size", &value)) {
            out.live_sst_bytes += value;
        }
    }
    return out;
}

Result<StoreStats> Store::Impl::stats() {
    StoreStats out;
    out.shards.resize(m_status.shard_count);
    for (std::uint32_t s = 0; s < m_status.shard_count; ++s) out.shards[s].shard = s;
    for (std::size_t i = 0; i < kColumnFamilies.size(); ++i) {
        ColumnFamilyStats cf_stats;
        cf_stats.name = std::string(kColumnFamilies[i]);
        std::unique_ptr<rocksdb::Iterator> it(m_db->NewIterator(scan_options(), m_handles[i]));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            ++cf_stats.entries;
            cf_stats.key_bytes += it->key().size();
            cf_stats.value_bytes += it->value().size();
        }
        REMORA_RETURN_IF_ERROR(to_status(it->status(), "scanning " + cf_stats.name));
        std::uint64_t sst = 0;
        if (m_db->GetIntProperty(m_handles[i], "rocksdb.total-sst-files-size", &sst)) {
            cf_stats.sst_file_bytes = sst;
        }
        out.column_families.push_back(std::move(cf_stats));
    }
    Status scanned = for_each_object(
        m_db.get(), m_objects,
        [&](const DecodedObjectKey& object, const std::vector<RawVersion>& versions) -> Status {
            if (object.shard >= out.shards.size()) {
                return {Code::kCorruption, "object key names shard " +
                                               std::to_string(object.shard) + " of " +
                                               std::to_string(out.shards.size())};
            }
            ShardStats& shard = out.shards[object.shard];
            ++shard.objects;
            for (const RawVersion& v : versions) {
                ++shard.entries;
                shard.bytes += v.key.size() + v.value.size();
            }
            if (versions.back().value.size() >= 1 && versions.back().value[0] == kValueLive) {
                ++shard.live_objects;
            }
            return {};
        });
    REMORA_RETURN_IF_ERROR(scanned);
    return out;
}

Status Store::resume_compactions() {
    REMORA_RETURN_IF_ERROR(m_impl->require_writable("resume_compactions"));
    for (rocksdb::ColumnFamilyHandle* handle : m_impl->m_handles) {
        REMORA_RETURN_IF_ERROR(
            to_status(m_impl->m_db->SetOptions(handle, {{"disable_auto_compactions", "false"}}),
                      "resuming compactions"));
    }
    return Status::ok();
}

Status Store::checkpoint(const std::string& target_dir) {
    REMORA_RETURN_IF_ERROR(m_impl->require_writable("checkpoint"));
    REMORA_RETURN_IF_ERROR(m_impl->drain());
    if (m_impl->m_options.in_memory) {
        return {Code::kUnsupported, "an in-memory store cannot be checkpointed"};
    }
    std::error_code ec;
    if (std::filesystem::exists(target_dir, ec)) {
        return {Code::kAlreadyExists, "checkpoint target " + target_dir + " already exists"};
    }
    rocksdb::Checkpoint* raw = nullptr;
    REMORA_RETURN_IF_ERROR(
        to_status(rocksdb::Checkpoint::Create(m_impl->m_db.get(), &raw), "checkpoint"));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // log_size_for_flush = 0: flush memtables first, so the checkpoint needs no WAL replay.
    return to_status(checkpoint->CreateCheckpoint(target_dir, /*log_size_for_flush=*/0),
                     "creating checkpoint " + target_dir);
}

}  // namespace remora::storage
