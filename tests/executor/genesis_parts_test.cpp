// Genesis as a stream of bounded commits (executor/exec/genesis_source.h): parts within the
// commit limits, sorted, covering the stream exactly once; a genesis of several parts gives the
// same state digest as the same objects in one commit; replay-verify rebuilds it part by part.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "common/limits.h"
#include "executor/exec/genesis_source.h"
#include "executor/sequential/commit_body.h"
#include "executor/sequential/replay.h"
#include "executor/sequential/sequential.h"
#include "executor/workload/genesis.h"
#include "executor/workload/workload.h"
#include "tests/executor/protocol_support.h"
#include "tests/support/temp_dir.h"

using namespace remora;
using namespace remora::executor;

namespace {

using executor::kGenesisPartBytesMax;
using executor::kGenesisPartObjectsMax;

// Enough accounts for two parts: 3 objects each (two coins and a compute object).
workload::GenesisConfig two_part_config() {
    workload::GenesisConfig config;
    config.seed = 5;
    config.accounts = kGenesisPartObjectsMax / 3 + 100;
    return config;
}

struct Parts {
    std::vector<std::vector<Object>> parts;
    std::uint64_t objects = 0;
};

Parts cut(GenesisSource& source) {
    Parts out;
    REQUIRE(genesis_parts(source, [&](std::vector<Object>& part) {
                out.objects += part.size();
                out.parts.push_back(part);
                return common::Status::ok();
            }).is_ok());
    return out;
}

std::size_t content_bytes(const std::vector<Object>& part) {
    std::size_t bytes = 0;
    for (const Object& o : part) bytes += o.contents.size() + o.type_tag.size();
    return bytes;
}

// Every commit of the store's genesis (1..parts) is a genesis body within the commit limits.
void check_genesis_commits(storage::Store& store, common::CommitIndex parts,
                           std::uint64_t objects) {
    std::uint64_t seen = 0;
    for (common::CommitIndex c = 1; c <= parts; ++c) {
        auto record = store.read_commit(c);
        REQUIRE(record.is_ok());
        CHECK(record->writes.size() <= kGenesisPartObjectsMax);
        CHECK(record->writes.size() <= common::limits::kCommitWritesMax);
        CHECK(record->body.size() <= common::limits::kCommitBodyBytesMax);
        auto body = decode_commit_body(record->body);
        REQUIRE(body.is_ok());
        CHECK(body->genesis);
        CHECK(body->genesis_objects.size() == record->writes.size());
        seen += body->genesis_objects.size();
    }
    CHECK(seen == objects);
    CHECK(store.status().live_objects == objects);
}

}  // namespace

TEST_CASE("genesis parts: a small genesis is one sorted part, the whole of it",
          "[genesis][parts]") {
    workload::GenesisConfig config;
    config.accounts = 1000;
    auto source = workload::synthetic_genesis_source(config);
    Parts parts = cut(*source);
    REQUIRE(parts.parts.size() == 1);
    // The very objects of make_genesis, in its order: the genesis commit did not change.
    CHECK(parts.parts[0] == workload::genesis_objects(config));
}

TEST_CASE("genesis parts: cut by count, each sorted, the stream exactly once", "[genesis][parts]") {
    const workload::GenesisConfig config = two_part_config();
    auto source = workload::synthetic_genesis_source(config);
    const std::uint64_t total = source->size();
    Parts parts = cut(*source);
    REQUIRE(parts.parts.size() == 2);
    CHECK(parts.parts[0].size() == kGenesisPartObjectsMax);
    CHECK(parts.objects == total);
    std::vector<Object> all;
    for (const auto& part : parts.parts) {
        CHECK(std::is_sorted(part.begin(), part.end(),
                             [](const Object& a, const Object& b) { return a.id < b.id; }));
        CHECK(content_bytes(part) <= kGenesisPartBytesMax);
        all.insert(all.end(), part.begin(), part.end());
    }
    std::sort(all.begin(), all.end(), [](const Object& a, const Object& b) { return a.id < b.id; });
    CHECK(all == workload::genesis_objects(config));
    // The same source cuts the same way.
    auto again = workload::synthetic_genesis_source(config);
    CHECK(cut(*again).parts == parts.parts);
}

TEST_CASE("genesis parts: cut by bytes before a part passes the byte bound", "[genesis][parts]") {
    // 600 objects of 63 KiB hold about 37 MiB: two parts, the first under 32 MiB.
    std::vector<Object> objects;
    for (std::uint32_t i = 0; i < 600; ++i) {
        ObjectId id;
        id.bytes[0] = static_cast<std::uint8_t>(i >> 8);
        id.bytes[1] = static_cast<std::uint8_t>(i);
        objects.push_back(
            Object{id, 1, SharedOwner{}, TypeTag("blob"), Bytes(std::size_t{63} * 1024, 'x')});
    }
    SpanGenesisSource source(objects);
    Parts parts = cut(source);
    REQUIRE(parts.parts.size() == 2);
    CHECK(parts.objects == objects.size());
    for (const auto& part : parts.parts) CHECK(content_bytes(part) <= kGenesisPartBytesMax);
}

TEST_CASE("genesis parts: an empty genesis is one empty part", "[genesis][parts]") {
    SpanGenesisSource source({});
    Parts parts = cut(source);
    REQUIRE(parts.parts.size() == 1);
    CHECK(parts.parts[0].empty());
}

TEST_CASE("genesis parts: a failing part stops the stream with its status", "[genesis][parts]") {
    auto source = workload::synthetic_genesis_source(two_part_config());
    int calls = 0;
    common::Status status = genesis_parts(*source, [&](std::vector<Object>&) {
        ++calls;
        return common::Status{common::Code::kIoError, "disk full"};
    });
    CHECK(calls == 1);
    CHECK(status.code() == common::Code::kIoError);
}

TEST_CASE("streamed genesis: several commits within the limits, the one-commit digest, replay",
          "[genesis][parts]") {
    testing::TempDir dir;
    const workload::GenesisConfig config = two_part_config();

    auto streamed = testing::memory_store("streamed");
    auto source = workload::synthetic_genesis_source(config);
    const std::uint64_t objects = source->size();
    auto parts = SequentialExecutor(*streamed).commit_genesis(*source, "transfer");
    REQUIRE(parts.is_ok());
    CHECK(parts.value() == 2);
    CHECK(streamed->status().applied_commit == 2);
    check_genesis_commits(*streamed, parts.value(), objects);

    // The digest is over the live objects alone: one commit of them all gives the same.
    auto whole = testing::memory_store("whole");
    const std::vector<Object> all = workload::genesis_objects(config);
    REQUIRE(SequentialExecutor(*whole).commit_genesis_part(all, "transfer").is_ok());
    CHECK(whole->status().applied_commit == 1);
    CHECK(streamed->status().state_digest == whole->status().state_digest);
    auto recomputed = streamed->recompute_digest();
    REQUIRE(recomputed.is_ok());
    CHECK(recomputed->state_digest == streamed->status().state_digest);

    // Transactions follow the parts; replay-verify rebuilds genesis part by part.
    workload::WorkloadConfig wc;
    wc.name = "transfer";
    wc.seed = config.seed;
    wc.accounts = config.accounts;
    wc.batch_size = 50;
    auto load = workload::make_workload(wc);
    REQUIRE(load.is_ok());
    std::vector<Transaction> txs;
    for (int i = 0; i < 50; ++i) txs.push_back(load.value()->next()->tx);
    SequentialExecutor executor(*streamed);
    REQUIRE(executor.execute_commit(txs).is_ok());
    CHECK(streamed->status().applied_commit == 3);
    // No genesis part joins a store that holds transactions.
    CHECK(executor.commit_genesis_part({}, "late").code() == common::Code::kInvalidArgument);
    auto report = replay_verify(*streamed, dir.sub("scratch"));
    REQUIRE(report.is_ok());
    CHECK(report->match);
    CHECK(report->commits == 3);
    CHECK(report->transactions == 50);
}

TEST_CASE("streamed genesis: a part needs an empty store or the part before it",
          "[genesis][parts]") {
    auto store = testing::memory_store("store");
    REQUIRE(SequentialExecutor(*store).commit_genesis_part({}, "a").is_ok());
    // Another executor did not write that part: it cannot tell that genesis is still open.
    CHECK(SequentialExecutor(*store).commit_genesis_part({}, "b").code() ==
          common::Code::kInvalidArgument);
    CHECK(
        SequentialExecutor(*store).commit_genesis(std::span<const Object>(), "c").status().code() ==
        common::Code::kInvalidArgument);
}

// 1,000,000 accounts: 3,000,000 objects and more in 46 parts, each within the limits (the
// one-commit genesis failed here with "commit exceeds the write-count or body-size limit").
TEST_CASE("streamed genesis: a million accounts stay within the commit limits",
          "[.][slow][genesis]") {
    workload::GenesisConfig config;
    config.accounts = 1'000'000;
    auto store = testing::memory_store("million");
    auto source = workload::synthetic_genesis_source(config);
    const std::uint64_t objects = source->size();
    auto parts = SequentialExecutor(*store).commit_genesis(*source, "transfer");
    REQUIRE(parts.is_ok());
    CHECK(parts.value() == (objects + kGenesisPartObjectsMax - 1) / kGenesisPartObjectsMax);
    check_genesis_commits(*store, parts.value(), objects);
    auto recomputed = store->recompute_digest();
    REQUIRE(recomputed.is_ok());
    CHECK(recomputed->state_digest == store->status().state_digest);
}
