// Reads and the atomic commit path of the store.

#include "storage/store.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#include "storage/commit_codec.h"
#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "storage/state_digest.h"
#include "storage/store_impl.h"

namespace remora::storage {

using common::Code;

// --- Object values ------------------------------------------------------------------------

common::Bytes encode_object_value(const std::optional<Bytes>& payload) {
    common::Bytes value;
    value.reserve(1 + (payload ? payload->size() : 0));
    value.push_back(payload ? kValueLive : kValueTombstone);
    if (payload) value.append(*payload);
    return value;
}

Result<ObjectVersion> decode_object_value(const ObjectId& id, Version version,
                                          std::string_view value) {
    if (value.empty() || (value[0] != kValueLive && value[0] != kValueTombstone) ||
        (value[0] == kValueTombstone && value.size() != 1)) {
        return Status{Code::kCorruption, "malformed value for object " + id.hex() + " version " +
                                             std::to_string(version)};
    }
    ObjectVersion out;
    out.id = id;
    out.version = version;
    out.tombstone = value[0] == kValueTombstone;
    out.payload.assign(value.substr(1));
    return out;
}

// --- Lookups ------------------------------------------------------------------------------

std::unique_ptr<rocksdb::Iterator> Store::Impl::new_object_iterator() const {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;  // stays inside one object's versions; uses prefix blooms
    return std::unique_ptr<rocksdb::Iterator>(m_db->NewIterator(ro, m_objects));
}

Result<std::optional<ObjectVersion>> Store::Impl::seek_at_or_below(const ObjectId& id,
                                                                   Version bound,
                                                                   rocksdb::Iterator* reuse) {
    std::uint32_t shard = shard_for(id, m_status.shard_count);
    std::unique_ptr<rocksdb::Iterator> own;
    rocksdb::Iterator* it = reuse;
    if (it == nullptr) {
        own = new_object_iterator();
        it = own.get();
    }
    it->SeekForPrev(object_key(shard, id, bound));
    if (!it->Valid()) {
        REMORA_RETURN_IF_ERROR(to_status(it->status(), "reading object " + id.hex()));
        return std::optional<ObjectVersion>{};
    }
    auto key = decode_object_key(it->key().ToStringView());
    if (!key || key->id != id || key->shard != shard) {
        // prefix_same_as_start guarantees the prefix; anything else is a damaged key.
        return Status{Code::kCorruption, "unexpected key while reading object " + id.hex()};
    }
    auto version = decode_object_value(id, key->version, it->value().ToStringView());
    if (!version) return version.status();
    return std::optional<ObjectVersion>(std::move(version).value());
}

Result<std::optional<CachedLatest>> Store::Impl::lookup_latest(const ObjectId& id,
                                                               rocksdb::Iterator* reuse) {
    if (const CachedLatest* cached = m_cache.find(id)) return std::optional<CachedLatest>(*cached);
    if (m_cache.complete()) return std::optional<CachedLatest>{};
    auto newest = seek_at_or_below(id, ~Version{0}, reuse);
    if (!newest) return newest.status();
    if (!newest.value()) return std::optional<CachedLatest>{};
    const ObjectVersion& v = *newest.value();
    CachedLatest entry{v.version, v.tombstone,
                       v.tombstone ? common::Hash256{} : entry_hash(id, v.version, v.payload)};
    m_cache.put(id, entry);
    return std::optional<CachedLatest>(entry);
}

// --- Commit -------------------------------------------------------------------------------

namespace {

// Commits with at least this many writes hash their entries on two threads.
constexpr std::size_t kParallelHashWritesMin = 256;

struct PlannedWrite {
    std::uint32_t shard = 0;
    const ObjectWrite* write = nullptr;
    std::optional<CachedLatest> previous;
    CachedLatest next;
};

std::string describe(const ObjectWrite& w) {
    return "object " + w.id.hex() + " version " + std::to_string(w.version);
}

// Entry hashes (BLAKE2b over each payload) are the commit path's largest CPU cost beyond
// RocksDB. They depend only on the writes, so for large commits a helper thread starts hashing
// as soon as the plan is sorted, while this thread validates and builds the batch, and then
// this thread joins in. Both claim chunks from one atomic cursor; each writes only the
// entry_hash of the writes it claimed, which nothing else reads before finish() returns. The
// result does not depend on who hashed what.
class EntryHasher {
public:
    explicit EntryHasher(std::vector<PlannedWrite>& plan) : m_plan(plan) {
        if (plan.size() < kParallelHashWritesMin) return;
        try {
            m_helper = std::thread([this] { run(); });
        } catch (const std::system_error&) {
            // No thread to be had: finish() hashes everything on this thread.
        }
    }
    // On an early return (a refused commit) the remaining work is abandoned, not done.
    ~EntryHasher() {
        m_cursor.store(m_plan.size(), std::memory_order_relaxed);
        if (m_helper.joinable()) m_helper.join();
    }
    EntryHasher(const EntryHasher&) = delete;
    EntryHasher& operator=(const EntryHasher&) = delete;

    // Returns once every entry hash is computed.
    void finish() {
        run();
        if (m_helper.joinable()) m_helper.join();
    }

private:
    static constexpr std::size_t kChunk = 32;

    void run() {
        for (;;) {
            std::size_t begin = m_cursor.fetch_add(kChunk, std::memory_order_relaxed);
            if (begin >= m_plan.size()) return;
            std::size_t end = std::min(begin + kChunk, m_plan.size());
            for (std::size_t i = begin; i < end; ++i) {
                const ObjectWrite& w = *m_plan[i].write;
                if (w.payload) m_plan[i].next.entry_hash = entry_hash(w.id, w.version, *w.payload);
            }
        }
    }

    std::vector<PlannedWrite>& m_plan;
    std::atomic<std::size_t> m_cursor{0};
    std::thread m_helper;
};

}  // namespace

Status Store::Impl::put_object(rocksdb::WriteBatch& batch, std::string& key, std::uint32_t shard,
                               const ObjectWrite& w) {
    key.clear();
    common::put_be16(key, static_cast<std::uint16_t>(shard));
    key.append(w.id.view());
    common::put_be64(key, w.version);
    // The value is the flag byte followed by the payload, passed as two slices so the payload
    // is copied once (into the batch), not twice.
    const char flag = w.payload ? kValueLive : kValueTombstone;
    rocksdb::Slice key_part(key);
    rocksdb::Slice value_parts[2] = {rocksdb::Slice(&flag, 1),
                                     w.payload ? rocksdb::Slice(*w.payload) : rocksdb::Slice()};
    return to_status(batch.Put(m_objects, rocksdb::SliceParts(&key_part, 1),
                               rocksdb::SliceParts(value_parts, 2)),
                     "building commit");
}

Result<std::optional<CachedLatest>> Store::Impl::previous_for_commit(
    const ObjectId& id, std::unique_ptr<rocksdb::Iterator>& seeker) {
    if (const CachedLatest* cached = m_cache.find(id)) return std::optional<CachedLatest>(*cached);
    if (m_cache.complete()) return std::optional<CachedLatest>{};  // a miss means absent
    // One iterator serves every miss of the commit: the writes are sorted by key, so its seeks
    // move forward through the same blocks.
    if (!seeker) seeker = new_object_iterator();
    return lookup_latest(id, seeker.get());
}

Status Store::Impl::commit(const CommitInput& input) {
    REMORA_RETURN_IF_ERROR(require_writable("commit"));
    if (input.index != m_status.applied_commit + 1) {
        return {Code::kInvalidArgument, "commit " + std::to_string(input.index) +
                                            " does not follow applied commit " +
                                            std::to_string(m_status.applied_commit)};
    }
    if (input.writes.size() > common::limits::kCommitWritesMax ||
        input.body.size() > common::limits::kCommitBodyBytesMax) {
        return {Code::kInvalidArgument, "commit exceeds the write-count or body-size limit"};
    }

    // Sorted by key: RocksDB absorbs sorted batches faster, and duplicates become adjacent.
    std::vector<PlannedWrite> plan(input.writes.size());
    for (std::size_t i = 0; i < input.writes.size(); ++i) {
        plan[i].write = &input.writes[i];
        plan[i].shard = shard_for(input.writes[i].id, m_status.shard_count);
    }
    std::sort(plan.begin(), plan.end(), [](const PlannedWrite& a, const PlannedWrite& b) {
        return std::tie(a.shard, a.write->id) < std::tie(b.shard, b.write->id);
    });

    EntryHasher hasher(plan);  // starts hashing now; joined before the digest is computed
    rocksdb::WriteBatch batch;
    std::string key;
    key.reserve(kObjectKeyBytes);
    std::unique_ptr<rocksdb::Iterator> seeker;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        PlannedWrite& p = plan[i];
        const ObjectWrite& w = *p.write;
        if (i > 0 && plan[i - 1].write->id == w.id) {
            return {Code::kInvalidArgument, "commit writes " + w.id.hex() + " twice"};
        }
        if (w.version == 0) return {Code::kInvalidArgument, describe(w) + ": versions start at 1"};
        if (w.payload && w.payload->size() > common::limits::kObjectBytesMax) {
            return {Code::kInvalidArgument, describe(w) + ": payload exceeds kObjectBytesMax"};
        }
        auto previous = previous_for_commit(w.id, seeker);
        if (!previous) return previous.status();
        p.previous = previous.value();
        if (p.previous && w.version <= p.previous->version) {
            return {Code::kInvalidArgument, describe(w) + " is not above the newest version " +
                                                std::to_string(p.previous->version)};
        }
        if (!w.payload && !(p.previous && !p.previous->tombstone)) {
            return {Code::kInvalidArgument, describe(w) + ": deletes an object that is not live"};
        }
        p.next.version = w.version;
        p.next.tombstone = !w.payload;
        REMORA_RETURN_IF_ERROR(put_object(batch, key, p.shard, w));
    }
    seeker.reset();  // release its pinned memtables before the write

    hasher.finish();
    StateDigest digest(m_status.state_digest);
    std::uint64_t live = m_status.live_objects;
    for (const PlannedWrite& p : plan) {
        if (p.previous && !p.previous->tombstone) {
            digest.remove(p.previous->entry_hash);
            --live;
        }
        if (!p.next.tombstone) {
            digest.add(p.next.entry_hash);
            ++live;
        }
    }

    CommitRecord record;
    record.index = input.index;
    record.state_digest = digest.value();
    record.live_objects = live;
    record.transactions = static_cast<std::uint32_t>(input.transactions.size());
    record.body = input.body;
    record.writes.reserve(plan.size());
    for (const PlannedWrite& p : plan) {
        record.writes.push_back({p.write->id, p.write->version, !p.write->payload});
    }
    for (const TxLocation& tx : input.transactions) {
        REMORA_RETURN_IF_ERROR(to_status(
            batch.Put(m_transactions, tx.tx_digest.view(),
                      transaction_value(input.index, tx.position)),
            "building commit"));
    }
    common::Bytes be;
    common::put_be64(be, input.index);
    (void)batch.Put(m_commits, be, encode_commit_record(record));
    (void)batch.Put(m_meta, kMetaAppliedCommit, be);
    be.clear();
    common::put_be64(be, live);
    (void)batch.Put(m_meta, kMetaLiveObjects, be);
    (void)batch.Put(m_meta, kMetaStateDigest, digest.value().view());

    // The cache moves forward before the write, while its slots are still hot from the
    // lookups; if the write fails, the cache is emptied (an empty cache holds nothing the
    // database lacks), which keeps its invariant at the price of a cold start.
    for (const PlannedWrite& p : plan) m_cache.put(p.write->id, p.next);
    Status written = to_status(m_db->Write(write_options(m_options), &batch),
                               "writing commit " + std::to_string(input.index));
    if (!written) {
        m_cache.clear();
        return written;
    }
    m_status.applied_commit = input.index;
    m_status.state_digest = digest.value();
    m_status.live_objects = live;
    return {};
}

// --- Store facade -------------------------------------------------------------------------

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, OpenMode mode,
                                           const StoreOptions& options) {
    auto impl = std::make_unique<Impl>(dir, mode, options);
    REMORA_RETURN_IF_ERROR(impl->open());
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

const std::string& Store::dir() const { return m_impl->m_dir; }
bool Store::read_only() const { return m_impl->m_mode == OpenMode::kReadOnly; }
const StoreStatus& Store::status() const { return m_impl->m_status; }
std::uint32_t Store::shard_of(const ObjectId& id) const {
    return shard_for(id, m_impl->m_status.shard_count);
}

Result<std::optional<LatestInfo>> Store::latest_info(const ObjectId& id) {
    auto latest = m_impl->lookup_latest(id);
    if (!latest) return latest.status();
    if (!latest.value()) return std::optional<LatestInfo>{};
    return std::optional<LatestInfo>(LatestInfo{latest.value()->version, latest.value()->tombstone});
}

Result<std::optional<ObjectVersion>> Store::get_latest(const ObjectId& id) {
    const CachedLatest* cached = m_impl->m_cache.find(id);
    if (cached == nullptr) {
        if (m_impl->m_cache.complete()) return std::optional<ObjectVersion>{};
        return m_impl->seek_at_or_below(id, ~Version{0});
    }
    // The version is known: one exact point read (whole-key bloom filter, no iterator).
    std::string value;
    rocksdb::Status s =
        m_impl->m_db->Get(rocksdb::ReadOptions(), m_impl->m_objects,
                          object_key(shard_of(id), id, cached->version), &value);
    if (!s.ok()) return to_status(s, "reading object " + id.hex());
    auto version = decode_object_value(id, cached->version, value);
    if (!version) return version.status();
    return std::optional<ObjectVersion>(std::move(version).value());
}

Result<std::optional<ObjectVersion>> Store::get_at_or_below(const ObjectId& id, Version version) {
    if (version < m_impl->m_status.retention_watermark) {
        return Status{Code::kPruned, "version " + std::to_string(version) +
                                         " is below the retention watermark " +
                                         std::to_string(m_impl->m_status.retention_watermark)};
    }
    return m_impl->seek_at_or_below(id, version);
}

Result<std::vector<std::optional<ObjectVersion>>> Store::multi_get_latest(
    std::span<const ObjectId> ids) {
    std::vector<std::optional<ObjectVersion>> out;
    out.reserve(ids.size());
    for (const ObjectId& id : ids) {
        auto v = get_latest(id);
        if (!v) return v.status();
        out.push_back(std::move(v).value());
    }
    return out;
}

Result<std::vector<ObjectVersion>> Store::history(const ObjectId& id) {
    std::uint32_t shard = shard_of(id);
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(m_impl->m_db->NewIterator(ro, m_impl->m_objects));
    std::vector<ObjectVersion> out;
    for (it->Seek(object_prefix(shard, id)); it->Valid(); it->Next()) {
        if (out.size() >= common::limits::kHistoryVersionsMax) break;
        auto key = decode_object_key(it->key().ToStringView());
        if (!key || key->id != id) {
            return Status{Code::kCorruption, "unexpected key in the history of " + id.hex()};
        }
        auto v = decode_object_value(id, key->version, it->value().ToStringView());
        if (!v) return v.status();
        out.push_back(std::move(v).value());
    }
    REMORA_RETURN_IF_ERROR(to_status(it->status(), "reading history of " + id.hex()));
    return out;
}

Result<CommitRecord> Store::read_commit(CommitIndex index) {
    std::string value;
    rocksdb::Status s =
        m_impl->m_db->Get(rocksdb::ReadOptions(), m_impl->m_commits, commit_key(index), &value);
    if (s.IsNotFound()) {
        return Status{Code::kNotFound, "commit " + std::to_string(index) + " is not stored"};
    }
    if (!s.ok()) return to_status(s, "reading commit " + std::to_string(index));
    auto record = decode_commit_record(value);
    if (!record) return record.status().with_context("commit " + std::to_string(index));
    return record;
}

Result<std::pair<CommitIndex, std::uint32_t>> Store::find_transaction(const common::Hash256& tx) {
    std::string value;
    rocksdb::Status s =
        m_impl->m_db->Get(rocksdb::ReadOptions(), m_impl->m_transactions, tx.view(), &value);
    if (s.IsNotFound()) return Status{Code::kNotFound, "transaction " + tx.hex() + " not found"};
    if (!s.ok()) return to_status(s, "reading transaction index");
    if (value.size() != 12) {
        return Status{Code::kCorruption, "transaction index entry of " + tx.hex() + " malformed"};
    }
    return std::pair<CommitIndex, std::uint32_t>{common::get_be64(value),
                                                 common::get_be32(value, 8)};
}

Status Store::commit(const CommitInput& input) { return m_impl->commit(input); }
Result<PruneResult> Store::prune(Version watermark) { return m_impl->prune(watermark); }
Result<RecomputedDigest> Store::recompute_digest() { return m_impl->recompute_digest(); }
Result<StoreStats> Store::stats() { return m_impl->stats(); }

}  // namespace remora::storage
