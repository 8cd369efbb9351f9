#pragma once
// The RocksDB options the store opens its column families with. Exposed so that benchmarks
// compare the store against a raw RocksDB baseline configured identically.

#include <rocksdb/options.h>

#include "storage/store.h"

namespace remora::storage {

rocksdb::DBOptions db_options(const StoreOptions& options);
// `objects`: 34-byte prefix (shard ‖ id) bloom filters, so looking up an id that was never
// written rarely touches a data block.
rocksdb::ColumnFamilyOptions objects_cf_options(const StoreOptions& options);
// `meta`, `commits`, `transactions`, `default`.
rocksdb::ColumnFamilyOptions plain_cf_options(const StoreOptions& options);
rocksdb::WriteOptions write_options(const StoreOptions& options);

// Converts a RocksDB status at the storage edge, classifying lock and corruption errors.
common::Status to_status(const rocksdb::Status& status, const std::string& context);

}  // namespace remora::storage
