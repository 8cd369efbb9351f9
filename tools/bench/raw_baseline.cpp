#include "tools/bench/raw_baseline.h"

#include <rocksdb/write_batch.h>

#include "storage/keys.h"
#include "storage/rocks_options.h"

namespace remora::tools::bench {

common::Result<std::unique_ptr<RawBaseline>> RawBaseline::create(
    const std::string& dir, const storage::StoreOptions& options) {
    rocksdb::DBOptions db_options = storage::db_options(options);
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    db_options.error_if_exists = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
        {std::string(storage::kCfDefault), storage::plain_cf_options(options)},
        {std::string(storage::kCfObjects), storage::objects_cf_options(options)},
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
    if (!s.ok()) return storage::to_status(s, "creating the raw baseline database in " + dir);
    return std::unique_ptr<RawBaseline>(
        new RawBaseline(std::unique_ptr<rocksdb::DB>(raw), std::move(handles), options));
}

RawBaseline::RawBaseline(std::unique_ptr<rocksdb::DB> db,
                         std::vector<rocksdb::ColumnFamilyHandle*> handles,
                         const storage::StoreOptions& options)
    : m_db(std::move(db)),
      m_handles(std::move(handles)),
      m_objects(m_handles.at(1)),
      m_write_options(storage::write_options(options)),
      m_shard_count(options.shard_count) {}

RawBaseline::~RawBaseline() {
    // Handles before the database (Debian's RocksDB asserts on the order).
    for (auto* handle : m_handles) m_db->DestroyColumnFamilyHandle(handle);
    m_db.reset();
}

common::Status RawBaseline::apply(const storage::CommitInput& commit) {
    rocksdb::WriteBatch batch;
    common::Bytes value;
    for (const auto& write : commit.writes) {
        REMORA_ASSERT(write.payload.has_value());  // the workload never deletes
        std::uint32_t shard = storage::shard_for(write.id, m_shard_count);
        common::Bytes key = storage::object_key(shard, write.id, write.version);
        value.clear();
        value.push_back(storage::kValueLive);
        value.append(*write.payload);
        rocksdb::Status s = batch.Put(m_objects, key, value);
        if (!s.ok()) return storage::to_status(s, "raw baseline batch");
    }
    return storage::to_status(m_db->Write(m_write_options, &batch), "raw baseline write");
}

}  // namespace remora::tools::bench
