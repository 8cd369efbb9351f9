// Reads and the atomic commit path of the store.

#include "storage/store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <new>
#include <thread>

#include <rocksdb/perf_level.h>

#include "common/fault_point.h"
#include "storage/commit_codec.h"
#include "storage/commit_plan.h"
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
    REMORA_RETURN_IF_ERROR(drain());  // RocksDB alone must answer
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
// The commit's rules (docs/storage_format.md, "One atomic WriteBatch per commit"). The speed
// machinery (key order, hashing on the helper thread, prefetching, cache slot hints, the
// batch's size) is CommitPlan's (commit_plan.h); nothing here depends on it.

namespace {

std::string describe(const ObjectWrite& w) {
    return "object " + w.id.hex() + " version " + std::to_string(w.version);
}

}  // namespace

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
    // The pipeline: retire what the writer wrote (and report a failed write); a cache that
    // may miss must find every earlier commit in RocksDB.
    REMORA_RETURN_IF_ERROR(m_cache.complete() ? settle(std::nullopt) : drain());
    quiesce_helper();
    CommitPlan plan(*this, input);
    if (m_options.pipeline_depth > 0 && !m_writer && !m_writer_unavailable) {
        m_writer = CommitWriter::start(*m_db, write_options(m_options), m_options.pipeline_depth,
                                       m_status.applied_commit, m_durable_observer);
        m_writer_unavailable = m_writer == nullptr;  // then commits are written here
    }
    InFlight in_flight;

    // Each write, in key order: one per id, versions from 1 and above the newest stored one
    // (a tombstone may stand over any id: docs/storage_format.md, "Tombstones are high-water
    // marks"). The digest loses each replaced live entry and gains each new one.
    StateDigest digest(m_status.state_digest);
    std::uint64_t live = m_status.live_objects;
    for (std::size_t k = 0; k < plan.size(); ++k) {
        const ObjectWrite& w = plan.visit(k);
        if (k > 0 && plan.at(k - 1).id == w.id) {
            return {Code::kInvalidArgument, "commit writes " + w.id.hex() + " twice"};
        }
        if (w.version == 0) return {Code::kInvalidArgument, describe(w) + ": versions start at 1"};
        if (w.payload && w.payload->size() > common::limits::kObjectBytesMax) {
            return {Code::kInvalidArgument, describe(w) + ": payload exceeds kObjectBytesMax"};
        }
        auto previous = plan.previous(k);
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
        REMORA_RETURN_IF_ERROR(plan.put_object(k));
    }
    plan.finish_hashes();
    for (std::size_t k = 0; k < plan.size(); ++k) {
        if (plan.at(k).payload) digest.add(plan.entry_hash(k));
    }

    // The transaction index, the commit record and the meta entries, in the same batch.
    for (const TxLocation& tx : input.transactions) {
        REMORA_RETURN_IF_ERROR(plan.put(m_transactions, tx.tx_digest.view(),
                                        transaction_value(input.index, tx.position)));
    }
    CommitRecord record;  // its writes come from the plan and its body from the input
    record.index = input.index;
    record.state_digest = digest.value();
    record.live_objects = live;
    record.transactions = static_cast<std::uint32_t>(input.transactions.size());
    common::Bytes index_key;
    common::put_be64(index_key, input.index);
    common::Bytes live_value;
    common::put_be64(live_value, live);
    const CommitRecordParts encoded = encode_commit_record_parts(
        record, input.body, plan.size(), [&plan](std::size_t k) { return plan.ref(k); });
    REMORA_RETURN_IF_ERROR(plan.put(m_commits, index_key, encoded.parts(input.body)));
    REMORA_RETURN_IF_ERROR(plan.put(m_meta, kMetaAppliedCommit, index_key));
    REMORA_RETURN_IF_ERROR(plan.put(m_meta, kMetaLiveObjects, live_value));
    REMORA_RETURN_IF_ERROR(plan.put(m_meta, kMetaStateDigest, digest.value().view()));

    // One atomic write; the cache follows it (CommitPlan::write keeps its invariant). In the
    // pipeline the writer thread writes it, and the pending maps answer for it meanwhile.
    const std::string what = "writing commit " + std::to_string(input.index);
    if (m_writer) {
        in_flight.index = input.index;
        in_flight.before = m_status;
        REMORA_FAULT_POINT("storage.commit.before_write");
        REMORA_RETURN_IF_ERROR(plan.hand_over(*m_writer, input.index, what));
        // The pending maps answer for it until the writer has written it (settle()).
        in_flight.object_keys.reserve(input.writes.size());
        for (const ObjectWrite& w : input.writes) {
            PendingKey key{w.id, w.version};
            in_flight.object_keys.push_back(key);
            m_pending_objects.insert_or_assign(key, w.payload);
        }
        in_flight.transaction_keys.reserve(input.transactions.size());
        for (const TxLocation& tx : input.transactions) {
            in_flight.transaction_keys.push_back(tx.tx_digest);
            m_pending_transactions.insert_or_assign(tx.tx_digest, input.index);
        }
        m_in_flight.push_back(std::move(in_flight));
    } else {
        REMORA_FAULT_POINT("storage.commit.before_write");
        REMORA_RETURN_IF_ERROR(plan.write(write_options(m_options), what));
        REMORA_FAULT_POINT("storage.commit.after_write");
        if (m_durable_observer) m_durable_observer(input.index);
    }
    m_status.applied_commit = input.index;
    m_status.state_digest = digest.value();
    m_status.live_objects = live;
    return {};
}

// --- The commit pipeline -------------------------------------------------------------------

Status Store::Impl::settle(std::optional<CommitIndex> wait_for) {
    if (!m_writer || m_in_flight.empty()) return {};
    const CommitWriter::Progress progress = wait_for ? m_writer->wait(*wait_for) : m_writer->poll();
    while (!m_in_flight.empty() && m_in_flight.front().index <= progress.durable) {
        const InFlight& done = m_in_flight.front();
        for (const PendingKey& key : done.object_keys) m_pending_objects.erase(key);
        for (const common::Hash256& key : done.transaction_keys) {
            auto it = m_pending_transactions.find(key);
            // Under the old rules a digest may be indexed again by a later commit: keep that.
            if (it != m_pending_transactions.end() && it->second == done.index) {
                m_pending_transactions.erase(it);
            }
        }
        m_in_flight.pop_front();
    }
    if (!progress.failed) return {};
    if (progress.fatal) {
        // The log's fsync failed after the memtables took the commits: RocksDB holds commits
        // that are not durable, and nothing short of a reopen (which replays what the log
        // holds) can take them back. The store stays as applied, refusing every commit.
        m_reopen_required = true;
        m_write_failed = true;
        m_write_error = "syncing commits " + std::to_string(*progress.failed) + ".." +
                        std::to_string(m_status.applied_commit) + ": " + progress.error +
                        "; every commit up to " + std::to_string(progress.durable) +
                        " is durable, and the store takes no commit until it is reopened (the "
                        "reopen keeps what the log holds)";
        return {Code::kIoError, m_write_error};
    }
    // The failed commit is now the oldest in flight; it and every later one never happened.
    m_status = m_in_flight.front().before;
    m_in_flight.clear();
    m_pending_objects.clear();
    m_pending_transactions.clear();
    m_cache.clear();  // it moved ahead to commits that are gone
    m_writer->reset(m_status.applied_commit);
    m_write_failed = true;  // RocksDB takes no write until resumed (resume_after_write_error)
    m_write_error = "writing commit " + std::to_string(*progress.failed) + ": " + progress.error;
    return {Code::kIoError, m_write_error};
}

Status Store::Impl::drain() { return settle(m_status.applied_commit); }

const std::optional<Bytes>* Store::Impl::pending_object(const ObjectId& id, Version version) const {
    if (m_pending_objects.empty()) return nullptr;
    auto it = m_pending_objects.find(PendingKey{id, version});
    return it == m_pending_objects.end() ? nullptr : &it->second;
}

const CommitIndex* Store::Impl::pending_transaction(const common::Hash256& digest) const {
    if (m_pending_transactions.empty()) return nullptr;
    auto it = m_pending_transactions.find(digest);
    return it == m_pending_transactions.end() ? nullptr : &it->second;
}

// --- Store facade -------------------------------------------------------------------------

namespace {

// The names and sizes of a directory's files (RocksDB's own LOG files aside): what changes
// while a writer works in it.
std::string directory_fingerprint(const std::string& dir) {
    std::vector<std::string> entries;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind("LOG", 0) == 0) continue;
        std::error_code size_ec;
        const auto bytes = it->is_regular_file(size_ec) ? it->file_size(size_ec) : 0;
        entries.push_back(name + ":" + std::to_string(size_ec ? 0 : bytes));
    }
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const std::string& e : entries) out += e + "\n";
    return out;
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, OpenMode mode,
                                           const StoreOptions& options) {
    // A read-only open beside a live writer can read the MANIFEST just before a flush is
    // recorded and list the logs just after the flushed one was released, and so see less
    // than the writer wrote: the damage checks refuse such a view. Damage on disk stays put;
    // a live directory changes. So a refusal is reported only once two opens of an unchanged
    // directory agree; while the directory keeps changing, the open is tried again.
    constexpr int kSettledAttempts = 2;
    constexpr int kAttemptsMax = 50;
    int settled = 0;
    for (int attempt = 1;; ++attempt) {
        const std::string before = directory_fingerprint(dir);
        auto impl = std::make_unique<Impl>(dir, mode, options);
        Status opened = impl->open();
        if (opened) return std::unique_ptr<Store>(new Store(std::move(impl)));
        impl.reset();
        if (opened.code() != Code::kCorruption || options.in_memory) return opened;
        if (directory_fingerprint(dir) == before) ++settled;
        if (settled >= kSettledAttempts || attempt >= kAttemptsMax) return opened;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
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
    return std::optional<LatestInfo>(
        LatestInfo{latest.value()->version, latest.value()->tombstone});
}

Result<std::optional<ObjectVersion>> Store::get_latest(const ObjectId& id) {
    const CachedLatest* cached = m_impl->m_cache.find(id);
    if (cached == nullptr) {
        if (m_impl->m_cache.complete()) return std::optional<ObjectVersion>{};
        REMORA_RETURN_IF_ERROR(m_impl->drain());
        return m_impl->seek_at_or_below(id, ~Version{0});
    }
    // The version is known: one exact point read (whole-key bloom filter, no iterator), or the
    // commit pipeline still holds it.
    const Version version_number = cached->version;
    if (const std::optional<Bytes>* pending = m_impl->pending_object(id, version_number)) {
        ObjectVersion out;
        out.id = id;
        out.version = version_number;
        out.tombstone = !pending->has_value();
        if (*pending) out.payload = **pending;
        return std::optional<ObjectVersion>(std::move(out));
    }
    std::string value;
    rocksdb::Status s = m_impl->m_db->Get(rocksdb::ReadOptions(), m_impl->m_objects,
                                          object_key(shard_of(id), id, version_number), &value);
    if (!s.ok()) return to_status(s, "reading object " + id.hex());
    auto version = decode_object_value(id, version_number, value);
    if (!version) return version.status();
    return std::optional<ObjectVersion>(std::move(version).value());
}

Result<std::optional<ObjectVersion>> Store::get_at_or_below(const ObjectId& id, Version version) {
    if (version < m_impl->m_status.retention_watermark) {
        return Status{Code::kPruned, "version " + std::to_string(version) +
                                         " is below the retention watermark " +
                                         std::to_string(m_impl->m_status.retention_watermark)};
    }
    REMORA_RETURN_IF_ERROR(m_impl->drain());
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
    REMORA_RETURN_IF_ERROR(m_impl->drain());
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
    REMORA_RETURN_IF_ERROR(m_impl->drain());
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
    REMORA_RETURN_IF_ERROR(m_impl->drain());
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

namespace {

// A transaction index read's answer (`s`, `value`) for `tx`: its commit, or nullopt when absent.
Result<std::optional<CommitIndex>> transaction_index_entry(const common::Hash256& tx,
                                                           const rocksdb::Status& s,
                                                           const rocksdb::PinnableSlice& value) {
    if (s.IsNotFound()) return std::optional<CommitIndex>();
    if (!s.ok()) return to_status(s, "reading transaction index");
    if (value.size() != 12) {
        return Status{Code::kCorruption, "transaction index entry of " + tx.hex() + " malformed"};
    }
    return std::optional<CommitIndex>(common::get_be64(common::ByteView(value.data(), 8)));
}

}  // namespace

Result<std::optional<CommitIndex>> Store::transaction_commit(const common::Hash256& tx) {
    if (const CommitIndex* pending = m_impl->pending_transaction(tx)) {
        return std::optional<CommitIndex>(*pending);
    }
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        m_impl->m_db->Get(rocksdb::ReadOptions(), m_impl->m_transactions, tx.view(), &value);
    return transaction_index_entry(tx, s, value);
}

Result<std::vector<std::optional<CommitIndex>>> Store::transaction_commits(
    std::span<const common::Hash256> txs) {
    std::vector<std::optional<CommitIndex>> out(txs.size());
    std::vector<rocksdb::Slice> keys;
    std::vector<std::size_t> asked;  // the position in `txs` of each key
    keys.reserve(txs.size());
    asked.reserve(txs.size());
    for (std::size_t i = 0; i < txs.size(); ++i) {
        if (const CommitIndex* pending = m_impl->pending_transaction(txs[i])) {
            out[i] = *pending;
            continue;
        }
        keys.emplace_back(txs[i].view());
        asked.push_back(i);
    }
    if (keys.empty()) return out;
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    // Digests compare bytewise, as the column family orders its keys: strictly ascending ones
    // need not be sorted again by RocksDB.
    const bool sorted =
        std::adjacent_find(txs.begin(), txs.end(),
                           [](const auto& a, const auto& b) { return !(a < b); }) == txs.end();
    m_impl->m_db->MultiGet(rocksdb::ReadOptions(), m_impl->m_transactions, keys.size(), keys.data(),
                           values.data(), statuses.data(), sorted);
    for (std::size_t k = 0; k < keys.size(); ++k) {
        auto entry = transaction_index_entry(txs[asked[k]], statuses[k], values[k]);
        if (!entry) return entry.status();
        out[asked[k]] = entry.value();
    }
    return out;
}

Status Store::commit(const CommitInput& input) {
    REMORA_RETURN_IF_ERROR(m_impl->resume_after_write_error());
    Status committed = m_impl->commit(input);
    if (committed.code() == Code::kIoError) {
        m_impl->m_write_failed = true;
        m_impl->m_write_error = committed.message();
    }
    return committed;
}
Result<CommitIndex> Store::wait_durable(CommitIndex index) {
    REMORA_RETURN_IF_ERROR(m_impl->settle(std::min(index, m_impl->m_status.applied_commit)));
    return m_impl->m_in_flight.empty() ? m_impl->m_status.applied_commit
                                       : m_impl->m_in_flight.front().index - 1;
}

Result<CommitIndex> Store::durable_commit() {
    REMORA_RETURN_IF_ERROR(m_impl->settle(std::nullopt));
    return m_impl->m_in_flight.empty() ? m_impl->m_status.applied_commit
                                       : m_impl->m_in_flight.front().index - 1;
}

void Store::set_durable_observer(std::function<void(CommitIndex)> observer) {
    REMORA_ASSERT(m_impl->m_in_flight.empty());
    m_impl->m_durable_observer = std::move(observer);
}

PipelineStats Store::pipeline_stats() const {
    if (!m_impl->m_writer) return {};
    const CommitWriter::Stats stats = m_impl->m_writer->stats();
    return PipelineStats{stats.writes, stats.write_ns, stats.syncs, stats.sync_ns, stats.wait_ns};
}

Result<PruneResult> Store::prune(Version watermark) {
    REMORA_RETURN_IF_ERROR(m_impl->drain());
    return m_impl->prune(watermark);
}

Result<CompactResult> Store::compact() {
    REMORA_RETURN_IF_ERROR(m_impl->drain());
    return m_impl->compact();
}
Result<RecomputedDigest> Store::recompute_digest() {
    REMORA_RETURN_IF_ERROR(m_impl->drain());
    return m_impl->recompute_digest();
}
Result<StoreStats> Store::stats() {
    REMORA_RETURN_IF_ERROR(m_impl->drain());
    return m_impl->stats();
}
EngineGauges Store::engine_gauges() const { return m_impl->engine_gauges(); }

void disable_rocksdb_counters_on_this_thread() {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
}

}  // namespace remora::storage
