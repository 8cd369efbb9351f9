// The primary's ordered-batch log (node/ordered_log.h) on its own: batches come back after the
// store's commit in order; a torn append, cut at any byte or with any byte of it flipped, is
// dropped and never read as a batch, and the log goes on after it; damage before the last
// segment, a missing batch, and a foreign file are corruption; applied segments are deleted.
// tests/tools/node_poison_test.cpp and the crash test (remora-crashtest, whitebox point
// primary.ordered.before_apply) check the node's replay of it.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/hash.h"
#include "executor/tx/transaction_codec.h"
#include "executor/workload/workload.h"
#include "node/ordered_log.h"
#include "tests/support/temp_dir.h"

using remora::common::Bytes;
using remora::common::Code;
using remora::executor::Transaction;
using remora::node::OrderedLog;
using remora::node::OrderedLogContents;
using remora::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::vector<Transaction> transactions(std::uint64_t seed, std::size_t count) {
    remora::executor::workload::WorkloadConfig config;
    config.name = "mixed";
    config.seed = seed;
    config.accounts = 20;
    auto workload = remora::executor::workload::make_workload(config);
    REQUIRE(workload.is_ok());
    std::vector<Transaction> out;
    for (std::size_t i = 0; i < count; ++i) {
        auto next = (*workload)->next();
        REQUIRE(next.has_value());
        out.push_back(next->tx);
    }
    return out;
}

std::vector<Bytes> encoded(const std::vector<Transaction>& txs) {
    std::vector<Bytes> out;
    for (const Transaction& tx : txs) out.push_back(remora::executor::encode_transaction(tx));
    return out;
}

std::unique_ptr<OrderedLog> open_log(const std::string& dir, std::uint64_t applied,
                                     OrderedLogContents& contents) {
    auto log = OrderedLog::open(dir, applied, /*sync=*/false, contents);
    INFO(log.status().message());
    REQUIRE(log.is_ok());
    return std::move(log).value();
}

std::vector<fs::path> segments(const std::string& dir) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("ordered batches come back after the applied commit, in order", "[ordered_log]") {
    TempDir dir("remora-ordered");
    const std::string path = dir.sub("ordered");
    const auto a = transactions(1, 3), b = transactions(2, 1), c = transactions(3, 5);
    {
        OrderedLogContents contents;
        auto log = open_log(path, 10, contents);
        CHECK(contents.unapplied.empty());
        CHECK(log->next_index() == 11);
        REQUIRE(log->append(11, a).is_ok());
        REQUIRE(log->append(12, b).is_ok());
        REQUIRE(log->append(13, c).is_ok());
        auto skipped = log->append(15, a);
        CHECK(skipped.code() == Code::kInternal);  // only the next commit is accepted
    }
    auto read = OrderedLog::read(path, 11);
    REQUIRE(read.is_ok());
    REQUIRE(read->unapplied.size() == 2);
    CHECK(read->unapplied[0].commit_index == 12);
    CHECK(read->unapplied[0].transactions == encoded(b));
    CHECK(read->unapplied[1].commit_index == 13);
    CHECK(read->unapplied[1].transactions == encoded(c));

    OrderedLogContents contents;
    auto log = open_log(path, 11, contents);
    REQUIRE(contents.unapplied.size() == 2);
    CHECK(contents.unapplied[1].transactions == encoded(c));
    CHECK(log->next_index() == 14);
    REQUIRE(log->append(14, a).is_ok());
    // Everything applied: the old segment goes, the active one stays.
    REQUIRE(log->prune(14).is_ok());
    CHECK(segments(path).size() == 1);
    auto after = OrderedLog::read(path, 13);
    REQUIRE(after.is_ok());
    REQUIRE(after->unapplied.size() == 1);
    CHECK(after->unapplied[0].transactions == encoded(a));
}

// The primary logs the buffers its clients submitted (node/primary_node.cpp, cut_batch) instead
// of encoding its decoded transactions again: for a client that encodes them as the load
// generator does (executor::encode_transaction), the segment is byte for byte the one the
// encoding gives, and both are the format of node/ordered_log.h written out by hand here.
TEST_CASE("a log of submitted buffers is byte for byte the log of the transactions",
          "[ordered_log]") {
    TempDir dir("remora-ordered-bytes");
    const auto a = transactions(7, 4), b = transactions(8, 1);
    {
        OrderedLogContents contents;
        auto from_txs = open_log(dir.sub("txs"), 0, contents);
        REQUIRE(from_txs->append(1, a).is_ok());
        REQUIRE(from_txs->append(2, b).is_ok());
        auto from_bytes = open_log(dir.sub("bytes"), 0, contents);
        const std::vector<Bytes> submitted_a = encoded(a), submitted_b = encoded(b);
        REQUIRE(from_bytes->append(1, submitted_a).is_ok());
        REQUIRE(from_bytes->append(2, submitted_b).is_ok());
        auto empty = from_bytes->append(3, std::vector<Bytes>{});  // a batch may be empty
        REQUIRE(empty.is_ok());
        REQUIRE(from_txs->append(3, std::vector<Transaction>{}).is_ok());
    }
    std::string expected("RMORDLOG");
    remora::common::put_be32(expected, remora::node::kOrderedLogVersion);
    remora::common::put_be32(expected, 0);
    auto record = [&expected](std::uint64_t index, const std::vector<Bytes>& txs) {
        Bytes payload;
        remora::common::put_be64(payload, index);
        remora::common::put_be32(payload, static_cast<std::uint32_t>(txs.size()));
        for (const Bytes& tx : txs) {
            remora::common::put_be32(payload, static_cast<std::uint32_t>(tx.size()));
            payload += tx;
        }
        remora::common::put_be32(expected, static_cast<std::uint32_t>(payload.size()));
        remora::common::put_be64(expected, remora::common::xxh3_64(payload));
        expected += payload;
    };
    record(1, encoded(a));
    record(2, encoded(b));
    record(3, {});
    const auto txs_segments = segments(dir.sub("txs")), bytes_segments = segments(dir.sub("bytes"));
    REQUIRE(txs_segments.size() == 1);
    REQUIRE(bytes_segments.size() == 1);
    CHECK(txs_segments[0].filename() == bytes_segments[0].filename());
    const std::string from_txs = read_all(txs_segments[0]);
    const std::string from_bytes = read_all(bytes_segments[0]);
    CHECK(from_bytes == from_txs);
    CHECK(from_bytes == expected);
}

TEST_CASE("a torn append, cut at any byte or with any byte flipped, is dropped", "[ordered_log]") {
    TempDir dir("remora-ordered-torn");
    const std::string path = dir.sub("ordered");
    const auto a = transactions(4, 2), b = transactions(5, 3), c = transactions(6, 1);
    std::uint64_t before_b = 0;
    {
        OrderedLogContents contents;
        auto log = open_log(path, 0, contents);
        REQUIRE(log->append(1, a).is_ok());
        before_b = fs::file_size(segments(path).back());
        REQUIRE(log->append(2, b).is_ok());
    }
    const fs::path segment = segments(path).back();
    const std::string whole = read_all(segment);
    REQUIRE(whole.size() > before_b);

    std::mt19937_64 rng(7);
    std::vector<std::string> damaged;
    for (std::uint64_t cut = before_b; cut < whole.size(); ++cut) {
        damaged.push_back(whole.substr(0, cut));
    }
    for (int i = 0; i < 200; ++i) {
        std::string flipped = whole;
        const std::uint64_t at = before_b + rng() % (whole.size() - before_b);
        flipped[at] = static_cast<char>(flipped[at] ^ static_cast<char>(1 + rng() % 255));
        damaged.push_back(flipped);
    }
    for (std::size_t i = 0; i < damaged.size(); ++i) {
        INFO("damaged version " << i << " of " << damaged.size());
        write_all(segment, damaged[i]);
        OrderedLogContents contents;
        auto log = open_log(path, 0, contents);
        REQUIRE(contents.unapplied.size() == 1);  // batch 2 was never whole: never a batch
        CHECK(contents.unapplied[0].transactions == encoded(a));
        CHECK(contents.torn_bytes == damaged[i].size() - before_b);
        // The log goes on after the tear: batch 2 again (another one), read back whole.
        REQUIRE(log->append(2, c).is_ok());
        log.reset();
        auto read = OrderedLog::read(path, 0);
        INFO(read.status().message());
        REQUIRE(read.is_ok());
        REQUIRE(read->unapplied.size() == 2);
        CHECK(read->unapplied[1].transactions == encoded(c));
        // Back to the damaged single segment for the next version.
        for (const fs::path& p : segments(path)) fs::remove(p);
    }
}

TEST_CASE("damage before the last segment, a missing batch and a foreign file are corruption",
          "[ordered_log]") {
    TempDir dir("remora-ordered-damage");
    const std::string path = dir.sub("ordered");
    const auto a = transactions(7, 2);
    {
        OrderedLogContents contents;
        auto log = open_log(path, 0, contents);
        REQUIRE(log->append(1, a).is_ok());
    }
    {
        OrderedLogContents contents;
        auto log = open_log(path, 0, contents);  // batch 1 unapplied: its segment stays
        REQUIRE(contents.unapplied.size() == 1);
        REQUIRE(log->append(2, a).is_ok());
    }
    auto files = segments(path);
    REQUIRE(files.size() == 2);
    const std::string first = read_all(files[0]);

    SECTION("a flipped byte in a closed segment") {
        std::string flipped = first;
        flipped[flipped.size() - 3] = static_cast<char>(flipped[flipped.size() - 3] ^ 0x40);
        write_all(files[0], flipped);
        auto read = OrderedLog::read(path, 0);
        CHECK(read.status().code() == Code::kCorruption);
        CHECK_THAT(read.status().message(), Catch::Contains(files[0].string()));
        OrderedLogContents contents;
        CHECK(OrderedLog::open(path, 0, false, contents).status().code() == Code::kCorruption);
    }
    SECTION("a missing batch") {
        fs::remove(files[0]);
        auto read = OrderedLog::read(path, 0);
        CHECK(read.status().code() == Code::kCorruption);
        CHECK_THAT(read.status().message(), Catch::Contains("missing"));
        // Once the store holds commit 1, nothing is missing.
        auto applied = OrderedLog::read(path, 1);
        REQUIRE(applied.is_ok());
        CHECK(applied->unapplied.size() == 1);
    }
    SECTION("another version or no header") {
        std::string other = first;
        other[11] = static_cast<char>(other[11] + 1);  // the version's last byte
        write_all(files[0], other);
        CHECK(OrderedLog::read(path, 0).status().code() == Code::kCorruption);
        write_all(files[0], "not a log, and long enough for a header");
        CHECK(OrderedLog::read(path, 0).status().code() == Code::kCorruption);
    }
}

TEST_CASE("starting twice without a batch leaves nothing in the way", "[ordered_log]") {
    TempDir dir("remora-ordered-empty");
    const std::string path = dir.sub("ordered");
    for (int start = 0; start < 3; ++start) {
        OrderedLogContents contents;
        auto log = open_log(path, 5, contents);
        CHECK(contents.unapplied.empty());
        CHECK(log->next_index() == 6);
    }
    CHECK(segments(path).size() == 1);
}
