// Opening, creating and validating a store's RocksDB database and its `meta` column family.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "storage/commit_codec.h"
#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "storage/store_evidence.h"
#include "storage/store_impl.h"

namespace remora::storage {

using common::Code;

Store::Impl::Impl(std::string dir, OpenMode mode, const StoreOptions& options)
    : m_dir(std::move(dir)),
      m_mode(mode),
      m_options(options),
      m_cache(options.latest_cache_entries) {}

Store::Impl::~Impl() {
    m_writer.reset();  // writes what the pipeline holds, before the database closes
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

// True when another process holds RocksDB's lock on `dir` (an F_GETLK probe: takes nothing).
bool lock_held_elsewhere(const std::string& dir) {
    const int fd = ::open((dir + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    const bool held = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
    ::close(fd);
    return held;
}

bool directory_is_empty_or_absent(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return true;
    return std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec);
}

// True when `dir` holds only what RocksDB's creation of a database writes before its CURRENT
// file (the lock, the identity, its info log, a first MANIFEST and OPTIONS file, temporary
// files, empty write-ahead logs): a creation killed there never held data, and a creating open
// may finish it. Any other entry, a table file or a non-empty log says otherwise.
bool only_creation_leftovers(const std::string& dir, const DirectoryInventory& inventory) {
    if (inventory.has_current || inventory.holds_data_files()) return false;
    std::error_code ec;
    bool rocksdb_began = false;  // its info log and LOCK come before anything else
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) return false;
        const std::string name = it->path().filename().string();
        rocksdb_began = rocksdb_began || name == "LOCK" || name == "LOG";
        const bool empty_log = name.ends_with(".log") && it->file_size(type_ec) == 0 && !type_ec;
        const bool leftover = name == "LOCK" || name == "IDENTITY" || name == "LOG" ||
                              name.starts_with("LOG.old.") || name.starts_with("MANIFEST-") ||
                              name.starts_with("OPTIONS-") || name.ends_with(".dbtmp") || empty_log;
        if (!leftover) return false;
    }
    return !ec && rocksdb_began;
}

bool same_status(const StoreStatus& a, const StoreStatus& b) {
    return a.format_version == b.format_version && a.shard_count == b.shard_count &&
           a.applied_commit == b.applied_commit && a.state_digest == b.state_digest &&
           a.live_objects == b.live_objects && a.retention_watermark == b.retention_watermark;
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
    for (const std::string& name : families)
        descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw)
             .ok()) {
        return false;
    }
    bool empty = true;
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;  // as in check_evidence (here the memtables are skiplists)
    for (auto* handle : handles) {
        std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(ro, handle));
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
    if (m_options.env != nullptr) db.env = m_options.env;
    const bool may_create = m_mode == OpenMode::kReadWrite && m_options.create_if_missing;
    // The evidence is taken before RocksDB opens anything: what the files hold is compared
    // with what RocksDB recovers (docs/storage_format.md, "Opening a store").
    m_inventory = take_inventory(m_dir);
    for (const FileEntry& sst : m_inventory.ssts) {
        const std::string bad = check_table_tail(m_dir + "/" + sst.name);
        if (!bad.empty()) {
            return {Code::kCorruption, m_dir + " is a damaged store: table file " + sst.name +
                                           ": its " + bad + ". " + kDamageAdvice};
        }
    }
    std::vector<std::string> existing;
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db, m_dir, &existing);
    if (!listed.ok()) {
        if (m_inventory.holds_data_files()) {
            return {Code::kCorruption, m_dir + " is a damaged store: it holds " +
                                           m_inventory.describe() +
                                           ", but its CURRENT file or MANIFEST cannot be read (" +
                                           listed.ToString() + "). " + kDamageAdvice};
        }
        if (!may_create ||
            !(directory_is_empty_or_absent(m_dir) || only_creation_leftovers(m_dir, m_inventory))) {
            return {Code::kNotADatabase,
                    m_dir + " is not a Remora database (no RocksDB database found: " +
                        listed.ToString() + ")"};
        }
        m_pending_creation = true;
        db.create_if_missing = true;
        db.create_missing_column_families = true;
        return open_column_families(db);
    }
    // One of our column families (beyond RocksDB's own `default`) is listed.
    const bool ours_listed =
        std::any_of(existing.begin(), existing.end(), [](const std::string& family) {
            return family != kCfDefault && std::find(kColumnFamilies.begin(), kColumnFamilies.end(),
                                                     family) != kColumnFamilies.end();
        });
    for (std::string_view name : kColumnFamilies) {
        if (std::find(existing.begin(), existing.end(), name) != existing.end()) continue;
        // A creation killed between RocksDB's column family creations leaves some of ours,
        // all empty, and no data files: finish it when allowed to create.
        if (is_pristine(m_dir, existing) && m_inventory.may_be_interrupted_creation(existing)) {
            if (may_create) {
                m_pending_creation = true;
                db.create_missing_column_families = true;
                return open_column_families(db);
            }
            // With only `default`, an empty database of someone else's looks the same.
            if (ours_listed) {
                m_interrupted_creation = true;
                return interrupted_creation();
            }
        } else {
            // One of our column families listed, or our data in the files: a store whose
            // MANIFEST lost column families, never someone else's database.
            if (ours_listed || holds_remora_data(m_dir, m_inventory)) {
                return {Code::kCorruption, m_dir + " is a damaged store: column family '" +
                                               std::string(name) +
                                               "' is missing from its MANIFEST while it holds " +
                                               m_inventory.describe() +
                                               " (the MANIFEST is damaged). " + kDamageAdvice};
            }
        }
        return {Code::kNotADatabase,
                m_dir + " is a RocksDB database but not a Remora store (column family '" +
                    std::string(name) + "' is missing)"};
    }

    if (m_mode == OpenMode::kReadWrite) {
        // A running node holds the database: say so (exit 75 in the tools) rather than judge
        // a directory that is changing under the probe.
        if (lock_held_elsewhere(m_dir)) {
            return {Code::kLocked, "opening " + m_dir + ": IO error: While lock file: " + m_dir +
                                       "/LOCK: Resource temporarily unavailable (held by "
                                       "another process)"};
        }
        // RocksDB's read-write open deletes files it does not list and rewrites the logs it
        // recovered: first the whole read-only open (evidence, meta, consistency) must pass.
        StoreOptions probe_options = m_options;
        probe_options.create_if_missing = false;
        probe_options.preload_latest_cache = false;
        probe_options.latest_cache_entries =
            m_options.preload_latest_cache ? m_options.latest_cache_entries : 0;
        Impl probe(m_dir, OpenMode::kReadOnly, probe_options);
        // The preload reads every object: the probe does it, so that a damaged table file
        // refuses the open before RocksDB's read-write open changes any file, and the cache
        // it fills is this store's unless the read-write open finds another status.
        probe.m_scan_objects = m_options.preload_latest_cache;
        Status probed = probe.open();
        if (!probed && !(probe.m_interrupted_creation && m_options.create_if_missing)) {
            return probed;
        }
        if (probed && probe.m_scan_objects) {
            m_cache.swap(probe.m_cache);
            m_probed_status = probe.m_status;
        }
        return open_column_families(db);
    }
    // Write-ahead logs are scanned before RocksDB opens them, so that anything a live writer
    // appends meanwhile is also in what RocksDB recovers.
    m_wal_scans.clear();
    for (const FileEntry& log : m_inventory.logs)
        m_wal_scans.push_back(scan_wal(m_dir + "/" + log.name));
    m_families = existing;
    REMORA_RETURN_IF_ERROR(open_column_families(db));
    return check_evidence(*m_db, m_handles);
}

std::vector<rocksdb::ColumnFamilyDescriptor> Store::Impl::descriptors() const {
    std::vector<rocksdb::ColumnFamilyDescriptor> out;
    for (std::string_view name : kColumnFamilies) {
        out.emplace_back(std::string(name), name == kCfObjects ? objects_cf_options(m_options)
                                                               : plain_cf_options(m_options));
    }
    return out;
}

Status Store::Impl::interrupted_creation() const {
    return {Code::kNotADatabase, m_dir +
                                     " holds an interrupted store creation (no data); open it "
                                     "read-write with creation allowed to finish it"};
}

Status Store::Impl::opening_failed(const rocksdb::Status& s) const {
    if (s.IsPathNotFound()) {
        // A file the MANIFEST lists (a table file, usually) is gone.
        return {Code::kCorruption, m_dir + " is a damaged store: a file it lists is missing (" +
                                       s.ToString() + "). " + kDamageAdvice};
    }
    Status status = to_status(s, "opening " + m_dir);
    if (status.code() == Code::kCorruption) {
        return {Code::kCorruption, status.message() + ". " + kDamageAdvice};
    }
    return status;
}

Status Store::Impl::check_evidence(rocksdb::DB& db,
                                   const std::vector<rocksdb::ColumnFamilyHandle*>& handles) const {
    bool empty = true;
    // In key order: `objects` has a prefix extractor, and a prefix-mode iterator over a hash
    // memtable (measured, not adopted: docs/BENCHMARKS.md, "The memtable insert") would find
    // that memtable empty.
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    for (auto* handle : handles) {
        std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro, handle));
        it->SeekToFirst();
        if (!it->status().ok()) return opening_failed(it->status());
        if (it->Valid()) {
            empty = false;
            break;
        }
    }
    if (empty && !m_inventory.may_be_interrupted_creation(m_families)) {
        return {Code::kCorruption,
                m_dir + " is a damaged store: every column family opens empty, but it holds " +
                    m_inventory.describe() + " (the MANIFEST or a write-ahead log is damaged). " +
                    kDamageAdvice};
    }
    return check_recovered_everything(m_dir, db, handles, m_inventory, m_wal_scans);
}

Status Store::Impl::open_column_families(const rocksdb::DBOptions& db) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        m_mode == OpenMode::kReadOnly
            ? rocksdb::DB::OpenForReadOnly(db, m_dir, descriptors(), &m_handles, &raw)
            : rocksdb::DB::Open(db, m_dir, descriptors(), &m_handles, &raw);
    if (!s.ok()) return opening_failed(s);
    m_db.reset(raw);
    m_meta = cf(kCfMeta);
    m_objects = cf(kCfObjects);
    m_commits = cf(kCfCommits);
    m_transactions = cf(kCfTransactions);
    return {};
}

bool Store::Impl::is_pristine_open() const {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;  // as in check_evidence
    for (auto* handle : m_handles) {
        std::unique_ptr<rocksdb::Iterator> it(m_db->NewIterator(ro, handle));
        it->SeekToFirst();
        if (it->Valid() || !it->status().ok()) return false;
    }
    return true;
}

Status Store::Impl::initialize_meta() {
    if (m_options.shard_count == 0 || m_options.shard_count > common::limits::kShardCountMax) {
        return {Code::kInvalidArgument,
                "shard count must be in 1.." + std::to_string(common::limits::kShardCountMax)};
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
            // Without any meta and without any data it is someone else's empty database; a
            // store that holds data but lost a meta key is damaged.
            if (key == kMetaFormatVersion && is_pristine_open()) {
                return {Code::kNotADatabase, m_dir + " is not a Remora store (meta key '" +
                                                 std::string(key) + "' missing)"};
            }
            return {Code::kCorruption, m_dir + " is a damaged store: meta key '" +
                                           std::string(key) + "' is missing. " + kDamageAdvice};
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
        return {Code::kFormatVersion,
                m_dir + " has store format version " + std::to_string(m_status.format_version) +
                    "; this build reads version " + std::to_string(kFormatVersion)};
    }
    REMORA_RETURN_IF_ERROR(read(kMetaShardCount, 4, v));
    m_status.shard_count = common::get_be32(v);
    if (m_status.shard_count == 0 || m_status.shard_count > common::limits::kShardCountMax) {
        return {Code::kCorruption,
                "meta shard_count " + std::to_string(m_status.shard_count) + " out of range"};
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

Status Store::Impl::resume_after_write_error() {
    if (!m_write_failed) return {};
    if (m_reopen_required) return {Code::kIoError, m_write_error};
    // RocksDB's Resume() flushes the memtables and switches to a new log, so the failed
    // commit's partial record is left behind in a log that the flush makes obsolete.
    rocksdb::Status resumed = m_db->Resume();
    if (!resumed.ok()) {
        return {Code::kIoError, "the store accepts no commit since a write failed (" +
                                    m_write_error + "; resuming: " + resumed.ToString() +
                                    "); nothing committed was lost, and the next commit "
                                    "retries once the disk has room"};
    }
    m_write_failed = false;
    return {};
}

Status Store::Impl::check_meta_consistency() {
    auto damaged = [&](const std::string& what) -> Status {
        return {Code::kCorruption, m_dir + " is a damaged store: " + what + ". " + kDamageAdvice};
    };
    const CommitIndex applied = m_status.applied_commit;
    if (applied == ~CommitIndex{0}) {
        return damaged("meta applied_commit is 2^64-1, which no store can reach");
    }
    // The commit record of `applied_commit` is written by the same batch as the meta keys, and
    // it must be the last one stored. Seeking to it and finding no key after it reads that
    // record alone (a genesis part's is megabytes; SeekToLast also reads the one before it);
    // when that does not hold, SeekToLast finds what is stored instead, for the message.
    std::unique_ptr<rocksdb::Iterator> commits(
        m_db->NewIterator(rocksdb::ReadOptions(), m_commits));
    // A copy: FlatBuffers reads need the alignment of an allocation, which a slice of a
    // RocksDB block does not have.
    std::string value;
    bool last_is_applied = false;
    if (applied != 0) {
        const common::Bytes key = commit_key(applied);
        commits->Seek(key);
        if (commits->Valid() && commits->key().ToStringView() == key) {
            value = commits->value().ToString();
            commits->Next();
            last_is_applied = !commits->Valid();
        }
        REMORA_RETURN_IF_ERROR(to_status(commits->status(), "reading the last commit record"));
    }
    if (!last_is_applied) {
        commits->SeekToLast();
        REMORA_RETURN_IF_ERROR(to_status(commits->status(), "reading the last commit record"));
        if (!commits->Valid()) {
            if (applied != 0) {
                return damaged("meta applied_commit is " + std::to_string(applied) +
                               " but no commit record is stored");
            }
        } else {
            const std::string_view key = commits->key().ToStringView();
            const CommitIndex last = key.size() == 8 ? common::get_be64(key) : ~CommitIndex{0};
            if (last != applied) {
                return damaged("meta applied_commit is " + std::to_string(applied) +
                               " but the last commit record stored is " +
                               (key.size() == 8 ? std::to_string(last) : "malformed"));
            }
            value = commits->value().ToString();
        }
    }
    if (applied != 0) {
        auto record = decode_commit_record(value);
        if (!record)
            return damaged("commit record " + std::to_string(applied) + ": " +
                           record.status().message());
        if (record->live_objects != m_status.live_objects) {
            return damaged("meta live_objects is " + std::to_string(m_status.live_objects) +
                           " but commit " + std::to_string(applied) + " recorded " +
                           std::to_string(record->live_objects));
        }
    }
    // Every object key's shard is its id's shard under shard_count: check both ends.
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> objects(m_db->NewIterator(ro, m_objects));
    bool any_object = false;
    for (int end = 0; end < 2; ++end) {
        if (end == 0) {
            objects->SeekToFirst();
        } else {
            objects->SeekToLast();
        }
        REMORA_RETURN_IF_ERROR(to_status(objects->status(), "reading objects"));
        if (!objects->Valid()) break;
        any_object = true;
        auto key = decode_object_key(objects->key().ToStringView());
        if (!key) return damaged("a malformed key in column family 'objects'");
        const std::uint32_t expected = shard_for(key->id, m_status.shard_count);
        if (key->shard != expected) {
            return damaged("object " + key->id.hex() + " is stored in shard " +
                           std::to_string(key->shard) + ", but meta shard_count " +
                           std::to_string(m_status.shard_count) + " puts it in shard " +
                           std::to_string(expected) + " (meta shard_count is wrong)");
        }
    }
    if (!any_object && m_status.live_objects != 0) {
        return damaged("meta counts " + std::to_string(m_status.live_objects) +
                       " live objects but column family 'objects' is empty");
    }
    return {};
}

Status Store::Impl::open() {
    Status opened = open_checked();
    if (opened.code() == Code::kCorruption &&
        opened.message().find(kDamageAdvice) == std::string::npos) {
        return {Code::kCorruption,
                m_dir + " is a damaged store: " + opened.message() + ". " + kDamageAdvice};
    }
    return opened;
}

Status Store::Impl::open_checked() {
    REMORA_RETURN_IF_ERROR(create_or_open_rocksdb());
    if (!m_pending_creation) {
        // Our column families but no meta at all: a creation killed before its first batch.
        std::string ignored;
        rocksdb::Status s = m_db->Get(rocksdb::ReadOptions(), m_meta, kMetaFormatVersion, &ignored);
        if (s.IsNotFound() && is_pristine_open()) {
            if (m_mode != OpenMode::kReadWrite || !m_options.create_if_missing) {
                m_interrupted_creation = true;
                return interrupted_creation();
            }
            m_pending_creation = true;
        }
    }
    if (m_pending_creation) {
        REMORA_RETURN_IF_ERROR(initialize_meta());
        m_created = true;
    }
    REMORA_RETURN_IF_ERROR(load_meta());
    if (!m_created) REMORA_RETURN_IF_ERROR(check_meta_consistency());
    if (m_scan_objects) REMORA_RETURN_IF_ERROR(preload_cache());
    if (m_created) {
        m_cache.clear();
        m_cache.set_complete(true);  // nothing stored yet: every id is absent until written
    } else if (m_mode == OpenMode::kReadWrite && m_options.preload_latest_cache) {
        // The probe's cache is what this store holds unless something changed it between the
        // two opens: only a commit changes an object's newest version (a prune never removes
        // one), and every commit advances applied_commit, so an equal status means the same
        // newest versions. Otherwise (another process wrote meanwhile) it is loaded again.
        if (!m_probed_status || !same_status(*m_probed_status, m_status)) {
            m_cache.clear();
            REMORA_RETURN_IF_ERROR(preload_cache());
        }
    }
    return {};
}

}  // namespace remora::storage
