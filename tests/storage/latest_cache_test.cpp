#include <catch2/catch.hpp>

#include <map>
#include <random>

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
