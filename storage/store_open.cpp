// Opening, creating and validating a store's RocksDB database and its `meta` column family.

#include <filesystem>

#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "storage/store_impl.h"

namespace remora::storage {

using common::Code;

Store::Impl::Impl(std::string dir, OpenMode mode, const StoreOptions& options)
    : m_dir(std::move(dir)), m_mode(mode), m_options(options),
      m_cache(options.latest_cache_entries) {}

Store::Impl::~Impl() {
    quiesce_helper();  // the helper must let go of the cache's memory before it is unmapped
    if (!m_db) return;
    // Debian's RocksDB asserts that column family handles are released before the DB.
    for (auto* handle : m_handles) {
        if (handle != nullptr) (void)m_db->DestroyColumnFamilyHandle(handle);
    }
    (void)m_db->Close();
}

rocksdb::ColumnFamilyHandle* Store::Impl::cf(std::string_view name) const {
    for (std::size_t i = 0; i < kColumnFamilies.size(); ++i) {
        if (kColumnFamilies[i] == name) return m_handles[i];
    }
    REMORA_ASSERT(false && "unknown column family");
    return nullptr;
}

Status Store::Impl::require_writable(const char* operation) const {
    if (m_mode == OpenMode::kReadWrite) return {};
    return {Code::kInvalidArgument,
            std::string(operation) + " needs the store opened read-write (" + m_dir + ")"};
}

namespace {

bool directory_is_empty_or_absent(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return true;
    return std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec);
}

}  // namespace

// True when every column family of the RocksDB database in `dir` is one of ours and holds no
// key: what a store creation leaves behind when it is interrupted before its first batch.
bool is_pristine(const std::string& dir, const std::vector<std::string>& families) {
    for (const std::string& name : families) {
        if (std::find(kColumnFamilies.begin(), kColumnFamilies.end(), name) ==
            kColumnFamilies.end()) {
            return false;
        }
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw).ok()) {
        return false;
    }
    bool empty = true;
    for (auto* handle : handles) {
        std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handle));
        it->SeekToFirst();
        if (it->Valid() || !it->status().ok()) empty = false;
    }
    for (auto* handle : handles) (void)raw->DestroyColumnFamilyHandle(handle);
    delete raw;
    return empty;
}

Status Store::Impl::create_or_open_rocksdb() {
    rocksdb::DBOptions db = db_options(m_options);
    if (m_options.in_memory) {
        // A fresh, private file system: the store is always created.
        m_env.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
        db.env = m_env.get();
        if (m_mode != OpenMode::kReadWrite || !m_options.create_if_missing) {
            return {Code::kInvalidArgument, "an in-memory store must be created read-write"};
        }
        m_pending_creation = true;
        db.create_if_missing = true;
        db.create_missing_column_families = true;
        return open_column_families(db);
    }
    const bool may_create = m_mode == OpenMode::kReadWrite && m_options.create_if_missing;
    std::vector<std::string> existing;
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db, m_dir, &existing);
    if (!listed.ok()) {
        if (!may_create || !directory_is_empty_or_absent(m_dir)) {
            return {Code::kNotADatabase,
                    m_dir + " is not a Remora database (no RocksDB database found: " +
                        listed.ToString() + ")"};
        }
        m_pending_creation = true;
        db.create_if_missing = true;
        db.create_missing_column_families = true;
    } else {
        for (std::string_view name : kColumnFamilies) {
            if (std::find(existing.begin(), existing.end(), name) != existing.end()) continue;
            // A creation killed between RocksDB's column family creations leaves some of ours,
            // all empty: finish it when allowed to create, never touch anything else.
            if (may_create && is_pristine(m_dir, existing)) {
                m_pending_creation = true;
                db.create_missing_column_families = true;
                break;
            }
            return {Code::kNotADatabase,
                    m_dir + " is a RocksDB database but not a Remora store (column family '" +
                        std::string(name) + "' is missing)"};
        }
    }

    return open_column_families(db);
}

Status Store::Impl::open_column_families(const rocksdb::DBOptions& db) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (std::string_view name : kColumnFamilies) {
        descriptors.emplace_back(std::string(name), name == kCfObjects
                                                        ? objects_cf_options(m_options)
                                                        : plain_cf_options(m_options));
    }
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        m_mode == OpenMode::kReadOnly
            ? rocksdb::DB::OpenForReadOnly(db, m_dir, descriptors, &m_handles, &raw)
            : rocksdb::DB::Open(db, m_dir, descriptors, &m_handles, &raw);
    if (!s.ok()) return to_status(s, "opening " + m_dir);
    m_db.reset(raw);
    m_meta = cf(kCfMeta);
    m_objects = cf(kCfObjects);
    m_commits = cf(kCfCommits);
    m_transactions = cf(kCfTransactions);
    return {};
}

bool Store::Impl::is_pristine_open() const {
    for (auto* handle : m_handles) {
        std::unique_ptr<rocksdb::Iterator> it(m_db->NewIterator(rocksdb::ReadOptions(), handle));
        it->SeekToFirst();
        if (it->Valid() || !it->status().ok()) return false;
    }
    return true;
}

Status Store::Impl::initialize_meta() {
    if (m_options.shard_count == 0 || m_options.shard_count > common::limits::kShardCountMax) {
        return {Code::kInvalidArgument, "shard count must be in 1.." +
                                             std::to_string(common::limits::kShardCountMax)};
    }
    common::Bytes v;
    rocksdb::WriteBatch batch;
    auto put_u32 = [&](std::string_view key, std::uint32_t x) {
        v.clear();
        common::put_be32(v, x);
        return batch.Put(m_meta, key, v);
    };
    auto put_u64 = [&](std::string_view key, std::uint64_t x) {
        v.clear();
        common::put_be64(v, x);
        return batch.Put(m_meta, key, v);
    };
    (void)put_u32(kMetaFormatVersion, kFormatVersion);
    (void)put_u32(kMetaShardCount, m_options.shard_count);
    (void)put_u64(kMetaAppliedCommit, 0);
    (void)put_u64(kMetaLiveObjects, 0);
    (void)put_u64(kMetaRetentionWatermark, 0);
    (void)batch.Put(m_meta, kMetaStateDigest, common::Digest{}.view());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return to_status(m_db->Write(wo, &batch), "initializing " + m_dir);
}

Status Store::Impl::load_meta() {
    auto read = [&](std::string_view key, std::size_t size, std::string& out) -> Status {
        rocksdb::Status s = m_db->Get(rocksdb::ReadOptions(), m_meta, key, &out);
        if (s.IsNotFound()) {
            return {Code::kNotADatabase,
                    m_dir + " is not a Remora store (meta key '" + std::string(key) + "' missing)"};
        }
        if (!s.ok()) return to_status(s, "reading meta");
        if (out.size() != size) {
            return {Code::kCorruption, "meta key '" + std::string(key) + "' has " +
                                           std::to_string(out.size()) + " bytes, expected " +
                                           std::to_string(size)};
        }
        return {};
    };
    std::string v;
    REMORA_RETURN_IF_ERROR(read(kMetaFormatVersion, 4, v));
    m_status.format_version = common::get_be32(v);
    if (m_status.format_version != kFormatVersion) {
        return {Code::kFormatVersion, m_dir + " has store format version " +
                                          std::to_string(m_status.format_version) +
                                          "; this build reads version " +
                                          std::to_string(kFormatVersion)};
    }
    REMORA_RETURN_IF_ERROR(read(kMetaShardCount, 4, v));
    m_status.shard_count = common::get_be32(v);
    if (m_status.shard_count == 0 || m_status.shard_count > common::limits::kShardCountMax) {
        return {Code::kCorruption, "meta shard_count " + std::to_string(m_status.shard_count) +
                                       " out of range"};
    }
    REMORA_RETURN_IF_ERROR(read(kMetaAppliedCommit, 8, v));
    m_status.applied_commit = common::get_be64(v);
    REMORA_RETURN_IF_ERROR(read(kMetaLiveObjects, 8, v));
    m_status.live_objects = common::get_be64(v);
    REMORA_RETURN_IF_ERROR(read(kMetaRetentionWatermark, 8, v));
    m_status.retention_watermark = common::get_be64(v);
    REMORA_RETURN_IF_ERROR(read(kMetaStateDigest, 32, v));
    m_status.state_digest = common::Digest::from_bytes(v);
    return {};
}

Status Store::Impl::open() {
    REMORA_RETURN_IF_ERROR(create_or_open_rocksdb());
    if (!m_pending_creation) {
        // Our column families but no meta at all: a creation killed before its first batch.
        std::string ignored;
        rocksdb::Status s = m_db->Get(rocksdb::ReadOptions(), m_meta, kMetaFormatVersion, &ignored);
        if (s.IsNotFound() && is_pristine_open()) {
            if (m_mode != OpenMode::kReadWrite || !m_options.create_if_missing) {
                return {Code::kNotADatabase,
                        m_dir + " holds an interrupted store creation (no data); open it "
                                "read-write with creation allowed to finish it"};
            }
            m_pending_creation = true;
        }
    }
    if (m_pending_creation) {
        REMORA_RETURN_IF_ERROR(initialize_meta());
        m_created = true;
    }
    REMORA_RETURN_IF_ERROR(load_meta());
    if (m_created) {
        m_cache.set_complete(true);  // nothing stored yet: every id is absent until written
    } else if (m_mode == OpenMode::kReadWrite && m_options.preload_latest_cache) {
        REMORA_RETURN_IF_ERROR(preload_cache());
    }
    return {};
}

}  // namespace remora::storage
