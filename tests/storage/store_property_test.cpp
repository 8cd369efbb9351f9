// The store against an in-memory oracle (tests/support/store_oracle.h): after every random
// commit, prune and reopen, every read the store offers must equal the oracle's answer.
// Seeds are printed; REMORA_PROPERTY_SEED=N reruns from seed N.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "common/limits.h"
#include "storage/store.h"
#include "tests/support/store_oracle.h"
#include "tests/support/temp_dir.h"

namespace remora::testing {
namespace {

using common::Code;
using storage::CommitInput;
using storage::ObjectVersion;
using storage::OpenMode;
using storage::Store;
using storage::StoreOptions;

constexpr std::size_t kTinyCacheEntries = 2;
constexpr std::size_t kUnknownIds = 4;

std::uint64_t base_seed(std::uint64_t fallback) {
    const char* text = std::getenv("REMORA_PROPERTY_SEED");
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

// A store and the oracle fed the same commits, plus the test's own random choices (kept apart
// from the generator's streams so that changing a check never changes the commits).
class StoreUnderTest {
public:
    StoreUnderTest(std::uint64_t seed, std::string dir)
        : m_seed(seed), m_dir(std::move(dir)), m_rng(seed * 0x2545f4914f6cdd1dULL + 7) {
        // Few shards and many shards: shard order must never leak into results.
        const std::uint32_t shard_counts[] = {1, 3, 16};
        m_shard_count = shard_counts[m_rng() % 3];
    }

    Store& store() { return *m_store; }
    const StoreOracle& oracle() const { return m_oracle; }
    std::mt19937_64& rng() { return m_rng; }

    void open(std::size_t cache_entries, OpenMode mode = OpenMode::kReadWrite) {
        m_store.reset();
        StoreOptions options;
        options.create_if_missing = mode == OpenMode::kReadWrite;
        options.shard_count = m_shard_count;
        options.sync = false;  // durability is the crash test's subject; speed matters here
        options.latest_cache_entries = cache_entries;
        auto opened = Store::open(m_dir, mode, options);
        INFO("open: " << (opened ? "ok" : opened.status().to_string()));
        REQUIRE(opened.is_ok());
        m_store = std::move(opened).value();
    }
    void close() { m_store.reset(); }

    // Applies a valid commit to both sides and checks the store's status after it.
    void commit(const CommitInput& input) {
        REQUIRE(m_oracle.validate(input).is_ok());
        const common::Status status = m_store->commit(input);
        INFO("commit " << input.index << ": " << status.to_string());
        REQUIRE(status.is_ok());
        m_oracle.apply(input);
        m_digests.push_back(m_oracle.expected_digest());
        REQUIRE(diff_status(*m_store, m_oracle) == "");
    }

    void commit_next() { commit(generate_commit(m_seed, m_oracle.applied_commit() + 1, m_oracle)); }

    void prune_random() {
        const Version current = m_oracle.retention_watermark();
        const Version top = std::max(current, m_oracle.max_version());
        Version watermark = current;
        switch (m_rng() % 4) {
            case 0:
                break;  // the same watermark again: a no-op
            case 1:
                watermark = current + m_rng() % 4;
                break;
            case 2:
                watermark = current + m_rng() % (top - current + 1);
                break;
            default:
                watermark = top + m_rng() % 3;
                break;
        }
        const std::uint64_t dropped = m_oracle.prune(watermark);
        auto pruned = m_store->prune(watermark);
        INFO("prune(" << watermark << "): " << (pruned ? "ok" : pruned.status().to_string()));
        REQUIRE(pruned.is_ok());
        CHECK(pruned->retention_watermark == watermark);
        CHECK(pruned->versions_deleted == dropped);
        REQUIRE(diff_status(*m_store, m_oracle) == "");
        if (watermark > 0) {
            // Lowering the watermark is refused and changes nothing.
            auto lowered = m_store->prune(watermark - 1);
            REQUIRE_FALSE(lowered.is_ok());
            CHECK(lowered.status().code() == Code::kInvalidArgument);
            REQUIRE(diff_status(*m_store, m_oracle) == "");
        }
    }

    ObjectId random_id() {
        const std::uint64_t pool = GeneratorOptions{}.id_pool_size;
        const std::uint64_t pick = m_rng() % (pool + kUnknownIds);
        return pick < pool ? pool_id(pick) : unknown_id(pick - pool);
    }

    // The pool, a few ids never written, and every id the oracle holds, each once.
    std::vector<ObjectId> all_ids() const {
        std::set<ObjectId> ids;
        for (std::uint64_t k = 0; k < GeneratorOptions{}.id_pool_size; ++k) {
            ids.insert(pool_id(k));
        }
        for (std::uint64_t k = 0; k < kUnknownIds; ++k) ids.insert(unknown_id(k));
        for (const auto& [id, versions] : m_oracle.objects()) ids.insert(id);
        return {ids.begin(), ids.end()};
    }

    void check_multi_get(std::vector<ObjectId> ids) {
        auto actual = m_store->multi_get_latest(ids);
        INFO("multi_get_latest: " << (actual ? "ok" : actual.status().to_string()));
        REQUIRE(actual.is_ok());
        REQUIRE(actual->size() == ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            INFO("position " << i);
            REQUIRE(describe((*actual)[i]) == describe(m_oracle.latest(ids[i])));
            REQUIRE((*actual)[i] == m_oracle.latest(ids[i]));
        }
    }

    void check_commit_record(CommitIndex index) {
        const OracleCommit* expected = m_oracle.commit(index);
        REQUIRE(expected != nullptr);
        auto record = m_store->read_commit(index);
        INFO("read_commit(" << index << "): " << (record ? "ok" : record.status().to_string()));
        REQUIRE(record.is_ok());
        CHECK(record->index == index);
        CHECK(record->state_digest == m_digests[index - 1]);
        CHECK(record->body == expected->body);
        CHECK(record->transactions == expected->transactions.size());
        // Documented order of CommitRecord::writes: by (shard, id).
        CHECK(std::is_sorted(record->writes.begin(), record->writes.end(),
                             [&](const storage::ObjectRef& a, const storage::ObjectRef& b) {
                                 return std::pair(m_store->shard_of(a.id), a.id) <
                                        std::pair(m_store->shard_of(b.id), b.id);
                             }));
        std::vector<storage::ObjectRef> writes = record->writes;
        std::sort(writes.begin(), writes.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        CHECK(writes == expected->writes);
        for (const storage::TxLocation& tx : expected->transactions) {
            auto found = m_store->find_transaction(tx.tx_digest);
            REQUIRE(found.is_ok());
            CHECK(found->first == index);
            CHECK(found->second == tx.position);
        }
    }

    void random_reads(int count) {
        INFO("after commit " << m_oracle.applied_commit() << ", watermark "
                             << m_oracle.retention_watermark());
        for (int i = 0; i < count; ++i) {
            const ObjectId id = random_id();
            switch (m_rng() % 4) {
                case 0:
                    REQUIRE(diff_object(*m_store, m_oracle, id) == "");
                    break;
                case 1: {
                    std::vector<Version> probes = probe_versions(m_oracle, id);
                    const Version w = m_oracle.retention_watermark();
                    const Version v = probes[m_rng() % probes.size()];
                    const Version above = w + m_rng() % (m_oracle.max_version() + 3);
                    REQUIRE(diff_reads_at(*m_store, m_oracle, id, {v, above}) == "");
                    break;
                }
                case 2: {
                    std::vector<ObjectId> ids;
                    const std::size_t n = m_rng() % 12;
                    for (std::size_t k = 0; k < n; ++k) ids.push_back(random_id());
                    check_multi_get(std::move(ids));
                    break;
                }
                default:
                    if (m_oracle.applied_commit() > 0) {
                        check_commit_record(1 + m_rng() % m_oracle.applied_commit());
                    }
                    break;
            }
        }
    }

    void check_digest_recompute() {
        auto recomputed = m_store->recompute_digest();
        INFO("recompute_digest: " << (recomputed ? "ok" : recomputed.status().to_string()));
        REQUIRE(recomputed.is_ok());
        CHECK(recomputed->state_digest.hex() == m_oracle.expected_digest().hex());
        CHECK(recomputed->live_objects == m_oracle.live_objects());
        REQUIRE(diff_status(*m_store, m_oracle) == "");
    }

    void check_stats() {
        auto stats = m_store->stats();
        REQUIRE(stats.is_ok());
        REQUIRE(stats->shards.size() == m_shard_count);
        std::uint64_t entries = 0, objects = 0, live = 0;
        for (const storage::ShardStats& shard : stats->shards) {
            entries += shard.entries;
            objects += shard.objects;
            live += shard.live_objects;
        }
        CHECK(entries == m_oracle.stored_versions());
        CHECK(objects == m_oracle.objects().size());
        CHECK(live == m_oracle.live_objects());
    }

    // Every read of every id (pool and unknown), every commit record, digest and stats.
    void check_everything() {
        INFO("after commit " << m_oracle.applied_commit() << ", watermark "
                             << m_oracle.retention_watermark());
        REQUIRE(diff_status(*m_store, m_oracle) == "");
        std::vector<ObjectId> ids = all_ids();
        for (const ObjectId& id : ids) {
            REQUIRE(diff_object(*m_store, m_oracle, id) == "");
            REQUIRE(diff_reads_at(*m_store, m_oracle, id, probe_versions(m_oracle, id)) == "");
        }
        std::shuffle(ids.begin(), ids.end(), m_rng);
        check_multi_get(ids);
        for (CommitIndex c = 1; c <= m_oracle.applied_commit(); ++c) check_commit_record(c);
        CHECK_FALSE(m_store->read_commit(m_oracle.applied_commit() + 1).is_ok());
        auto absent = m_store->find_transaction(unknown_id(0));
        REQUIRE_FALSE(absent.is_ok());
        CHECK(absent.status().code() == Code::kNotFound);
        check_digest_recompute();
        check_stats();
    }

private:
    std::uint64_t m_seed;
    std::string m_dir;
    std::mt19937_64 m_rng;
    std::uint32_t m_shard_count = 0;
    std::unique_ptr<Store> m_store;
    StoreOracle m_oracle;
    std::vector<Digest> m_digests;  // [i]: the oracle's digest after commit i + 1
};

void run_seed(std::uint64_t seed, CommitIndex commits) {
    TempDir dir("remora-property");
    StoreUnderTest t(seed, dir.sub("db"));
    t.open(common::limits::kLatestCacheEntriesDefault);
    t.check_everything();  // the empty store
    while (t.oracle().applied_commit() < commits) {
        t.commit_next();
        t.random_reads(6);
        const std::uint64_t roll = t.rng()() % 100;
        if (t.oracle().applied_commit() == commits / 2 || roll < 2) {
            // Reopen (RocksDB's open costs 50-100 ms of fsyncs here, so only a few per seed).
            // Half way, always with a cache so small that most reads and version checks of
            // the following commits go to RocksDB.
            const bool tiny = t.oracle().applied_commit() == commits / 2 || roll == 0;
            t.open(tiny ? kTinyCacheEntries : common::limits::kLatestCacheEntriesDefault);
            t.check_everything();
        } else if (roll >= 92) {
            t.prune_random();
            t.random_reads(6);
        } else if (roll >= 85) {
            t.check_digest_recompute();
        }
    }
    t.check_everything();
    t.close();
    t.open(kTinyCacheEntries, OpenMode::kReadOnly);
    t.check_everything();
    t.open(1);
    t.check_everything();
}

void run_seeds(std::uint64_t first_seed, std::uint64_t seeds, CommitIndex commits) {
    for (std::uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
        // Printed before the run so a crash (not only a failed check) names its seed.
        std::printf("store_property: seed %llu, %llu commits\n",
                    static_cast<unsigned long long>(seed),
                    static_cast<unsigned long long>(commits));
        std::fflush(stdout);
        INFO("seed " << seed << " (rerun with REMORA_PROPERTY_SEED=" << seed << ")");
        run_seed(seed, commits);
    }
}

TEST_CASE("store equals the oracle over random commits, prunes and reopens", "[store]") {
    run_seeds(base_seed(1), 5, 150);
}

TEST_CASE("store equals the oracle over many seeds and long histories", "[.][slow]") {
    run_seeds(base_seed(std::random_device{}()), 100, 400);
}

// --- Invalid commits ----------------------------------------------------------------------

// Submits `input`, which both the store and the oracle must refuse, and checks that nothing
// changed: status, digest, and the objects the commit named (including valid writes in it).
void expect_rejected(StoreUnderTest& t, const CommitInput& input, const std::string& what) {
    INFO(what);
    REQUIRE_FALSE(t.oracle().validate(input).is_ok());  // the oracle agrees it is invalid
    const common::Status status = t.store().commit(input);
    INFO("commit returned " << status.to_string());
    CHECK(status.code() == Code::kInvalidArgument);
    REQUIRE(diff_status(t.store(), t.oracle()) == "");
    for (const storage::ObjectWrite& write : input.writes) {
        REQUIRE(diff_object(t.store(), t.oracle(), write.id) == "");
    }
}

CommitInput with_writes(const StoreUnderTest& t, std::vector<storage::ObjectWrite> writes) {
    CommitInput input;
    input.index = t.oracle().applied_commit() + 1;
    input.writes = std::move(writes);
    return input;
}

void run_rejections(StoreUnderTest& t) {
    const ObjectId live = unknown_id(100);
    const ObjectId dead = unknown_id(101);
    const ObjectId fresh = unknown_id(102);  // never written: must stay absent
    const Version live_v = t.oracle().latest_info(live)->version;
    const Version dead_v = t.oracle().latest_info(dead)->version;
    const storage::ObjectWrite valid_fresh{fresh, 1, common::Bytes("fresh")};

    CommitInput next = generate_commit(1, t.oracle().applied_commit() + 1, t.oracle());
    for (CommitIndex index :
         {CommitIndex{0}, t.oracle().applied_commit(), t.oracle().applied_commit() + 2}) {
        CommitInput wrong = next;
        wrong.index = index;
        wrong.writes.push_back(valid_fresh);
        expect_rejected(t, wrong, "commit index " + std::to_string(index));
    }
    expect_rejected(t,
                    with_writes(t, {valid_fresh,
                                    {live, live_v + 1, common::Bytes("a")},
                                    {live, live_v + 2, common::Bytes("b")}}),
                    "duplicate id in one commit");
    expect_rejected(t, with_writes(t, {{fresh, 1, common::Bytes("x")}, {fresh, 2, std::nullopt}}),
                    "two writes of one id in one commit");
    expect_rejected(t, with_writes(t, {valid_fresh, {live, live_v, common::Bytes("same")}}),
                    "version equal to the newest");
    expect_rejected(t, with_writes(t, {valid_fresh, {live, live_v - 1, common::Bytes("old")}}),
                    "version below the newest");
    expect_rejected(t, with_writes(t, {valid_fresh, {dead, dead_v, common::Bytes("again")}}),
                    "re-creation at the tombstone's version");
    expect_rejected(t, with_writes(t, {valid_fresh, {unknown_id(104), 0, common::Bytes("zero")}}),
                    "creation at version 0");
    expect_rejected(t, with_writes(t, {valid_fresh, {dead, dead_v, std::nullopt}}),
                    "a tombstone at the tombstone's version");
    expect_rejected(t,
                    with_writes(t, {valid_fresh,
                                    {live, live_v + 1,
                                     common::Bytes(common::limits::kObjectBytesMax + 1, 'o')}}),
                    "payload over kObjectBytesMax");
    REQUIRE(diff_object(t.store(), t.oracle(), fresh) == "");
    REQUIRE_FALSE(t.oracle().latest(fresh).has_value());
}

TEST_CASE("invalid commits are refused and change nothing", "[store]") {
    const std::uint64_t seed = base_seed(1);
    INFO("seed " << seed);
    TempDir dir("remora-property");
    StoreUnderTest t(seed, dir.sub("db"));
    t.open(common::limits::kLatestCacheEntriesDefault);
    for (int i = 0; i < 20; ++i) t.commit_next();
    t.commit(with_writes(t, {{unknown_id(100), 50, common::Bytes("live")},
                             {unknown_id(101), 50, common::Bytes("soon dead")}}));
    t.commit(with_writes(t, {{unknown_id(101), 60, std::nullopt}}));

    SECTION("with the latest-version cache warm") {
        REQUIRE(diff_object(t.store(), t.oracle(), unknown_id(100)) == "");
        run_rejections(t);
    }
    SECTION("with a tiny cache, so version checks read RocksDB") {
        t.open(1);
        for (int i = 0; i < 5; ++i) t.commit_next();  // churn the cache
        run_rejections(t);
    }
    SECTION("after a reopen, from the persisted state") {
        t.open(common::limits::kLatestCacheEntriesDefault);
        run_rejections(t);
    }
    // The store still takes the next valid commit, a payload of exactly the maximum included.
    const Version live_v = t.oracle().latest_info(unknown_id(100))->version;
    t.commit(with_writes(
        t, {{unknown_id(100), live_v + 1, common::Bytes(common::limits::kObjectBytesMax, 'm')}}));
    t.commit_next();
    t.check_everything();
}

TEST_CASE("a read-only store refuses writes", "[store]") {
    TempDir dir("remora-property");
    StoreUnderTest t(base_seed(1), dir.sub("db"));
    t.open(common::limits::kLatestCacheEntriesDefault);
    for (int i = 0; i < 5; ++i) t.commit_next();
    t.open(common::limits::kLatestCacheEntriesDefault, OpenMode::kReadOnly);
    CommitInput next = generate_commit(1, t.oracle().applied_commit() + 1, t.oracle());
    CHECK(t.store().commit(next).code() == Code::kInvalidArgument);
    auto pruned = t.store().prune(t.oracle().max_version());
    REQUIRE_FALSE(pruned.is_ok());
    CHECK(pruned.status().code() == Code::kInvalidArgument);
    t.check_everything();
}

}  // namespace
}  // namespace remora::testing
