// The speed machinery of a store commit (commit_plan.h), and the Store::Impl helpers it uses.

#include "storage/commit_plan.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <new>

#include "storage/helper_thread.h"
#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "storage/state_digest.h"

namespace remora::storage {

using common::Code;

namespace {

// Commits with at least this many writes hash their entries on two threads.
constexpr std::size_t kParallelHashWritesMin = 256;
// How many writes ahead the visit asks the CPU to load cache index slots and payloads (it
// visits them in key order, so at random addresses). The writes themselves are asked for twice
// as far ahead, since finding the payload and the slot reads them; cache entries half as far,
// since finding one reads its index slot.
constexpr std::size_t kPrefetchDistance = 8;

std::uint64_t sort_key(std::uint32_t shard, const ObjectId& id) {
    static_assert(common::limits::kShardCountMax <= (1u << 16));
    std::uint64_t key = shard;
    for (std::size_t i = 0; i < 6; ++i) key = (key << 8) | id.bytes[i];
    return key;
}

// The head of a payload (the hardware streams the rest of a long one).
void prefetch_payload(const ObjectWrite& w) {
    if (!w.payload) return;
    const char* data = w.payload->data();
    const std::size_t size = std::min<std::size_t>(w.payload->size(), 512);
    for (std::size_t offset = 0; offset < size; offset += 64) __builtin_prefetch(data + offset);
}

// Room for every put up front: the object entries, then the commit record and the meta and
// transaction entries.
std::size_t batch_bytes(const CommitInput& input) {
    constexpr std::size_t kObjectEntryBytes = kObjectKeyBytes + 16;  // + tag, lengths, flag
    constexpr std::size_t kRecordRefBytes = 48;
    std::size_t payload_bytes = 0;
    for (const ObjectWrite& w : input.writes) {
        if (w.payload) payload_bytes += w.payload->size();
    }
    return 1024 + payload_bytes + input.writes.size() * (kObjectEntryBytes + kRecordRefBytes) +
           input.body.size() + input.transactions.size() * 64;
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

}  // namespace

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

// --- The plan --------------------------------------------------------------------------------

CommitPlan::CommitPlan(Store::Impl& store, const CommitInput& input)
    : m_store(store),
      m_writes(input.writes),
      m_hashes(input.writes.size()),
      m_batch(batch_bytes(input)) {
    const std::size_t n = m_writes.size();
    // The helper starts on the hashes right away.
    m_hasher = std::make_unique<EntryHasher>(store.commit_helper(n), m_writes, m_hashes);
    m_order.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        m_order[i].key =
            sort_key(shard_for(m_writes[i].id, store.m_status.shard_count), m_writes[i].id);
        m_order[i].index = static_cast<std::uint32_t>(i);
    }
    std::sort(m_order.begin(), m_order.end(), [this](const SortKey& a, const SortKey& b) {
        if (a.key != b.key) return a.key < b.key;
        return m_writes[a.index].id < m_writes[b.index].id;
    });
    m_hints.resize(n);
    m_key.reserve(kObjectKeyBytes);
}

CommitPlan::~CommitPlan() = default;

const ObjectWrite& CommitPlan::at(std::size_t k) const { return m_writes[m_order[k].index]; }

const ObjectWrite& CommitPlan::visit(std::size_t k) {
    const std::size_t n = m_order.size();
    if (k + 2 * kPrefetchDistance < n) {
        const ObjectWrite* far = &at(k + 2 * kPrefetchDistance);
        __builtin_prefetch(far);
        __builtin_prefetch(reinterpret_cast<const char*>(far) + sizeof(ObjectWrite) - 1);
    }
    if (k + kPrefetchDistance < n) {
        const ObjectWrite& ahead = at(k + kPrefetchDistance);
        m_store.m_cache.prefetch_slot(ahead.id);
        prefetch_payload(ahead);
    }
    if (k + kPrefetchDistance / 2 < n) {
        m_store.m_cache.prefetch_entry(at(k + kPrefetchDistance / 2).id);
    }
    return at(k);
}

Result<std::optional<CachedLatest>> CommitPlan::previous(std::size_t k) {
    return m_store.previous_for_commit(at(k).id, m_seeker, m_hints[k]);
}

Status CommitPlan::put_object(std::size_t k) {
    if (k + 1 == m_order.size()) m_seeker.reset();  // release its pinned memtables early
    // The shard is the sort key's top 16 bits.
    return m_store.put_object(m_batch, m_key, static_cast<std::uint32_t>(m_order[k].key >> 48),
                              at(k));
}

Status CommitPlan::put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
                       const rocksdb::Slice& value) {
    return to_status(m_batch.Put(family, key, value), "building commit");
}

Status CommitPlan::put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
                       std::span<const common::ByteView> parts) {
    std::array<rocksdb::Slice, 4> slices;
    REMORA_ASSERT(parts.size() <= slices.size());
    for (std::size_t i = 0; i < parts.size(); ++i) slices[i] = rocksdb::Slice(parts[i]);
    return to_status(
        m_batch.Put(family, rocksdb::SliceParts(&key, 1),
                    rocksdb::SliceParts(slices.data(), static_cast<int>(parts.size()))),
        "building commit");
}

void CommitPlan::finish_hashes() { m_hasher->finish(); }

const common::Hash256& CommitPlan::entry_hash(std::size_t k) const {
    return m_hashes[m_order[k].index];
}

ObjectRef CommitPlan::ref(std::size_t k) const {
    const ObjectWrite& w = at(k);
    return ObjectRef{w.id, w.version, !w.payload};
}

Status CommitPlan::move_cache(const std::string& what) {
    m_seeker.reset();  // before the write: an iterator pins memtables
    LatestCache& cache = m_store.m_cache;
    // The cache moves forward before the write, while its slots are still hot from the
    // lookups (each put goes straight to the slot its lookup found, unless entries moved
    // since).
    try {
        for (std::size_t k = 0; k < m_order.size(); ++k) {
            const ObjectWrite& w = at(k);
            cache.put(w.id, CachedLatest{w.version, !w.payload, entry_hash(k)}, m_hints[k]);
        }
    } catch (const std::bad_alloc&) {
        cache.clear();  // some entries moved ahead of a write that will not happen
        return Status{Code::kIoError, what + ": out of memory updating the cache"};
    }
    m_store.populate_cache_ahead(m_order.size());
    return {};
}

Status CommitPlan::write(const rocksdb::WriteOptions& options, const std::string& what) {
    REMORA_RETURN_IF_ERROR(move_cache(what));
    Status written = to_status(m_store.m_db->Write(options, &m_batch), what);
    if (!written) m_store.m_cache.clear();
    return written;
}

Status CommitPlan::hand_over(CommitWriter& writer, CommitIndex index, const std::string& what) {
    REMORA_RETURN_IF_ERROR(move_cache(what));
    writer.submit(index, std::move(m_batch));
    return {};
}

// --- Store::Impl helpers of the commit path --------------------------------------------------

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

}  // namespace remora::storage
