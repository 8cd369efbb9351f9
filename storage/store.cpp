// Reads and the atomic commit path of the store.

#include "storage/store.h"

#include <algorithm>
#include <atomic>
#include <new>

#include "storage/commit_codec.h"
#include "storage/helper_thread.h"
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
// How many writes ahead the validation loop asks the CPU to load cache index slots and
// payloads (it visits them in key order, so at random addresses). The writes themselves are
// asked for twice as far ahead, since finding the payload and the slot reads them; cache
// entries half as far, since finding one reads its index slot.
constexpr std::size_t kPrefetchDistance = 8;

// A write's place in the commit's (shard, id) order: the shard and the id's first six bytes
// as one big-endian integer, so that most comparisons are one integer compare; equal keys
// fall back to comparing the whole ids.
struct SortKey {
    std::uint64_t key = 0;
    std::uint32_t index = 0;  // into CommitInput::writes
};

std::uint64_t sort_key(std::uint32_t shard, const ObjectId& id) {
    static_assert(common::limits::kShardCountMax <= (1u << 16));
    std::uint64_t key = shard;
    for (std::size_t i = 0; i < 6; ++i) key = (key << 8) | id.bytes[i];
    return key;
}

std::string describe(const ObjectWrite& w) {
    return "object " + w.id.hex() + " version " + std::to_string(w.version);
}

// The head of a payload (the hardware streams the rest of a long one).
void prefetch_payload(const ObjectWrite& w) {
    if (!w.payload) return;
    const char* data = w.payload->data();
    const std::size_t size = std::min<std::size_t>(w.payload->size(), 512);
    for (std::size_t offset = 0; offset < size; offset += 64) __builtin_prefetch(data + offset);
}

// Entry hashes (BLAKE2b over each payload) are the commit path's largest CPU cost beyond
// RocksDB. They depend only on the writes, so for large commits the store's helper thread
// hashes them, in the writes' own order, from the start of the commit, while this thread
// sorts, validates and builds the batch; then this thread joins in. Both claim chunks from one
// atomic cursor; each writes only the hashes of the chunks it claimed, which nothing reads
// before finish() returns. The result does not depend on who hashed what.
class EntryHashJob final : public HelperThread::Job {
public:
    EntryHashJob(const std::vector<ObjectWrite>& writes, std::vector<common::Hash256>& hashes)
        : m_writes(writes), m_hashes(hashes) {}

    void run() override {
        const std::size_t n = m_writes.size();
        for (;;) {
            std::size_t begin = m_cursor.fetch_add(kChunk, std::memory_order_relaxed);
            if (begin >= n) return;
            std::size_t end = std::min(begin + kChunk, n);
            for (std::size_t i = begin; i < end; ++i) {
                const ObjectWrite& w = m_writes[i];
                if (w.payload) m_hashes[i] = entry_hash(w.id, w.version, *w.payload);
            }
        }
    }
    // Leaves the chunks nobody has claimed yet unhashed.
    void abandon() { m_cursor.store(m_writes.size(), std::memory_order_relaxed); }

private:
    static constexpr std::size_t kChunk = 16;

    const std::vector<ObjectWrite>& m_writes;
    std::vector<common::Hash256>& m_hashes;
    std::atomic<std::size_t> m_cursor{0};
};

// Runs an EntryHashJob with the helper thread when there is one. On an early return (a
// refused commit) the destructor abandons the remaining work and waits until the helper has
// let go of the job.
class EntryHasher {
public:
    EntryHasher(HelperThread* helper, const std::vector<ObjectWrite>& writes,
                std::vector<common::Hash256>& hashes)
        : m_job(writes, hashes), m_helper(helper) {
        if (m_helper != nullptr) m_helper->post(m_job);
    }
    ~EntryHasher() {
        if (m_helper == nullptr) return;
        m_job.abandon();
        m_helper->settle();
    }
    EntryHasher(const EntryHasher&) = delete;
    EntryHasher& operator=(const EntryHasher&) = delete;

    // Returns once every entry hash is computed.
    void finish() {
        m_job.run();
        if (m_helper != nullptr) m_helper->settle();
        m_helper = nullptr;
    }

private:
    EntryHashJob m_job;
    HelperThread* m_helper;
};

}  // namespace

void Store::Impl::quiesce_helper() {
    if (!m_populate_posted) return;
    m_populate.abort();
    m_helper->settle();
    m_populate_posted = false;
}

void Store::Impl::populate_cache_ahead(std::size_t writes) {
    if (!m_helper || m_populate.unsupported()) return;
    quiesce_helper();
    // Room for this many new entries again (each commit adds at most its write count), and at
    // least a few pages' worth. Only a speed-up: when memory cannot be mapped, skip it.
    LatestCache::MemorySpan span;
    try {
        span = m_cache.entry_memory_ahead(std::max<std::size_t>(2 * writes, 256));
    } catch (const std::bad_alloc&) {
        return;
    }
    if (span.bytes == 0) return;
    m_populate.set(span.data, span.bytes);
    m_helper->post(m_populate);
    m_populate_posted = true;
}

HelperThread* Store::Impl::commit_helper(std::size_t writes) {
    if (writes < kParallelHashWritesMin) return nullptr;
    if (!m_helper && !m_helper_unavailable) {
        m_helper = HelperThread::start();
        // No thread to be had: this thread hashes everything, now and for later commits.
        m_helper_unavailable = !m_helper;
    }
    return m_helper.get();
}

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
    rocksdb::Status s = batch.Put(m_objects, rocksdb::SliceParts(&key_part, 1),
                                  rocksdb::SliceParts(value_parts, 2));
    if (s.ok()) return {};
    return to_status(s, "building commit");
}

Result<std::optional<CachedLatest>> Store::Impl::previous_for_commit(
    const ObjectId& id, std::unique_ptr<rocksdb::Iterator>& seeker, LatestCache::SlotHint& hint) {
    if (const CachedLatest* cached = m_cache.find(id, hint)) {
        return std::optional<CachedLatest>(*cached);
    }
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
    const std::vector<ObjectWrite>& writes = input.writes;
    const std::size_t n = writes.size();
    quiesce_helper();

    // Entry hashes, in the writes' order; the helper starts on them right away.
    std::vector<common::Hash256> hashes(n);
    EntryHasher hasher(commit_helper(n), writes, hashes);

    // Sorted by key: RocksDB absorbs sorted batches faster, and duplicates become adjacent.
    std::vector<SortKey> order(n);
    std::size_t payload_bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        order[i].key = sort_key(shard_for(writes[i].id, m_status.shard_count), writes[i].id);
        order[i].index = static_cast<std::uint32_t>(i);
        if (writes[i].payload) payload_bytes += writes[i].payload->size();
    }
    std::sort(order.begin(), order.end(), [&writes](const SortKey& a, const SortKey& b) {
        if (a.key != b.key) return a.key < b.key;
        return writes[a.index].id < writes[b.index].id;
    });

    // Room for every put up front (object entries, then the commit record and the meta and
    // transaction entries), so the batch's buffer is never copied to grow.
    constexpr std::size_t kObjectEntryBytes = kObjectKeyBytes + 16;  // + tag, lengths, flag
    constexpr std::size_t kRecordRefBytes = 48;
    rocksdb::WriteBatch batch(1024 + payload_bytes + n * (kObjectEntryBytes + kRecordRefBytes) +
                              input.body.size() + input.transactions.size() * 64);

    // Validation and the object puts, in key order. The digest loses each replaced live entry
    // here (the order of additions and subtractions does not matter, mod 2^256); it gains the
    // new entries once their hashes are done.
    StateDigest digest(m_status.state_digest);
    std::uint64_t live = m_status.live_objects;
    std::vector<LatestCache::SlotHint> hints(n);
    std::string key;
    key.reserve(kObjectKeyBytes);
    std::unique_ptr<rocksdb::Iterator> seeker;
    for (std::size_t k = 0; k < n; ++k) {
        if (k + 2 * kPrefetchDistance < n) {
            const ObjectWrite* far = &writes[order[k + 2 * kPrefetchDistance].index];
            __builtin_prefetch(far);
            __builtin_prefetch(reinterpret_cast<const char*>(far) + sizeof(ObjectWrite) - 1);
        }
        if (k + kPrefetchDistance < n) {
            const ObjectWrite& ahead = writes[order[k + kPrefetchDistance].index];
            m_cache.prefetch_slot(ahead.id);
            prefetch_payload(ahead);
        }
        if (k + kPrefetchDistance / 2 < n) {
            m_cache.prefetch_entry(writes[order[k + kPrefetchDistance / 2].index].id);
        }
        const ObjectWrite& w = writes[order[k].index];
        if (k > 0 && writes[order[k - 1].index].id == w.id) {
            return {Code::kInvalidArgument, "commit writes " + w.id.hex() + " twice"};
        }
        if (w.version == 0) return {Code::kInvalidArgument, describe(w) + ": versions start at 1"};
        if (w.payload && w.payload->size() > common::limits::kObjectBytesMax) {
            return {Code::kInvalidArgument, describe(w) + ": payload exceeds kObjectBytesMax"};
        }
        auto previous = previous_for_commit(w.id, seeker, hints[k]);
        if (!previous) return previous.status();
        const std::optional<CachedLatest>& prev = previous.value();
        if (prev && w.version <= prev->version) {
            return {Code::kInvalidArgument, describe(w) + " is not above the newest version " +
                                                std::to_string(prev->version)};
        }
        if (prev && !prev->tombstone) {
            digest.remove(prev->entry_hash);
            --live;
        }
        if (w.payload) ++live;
        REMORA_RETURN_IF_ERROR(
            put_object(batch, key, static_cast<std::uint32_t>(order[k].key >> 48), w));
    }
    seeker.reset();  // release its pinned memtables before the write

    for (const TxLocation& tx : input.transactions) {
        REMORA_RETURN_IF_ERROR(to_status(
            batch.Put(m_transactions, tx.tx_digest.view(),
                      transaction_value(input.index, tx.position)),
            "building commit"));
    }

    hasher.finish();
    for (std::size_t i = 0; i < n; ++i) {
        if (writes[i].payload) digest.add(hashes[i]);
    }

    CommitRecord record;  // its writes come from `order`, not from record.writes
    record.index = input.index;
    record.state_digest = digest.value();
    record.live_objects = live;
    record.transactions = static_cast<std::uint32_t>(input.transactions.size());
    record.body = input.body;
    common::Bytes be;
    common::put_be64(be, input.index);
    (void)batch.Put(m_commits, be,
                    encode_commit_record(record, n, [&writes, &order](std::size_t k) {
                        const ObjectWrite& w = writes[order[k].index];
                        return ObjectRef{w.id, w.version, !w.payload};
                    }));
    (void)batch.Put(m_meta, kMetaAppliedCommit, be);
    be.clear();
    common::put_be64(be, live);
    (void)batch.Put(m_meta, kMetaLiveObjects, be);
    (void)batch.Put(m_meta, kMetaStateDigest, digest.value().view());

    // The cache moves forward before the write, while its slots are still hot from the
    // lookups (each put goes straight to the slot its lookup found, unless entries moved
    // since); if the write fails, the cache is emptied (an empty cache holds nothing the
    // database lacks), which keeps its invariant at the price of a cold start.
    try {
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint32_t i = order[k].index;
            const ObjectWrite& w = writes[i];
            m_cache.put(w.id, CachedLatest{w.version, !w.payload, hashes[i]}, hints[k]);
        }
    } catch (...) {
        m_cache.clear();  // some entries moved ahead of a write that will not happen
        throw;
    }
    populate_cache_ahead(n);
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

Result<std::optional<CommitIndex>> Store::transaction_commit(const common::Hash256& tx) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        m_impl->m_db->Get(rocksdb::ReadOptions(), m_impl->m_transactions, tx.view(), &value);
    if (s.IsNotFound()) return std::optional<CommitIndex>();
    if (!s.ok()) return to_status(s, "reading transaction index");
    if (value.size() != 12) {
        return Status{Code::kCorruption, "transaction index entry of " + tx.hex() + " malformed"};
    }
    return std::optional<CommitIndex>(common::get_be64(common::ByteView(value.data(), 8)));
}

Status Store::commit(const CommitInput& input) { return m_impl->commit(input); }
Result<PruneResult> Store::prune(Version watermark) { return m_impl->prune(watermark); }
Result<RecomputedDigest> Store::recompute_digest() { return m_impl->recompute_digest(); }
Result<StoreStats> Store::stats() { return m_impl->stats(); }

}  // namespace remora::storage
