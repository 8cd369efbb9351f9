#pragma once
// The RocksDB options the store opens its column families with. Exposed so that benchmarks
// compare the store against a raw RocksDB baseline configured identically.

#include <rocksdb/options.h>

#include "storage/store.h"

namespace remora::storage {

rocksdb::DBOptions db_options(const StoreOptions& options);
// The `objects` memtable's hash buckets for a write buffer of this size (one per
// kObjectMemtableBytesPerBucket bytes, at least 1,024).
inline constexpr std::size_t kObjectMemtableBytesPerBucket = 256;
std::size_t objects_memtable_buckets(std::size_t write_buffer_bytes);
// `objects`: 34-byte prefix (shard ‖ id) bloom filters, so looking up an id that was never
// written rarely touches a data block; a hash memtable keyed by that prefix.
rocksdb::ColumnFamilyOptions objects_cf_options(const StoreOptions& options);
// `meta`, `commits`, `transactions`, `default`.
rocksdb::ColumnFamilyOptions plain_cf_options(const StoreOptions& options);
rocksdb::WriteOptions write_options(const StoreOptions& options);

// Converts a RocksDB status at the storage edge, classifying lock and corruption errors.
common::Status to_status(const rocksdb::Status& status, const std::string& context);

}  // namespace remora::storage
