// The latest-version cache's preload at open (docs/storage_format.md, "Preload at open"): one
// pass over `objects` that reads every version (block checksums verified), decodes each
// object's newest and computes its entry hash. The column family is split by shard between
// StoreOptions::preload_threads threads; only the opening thread touches the cache.

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "storage/keys.h"
#include "storage/rocks_options.h"
#include "storage/state_digest.h"
#include "storage/store_impl.h"

namespace remora::storage {

using common::Code;

namespace {

struct LoadedObject {
    ObjectId id;
    CachedLatest latest;
};

// Reads every `objects` version from `lower` up to `upper` (empty: that end of the column
// family) and calls emit(LoadedObject&&) -> bool with each object's newest version; emit
// returning false stops the scan. Versions ascend within an object, so its newest is the last
// key before the next object's first. `hash` false skips the entry hashes (the cache is full:
// only the reading and the checks matter then).
template <typename Emit>
Status scan_range(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* objects, const std::string& lower,
                  const std::string& upper, const std::atomic<bool>& hash, Emit&& emit) {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;
    ro.verify_checksums = true;
    const rocksdb::Slice upper_slice(upper);
    if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro, objects));
    std::optional<DecodedObjectKey> current;
    std::string value;  // the newest value read so far of `current`
    bool stopped = false;
    auto finish = [&]() -> Status {
        const bool tombstone = !value.empty() && value[0] == kValueTombstone;
        if (value.empty() || (value[0] != kValueLive && !tombstone) ||
            (tombstone && value.size() != 1)) {
            return decode_object_value(current->id, current->version, value).status();
        }
        LoadedObject loaded{current->id, {current->version, tombstone, {}}};
        if (!tombstone && hash.load(std::memory_order_relaxed)) {
            loaded.latest.entry_hash =
                entry_hash(current->id, current->version, std::string_view(value).substr(1));
        }
        stopped = !emit(loaded);
        return {};
    };
    if (lower.empty()) {
        it->SeekToFirst();
    } else {
        it->Seek(lower);
    }
    for (; it->Valid() && !stopped; it->Next()) {
        auto key = decode_object_key(it->key().ToStringView());
        if (!key) return malformed_object_key(it->key());
        if (current && (current->id != key->id || current->shard != key->shard)) {
            REMORA_RETURN_IF_ERROR(finish());
        }
        current = key;
        value.assign(it->value().data(), it->value().size());
    }
    if (stopped) return {};
    REMORA_RETURN_IF_ERROR(to_status(it->status(), "scanning objects"));
    if (current) REMORA_RETURN_IF_ERROR(finish());
    return {};
}

// What the reading threads hand to the opening thread: chunks of loaded objects, at most
// kChunksMax waiting (the readers wait beyond), so memory stays bounded however slow the
// cache inserts are.
class Handover {
public:
    static constexpr std::size_t kChunkObjects = 4096;
    static constexpr std::size_t kChunksMax = 16;
    using Chunk = std::vector<LoadedObject>;

    explicit Handover(std::size_t readers) : m_readers(readers) {}

    // A reader's chunk; false when the opening thread has given up (stop reading).
    bool push(Chunk&& chunk) {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_abandoned || m_chunks.size() < kChunksMax; });
        if (m_abandoned) return false;
        m_chunks.push_back(std::move(chunk));
        m_ready.notify_one();
        return true;
    }
    void reader_done() {
        std::lock_guard lock(m_mutex);
        --m_readers;
        m_ready.notify_one();
    }
    // Moves the waiting chunks into `out`; with `wait`, first waits for one or for every
    // reader to be done. False once every reader is done and nothing waits.
    bool take(std::deque<Chunk>& out, bool wait) {
        std::unique_lock lock(m_mutex);
        if (wait) m_ready.wait(lock, [&] { return !m_chunks.empty() || m_readers == 0; });
        const bool more = !m_chunks.empty() || m_readers > 0;
        out.swap(m_chunks);
        m_space.notify_all();
        return more;
    }
    void abandon() {
        std::lock_guard lock(m_mutex);
        m_abandoned = true;
        m_chunks.clear();
        m_space.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_ready;  // the opening thread waits for chunks here
    std::condition_variable m_space;  // readers wait for room here
    std::deque<Chunk> m_chunks;
    std::size_t m_readers;
    bool m_abandoned = false;
};

// Joins the reading threads however the preload ends (an error or an exception included).
class Readers {
public:
    explicit Readers(Handover& handover) : m_handover(handover) {}
    ~Readers() {
        m_handover.abandon();
        for (std::thread& thread : m_threads) thread.join();
    }
    Readers(const Readers&) = delete;
    Readers& operator=(const Readers&) = delete;
    // False when no thread could be started (the caller then reads the range itself).
    template <typename Body>
    bool start(Body&& body) {
        try {
            m_threads.emplace_back(std::forward<Body>(body));
            return true;
        } catch (const std::system_error&) {
            return false;
        }
    }

private:
    Handover& m_handover;
    std::vector<std::thread> m_threads;
};

}  // namespace

Status Store::Impl::preload_cache() {
    m_cache.reserve(static_cast<std::size_t>(m_status.live_objects));
    // Ranges of whole shards: an object's versions all lie in its shard. The first range
    // starts at the column family's first key and the last ends after its last, so keys of
    // any shard number, malformed ones included, are read.
    const std::uint32_t shards = std::max<std::uint32_t>(1, m_status.shard_count);
    const std::size_t ranges =
        std::clamp<std::size_t>(m_options.preload_threads, 1, std::min<std::uint32_t>(shards, 64));
    std::vector<std::string> bounds(ranges + 1);
    for (std::size_t k = 1; k < ranges; ++k) {
        common::put_be16(bounds[k], static_cast<std::uint16_t>(k * shards / ranges));
    }

    std::atomic<bool> hash{true};  // false once the cache is full
    bool fits = true;
    // Inserts wait in a small batch with their index slots prefetched, so that an insert
    // rarely waits on memory.
    constexpr std::size_t kBatch = 16;
    std::array<LoadedObject, kBatch> batch;
    std::size_t batched = 0;
    auto flush = [&] {
        for (std::size_t i = 0; i < batched; ++i) m_cache.put(batch[i].id, batch[i].latest);
        batched = 0;
    };
    auto insert = [&](const LoadedObject& loaded) {
        if (!fits) return;
        if (m_cache.size() + batched >= m_cache.capacity()) {
            fits = false;  // what was loaded stays valid; misses will read RocksDB
            hash.store(false, std::memory_order_relaxed);
            return;
        }
        m_cache.prefetch_slot(loaded.id);
        batch[batched++] = loaded;
        if (batched == kBatch) flush();
    };

    Handover handover(ranges - 1);
    std::vector<Status> results(ranges);
    std::vector<std::size_t> inline_ranges;
    std::deque<Handover::Chunk> taken;
    auto drain = [&](bool wait) {
        const bool more = handover.take(taken, wait);
        for (Handover::Chunk& chunk : taken) {
            for (const LoadedObject& loaded : chunk) insert(loaded);
        }
        taken.clear();
        return more;
    };
    {
        Readers readers(handover);
        for (std::size_t k = 1; k < ranges; ++k) {
            const bool started = readers.start([&, k] {
                Status status;
                try {
                    Handover::Chunk chunk;
                    chunk.reserve(Handover::kChunkObjects);
                    bool open = true;
                    status = scan_range(*m_db, m_objects, bounds[k], bounds[k + 1], hash,
                                        [&](const LoadedObject& loaded) {
                                            chunk.push_back(loaded);
                                            if (chunk.size() < Handover::kChunkObjects) return true;
                                            open = handover.push(std::move(chunk));
                                            chunk = {};
                                            chunk.reserve(Handover::kChunkObjects);
                                            return open;
                                        });
                    if (status && open && !chunk.empty()) handover.push(std::move(chunk));
                } catch (const std::exception& e) {
                    status = {Code::kInternal, std::string("preloading the cache: ") + e.what()};
                }
                results[k] = std::move(status);
                handover.reader_done();
            });
            if (!started) {
                inline_ranges.push_back(k);
                handover.reader_done();
            }
        }
        // The first range on this thread, taking the readers' chunks as they come.
        std::size_t objects = 0;
        results[0] = scan_range(*m_db, m_objects, bounds[0], bounds[1], hash,
                                [&](const LoadedObject& loaded) {
                                    insert(loaded);
                                    if (++objects % Handover::kChunkObjects == 0) drain(false);
                                    return true;
                                });
        if (results[0]) {
            for (std::size_t k : inline_ranges) {
                results[k] = scan_range(*m_db, m_objects, bounds[k], bounds[k + 1], hash,
                                        [&](const LoadedObject& loaded) {
                                            insert(loaded);
                                            return true;
                                        });
            }
            while (drain(true)) {
            }
        }
    }  // every reader joined
    // The first failure in key order, as one thread reading them all would have met it.
    for (Status& status : results) REMORA_RETURN_IF_ERROR(std::move(status));
    flush();
    m_cache.set_complete(fits);
    return {};
}

}  // namespace remora::storage
