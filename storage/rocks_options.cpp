#include "storage/rocks_options.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "storage/keys.h"

namespace remora::storage {

rocksdb::DBOptions db_options(const StoreOptions& options) {
    rocksdb::DBOptions db;
    // Recovery (docs/storage_format.md, "Opening a store"): replay the write-ahead logs up to
    // the first bad record and stop there, so a torn tail after a crash recovers the exact
    // prefix; the store then refuses to open when intact records follow the bad one
    // (storage/store_evidence.h), which RocksDB's mode alone would silently drop.
    db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    db.paranoid_checks = true;
    // Bounded write-ahead log: when the logs exceed this, RocksDB flushes the column families
    // that pin the oldest log, so `meta` and `transactions` (which rarely fill a memtable)
    // cannot keep every log alive; every open replays at most about this much. One commit is
    // one WriteBatch across column families, so they are flushed together (atomic_flush):
    // the MANIFEST records one flush of all of them as one atomic group.
    db.max_total_wal_size = options.max_wal_bytes;
    db.atomic_flush = true;
    // After a failed write (a full disk) the store resumes RocksDB itself, on the next commit
    // (Store::commit): RocksDB's own retries in the background would make that commit's
    // outcome depend on timing.
    db.max_bgerror_resume_count = 0;
    db.max_background_jobs = 2;
    db.bytes_per_sync = 1 << 20;
    // Keep RocksDB's own log small and out of the way of operators.
    db.keep_log_file_num = 4;
    db.max_log_file_size = 8 << 20;
    return db;
}

namespace {

// Levels 0 and 1 uncompressed, Snappy (RocksDB's default) below: every byte a commit writes is
// flushed to level 0 and compacted into level 1 soon after, and compressing it twice there
// took 40% of the flush thread, on the cores the primary needs; the deeper levels, where data
// settles and most of it lies, stay compressed (docs/storage_format.md, "RocksDB options").
// Each table file names its own compression, so stores written either way read the same.
void set_compression(rocksdb::ColumnFamilyOptions& cf) {
    cf.compression_per_level.assign(static_cast<std::size_t>(cf.num_levels),
                                    rocksdb::kSnappyCompression);
    cf.compression_per_level[0] = rocksdb::kNoCompression;
    cf.compression_per_level[1] = rocksdb::kNoCompression;
}

}  // namespace

rocksdb::ColumnFamilyOptions objects_cf_options(const StoreOptions& options) {
    rocksdb::ColumnFamilyOptions cf;
    set_compression(cf);
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.disable_auto_compactions = options.defer_compactions;
    cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kObjectPrefixBytes));
    cf.memtable_prefix_bloom_size_ratio = 0.05;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.whole_key_filtering = true;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return cf;
}

rocksdb::ColumnFamilyOptions plain_cf_options(const StoreOptions& options) {
    rocksdb::ColumnFamilyOptions cf;
    set_compression(cf);
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.disable_auto_compactions = options.defer_compactions;
    // Whole-key Bloom filters, in the memtable and in each SST: the executor asks the
    // transaction index about every ordered transaction (the replay rule), and nearly every
    // answer is "absent".
    cf.memtable_prefix_bloom_size_ratio = 0.02;
    cf.memtable_whole_key_filtering = true;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.whole_key_filtering = true;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return cf;
}

rocksdb::WriteOptions write_options(const StoreOptions& options) {
    rocksdb::WriteOptions write;
    write.sync = options.sync;
    return write;
}

common::Status to_status(const rocksdb::Status& status, const std::string& context) {
    using common::Code;
    if (status.ok()) return {};
    std::string message = context + ": " + status.ToString();
    if (status.IsNotFound()) return {Code::kNotFound, message};
    if (status.IsCorruption()) return {Code::kCorruption, message};
    if (status.IsIOError()) {
        // RocksDB reports a held LOCK file as an IOError ("lock hold by current process" or
        // "While lock file: ...: Resource temporarily unavailable").
        std::string text = status.ToString();
        if (text.find("lock") != std::string::npos || text.find("LOCK") != std::string::npos) {
            return {Code::kLocked, message};
        }
        return {Code::kIoError, message};
    }
    if (status.IsInvalidArgument()) return {Code::kInvalidArgument, message};
    if (status.IsNotSupported()) return {Code::kUnsupported, message};
    return {Code::kIoError, message};
}

}  // namespace remora::storage
