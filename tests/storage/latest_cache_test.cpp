#include <sys/mman.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <map>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "common/hash.h"
#include "storage/latest_cache.h"

using namespace remora;
using namespace remora::storage;

namespace {
ObjectId id_of(std::uint64_t i) { return common::blake2b_256(std::to_string(i)); }
}  // namespace

TEST_CASE("the latest cache agrees with a map under growth and eviction", "[cache]") {
    for (std::size_t capacity : {1u, 7u, 100u, 5000u}) {
        LatestCache cache(capacity);
        cache.set_complete(true);
        std::map<ObjectId, Version> model;  // what the cache may hold: last put per id
        std::mt19937_64 rng(capacity);
        for (int step = 0; step < 20000; ++step) {
            ObjectId id = id_of(rng() % 3000);
            Version v = rng() % 1000 + 1;
            cache.put(id, {v, v % 5 == 0, common::blake2b_256(std::to_string(v))});
            model[id] = v;
            REQUIRE(cache.size() <= capacity);
        }
        // Every entry present must be the last one put (eviction forgets, never invents), and
        // the cache holds exactly `capacity` entries once more distinct ids were put.
        std::size_t found = 0;
        for (const auto& [id, version] : model) {
            const CachedLatest* entry = cache.find(id);
            if (entry == nullptr) continue;
            ++found;
            CHECK(entry->version == version);
            CHECK(entry->tombstone == (version % 5 == 0));
            CHECK(entry->entry_hash == common::blake2b_256(std::to_string(version)));
        }
        CHECK(found == cache.size());
        CHECK(found == std::min<std::size_t>(capacity, model.size()));
        CHECK(cache.complete() == (model.size() <= capacity));  // until the first eviction
        CHECK(cache.find(id_of(999999)) == nullptr);
    }
}

TEST_CASE("a cache that never evicts stays complete; capacity 0 holds nothing", "[cache]") {
    LatestCache cache(10000);
    cache.set_complete(true);
    for (std::uint64_t i = 0; i < 5000; ++i) cache.put(id_of(i), {i + 1, false, {}});
    CHECK(cache.complete());
    CHECK(cache.size() == 5000);
    for (std::uint64_t i = 0; i < 5000; ++i) REQUIRE(cache.find(id_of(i))->version == i + 1);

    LatestCache none(0);
    none.set_complete(true);
    none.put(id_of(1), {1, false, {}});
    CHECK(none.find(id_of(1)) == nullptr);
    CHECK_FALSE(none.complete());
}

TEST_CASE("puts through slot hints agree with a map under growth and eviction", "[cache]") {
    // A commit finds its ids (taking hints), may fill the cache from the database in between
    // (plain puts that can grow the index or evict), then puts each id through its hint. Stale
    // hints must fall back to a full probe, never write a wrong slot.
    for (std::size_t capacity : {1u, 7u, 100u, 5000u, 100000u}) {
        LatestCache cache(capacity);
        cache.set_complete(true);
        std::map<ObjectId, CachedLatest> model;  // the last entry put per id
        std::mt19937_64 rng(capacity + 1);
        Version next = 1;
        for (int round = 0; round < 3000; ++round) {
            const std::size_t batch = 1 + rng() % 16;
            std::vector<ObjectId> ids;
            std::vector<LatestCache::SlotHint> hints(batch);
            for (std::size_t j = 0; j < batch; ++j) {
                ObjectId id = id_of(rng() % 20000);
                if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
                const CachedLatest* plain = cache.find(id);
                const CachedLatest* hinted = cache.find(id, hints[ids.size()]);
                REQUIRE(plain == hinted);
                ids.push_back(id);
                if (rng() % 4 == 0) {  // an unrelated fill between the lookups and the puts
                    ObjectId other = id_of(20000 + rng() % 20000);
                    CachedLatest entry{next++, false, {}};
                    cache.put(other, entry);
                    model[other] = entry;
                }
            }
            for (std::size_t j = 0; j < ids.size(); ++j) {
                CachedLatest entry{next, next % 3 == 0, common::blake2b_256(std::to_string(next))};
                ++next;
                cache.put(ids[j], entry, hints[j]);
                model[ids[j]] = entry;
                REQUIRE(cache.size() <= capacity);
            }
        }
        std::size_t found = 0;
        for (const auto& [id, expected] : model) {
            const CachedLatest* entry = cache.find(id);
            if (entry == nullptr) continue;
            ++found;
            CHECK(entry->version == expected.version);
            CHECK(entry->tombstone == expected.tombstone);
            CHECK(entry->entry_hash == expected.entry_hash);
        }
        CHECK(found == cache.size());
        CHECK(found == std::min<std::size_t>(capacity, model.size()));
        CHECK(cache.complete() == (model.size() <= capacity));
    }
}

TEST_CASE("a hint taken before clear() is ignored", "[cache]") {
    LatestCache cache(100);
    LatestCache::SlotHint hint;
    CHECK(cache.find(id_of(1), hint) == nullptr);
    cache.put(id_of(2), {1, false, {}});
    cache.clear();
    cache.put(id_of(3), {1, false, {}});
    cache.put(id_of(1), {5, false, {}}, hint);
    REQUIRE(cache.find(id_of(1)) != nullptr);
    CHECK(cache.find(id_of(1))->version == 5);
    CHECK(cache.find(id_of(3))->version == 1);
    CHECK(cache.find(id_of(2)) == nullptr);
    CHECK(cache.size() == 2);
}

TEST_CASE("entry memory handed out ahead can be prefaulted while the cache is in use", "[cache]") {
    // The store has its helper thread prefault (MADV_POPULATE_WRITE) the spans while it keeps
    // using the cache; that must change no entry. Each span is page-aligned and handed out once.
    for (std::size_t capacity : {50u, 100000u}) {
        LatestCache cache(capacity);
        cache.set_complete(true);
        std::map<ObjectId, Version> model;
        std::vector<std::pair<char*, std::size_t>> seen;
        std::size_t handed_out = 0;
        for (int round = 0; round < 60; ++round) {
            LatestCache::MemorySpan span = cache.entry_memory_ahead(2000);
            std::thread populate;
            if (span.bytes > 0) {
                REQUIRE(reinterpret_cast<std::uintptr_t>(span.data) % 4096 == 0);
                REQUIRE(span.bytes % 4096 == 0);
                for (const auto& [data, bytes] : seen) {
                    REQUIRE((span.data >= data + bytes || span.data + span.bytes <= data));
                }
                seen.emplace_back(span.data, span.bytes);
                handed_out += span.bytes;
                populate = std::thread([span] {
                    int rc = madvise(span.data, span.bytes, MADV_POPULATE_WRITE);
                    CHECK((rc == 0 || errno == EINVAL));  // EINVAL: a kernel before 5.14
                });
            }
            for (int i = 0; i < 1000; ++i) {
                ObjectId id = id_of(round * 700 + i);  // overlapping rounds: updates and inserts
                const auto v = static_cast<Version>(round) + 1;
                cache.put(id, {v, false, common::blake2b_256(std::to_string(v))});
                model[id] = v;
            }
            if (populate.joinable()) populate.join();
        }
        CHECK(handed_out > 0);
        std::size_t found = 0;
        for (const auto& [id, version] : model) {
            const CachedLatest* entry = cache.find(id);
            if (entry == nullptr) continue;
            ++found;
            CHECK(entry->version == version);
            CHECK(entry->entry_hash == common::blake2b_256(std::to_string(version)));
        }
        CHECK(found == std::min<std::size_t>(capacity, model.size()));
        // Nothing is handed out past the capacity.
        CHECK(cache.entry_memory_ahead(1u << 30).bytes <= capacity * 80 + 4096);
    }
}

TEST_CASE("a reserved cache fills without growing; swap exchanges whole caches", "[cache]") {
    LatestCache cache(5000);
    cache.reserve(3000);
    LatestCache::SlotHint first;
    REQUIRE(cache.find(id_of(0), first) == nullptr);
    for (std::uint64_t i = 0; i < 3000; ++i) cache.put(id_of(i), {i + 1, false, id_of(i)});
    // No growth moved a slot, so a hint taken before the puts is still current.
    LatestCache::SlotHint last;
    REQUIRE(cache.find(id_of(0), last) != nullptr);
    CHECK(last.layout == first.layout);
    cache.set_complete(true);

    LatestCache other(10);
    other.put(id_of(7), {99, true, {}});
    cache.swap(other);
    CHECK(cache.size() == 1);
    CHECK(cache.capacity() == 10);
    CHECK_FALSE(cache.complete());
    REQUIRE(cache.find(id_of(7)) != nullptr);
    CHECK(cache.find(id_of(7))->version == 99);
    CHECK(cache.find(id_of(8)) == nullptr);
    CHECK(other.size() == 3000);
    CHECK(other.capacity() == 5000);
    CHECK(other.complete());
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const CachedLatest* entry = other.find(id_of(i));
        REQUIRE(entry != nullptr);
        CHECK(entry->version == i + 1);
        CHECK(entry->entry_hash == id_of(i));
    }
    // A hint from before the swap names the other cache's slots: put() must not trust it.
    LatestCache::SlotHint stale;
    (void)cache.find(id_of(1234), stale);
    cache.swap(other);
    cache.put(id_of(1234), {5, false, {}}, stale);
    REQUIRE(cache.find(id_of(1234)) != nullptr);
    CHECK(cache.find(id_of(1234))->version == 5);
    CHECK(cache.find(id_of(1233))->version == 1234);
    CHECK(cache.size() == 3000);
}
