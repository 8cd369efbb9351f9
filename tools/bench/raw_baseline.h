#pragma once
// The raw RocksDB baseline of the storage benchmark: the store's object writes and nothing else.
//
// Per commit it builds one WriteBatch holding, for each object write, the exact key and value
// the store puts into its `objects` column family (storage/keys.h: BE16 shard ‖ id ‖ BE64
// version → kValueLive ‖ payload), and writes it with the store's WriteOptions (same sync
// flag). The database has the store's DBOptions and an `objects` column family with the
// store's objects_cf_options (storage/rocks_options.h). No reads, no digest, no commit record,
// no metadata: everything the store does beyond this is the store's overhead.

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/store.h"
#include "storage/types.h"

namespace remora::tools::bench {

class RawBaseline {
public:
    // Creates a fresh database in `dir` (which must not hold one). `options` are the store's:
    // sync, write buffer size and shard count decide the baseline's behaviour and keys.
    static common::Result<std::unique_ptr<RawBaseline>> create(
        const std::string& dir, const storage::StoreOptions& options);
    ~RawBaseline();
    RawBaseline(const RawBaseline&) = delete;
    RawBaseline& operator=(const RawBaseline&) = delete;

    // One WriteBatch with the commit's object puts, in the commit's order.
    common::Status apply(const storage::CommitInput& commit);

private:
    RawBaseline(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
                const storage::StoreOptions& options);

    std::unique_ptr<rocksdb::DB> m_db;
    std::vector<rocksdb::ColumnFamilyHandle*> m_handles;  // default, objects
    rocksdb::ColumnFamilyHandle* m_objects;
    rocksdb::WriteOptions m_write_options;
    std::uint32_t m_shard_count;
};

}  // namespace remora::tools::bench
