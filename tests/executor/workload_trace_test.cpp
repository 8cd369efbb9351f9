// trace:<file>: the CSV contract, its errors, transactions of up to 2,048 objects, and the
// real-chain trace of the shared folder (the one test that needs ../shared).

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include <sys/stat.h>

#include "executor/tx/limits.h"
#include "executor/workload/makers.h"
#include "executor/workload/trace.h"
#include "executor/workload/trace_csv.h"
#include "tests/executor/workload_support.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace remora::executor;
using namespace remora::executor::workload;
using remora::common::Code;

constexpr const char* kHeader = "block,tx_index,sender,receiver,extra_objects\n";

std::string parse_error(const std::string& text) {
    auto rows = parse_trace_csv(text, "t.csv");
    REQUIRE_FALSE(rows.is_ok());
    CHECK(rows.status().code() == Code::kInvalidArgument);
    return rows.status().message();
}

TEST_CASE("trace csv: rows, CREATE, extra objects, any column order", "[workload][trace]") {
    std::string text =
        "gas,extra_objects,receiver,tx_index,block,sender\r\n"
        "21000,,B0,0,7,A0\r\n"
        "1,cc:DD;ee:ff,CREATE,1,7,a1\r\n"
        "\r\n"
        "5,,a0,0,9,A0";
    auto rows = parse_trace_csv(text, "t.csv");
    INFO(rows.status().to_string());
    REQUIRE(rows.is_ok());
    REQUIRE(rows->size() == 3);
    const TraceRow& first = (*rows)[0];
    CHECK(first.block == 7);
    CHECK(first.tx_index == 0);
    CHECK(first.sender == "a0");
    CHECK(first.receiver == std::optional<std::string>("b0"));
    CHECK(first.extra_objects.empty());
    CHECK(first.line == 2);
    const TraceRow& second = (*rows)[1];
    CHECK_FALSE(second.receiver.has_value());
    CHECK(second.extra_objects == std::vector<std::string>{"cc:dd", "ee:ff"});
    CHECK((*rows)[2].block == 9);
    CHECK((*rows)[2].line == 5);
}

TEST_CASE("trace csv: malformed input gives errors naming the line", "[workload][trace]") {
    CHECK_THAT(parse_error(""), Catch::Contains("empty trace"));
    CHECK_THAT(parse_error("\n\n"), Catch::Contains("empty trace"));
    CHECK_THAT(parse_error(kHeader), Catch::Contains("no rows"));
    CHECK_THAT(parse_error("block,tx_index,sender,receiver\n1,0,aa,bb\n"),
               Catch::Contains("line 1: the header lacks column 'extra_objects'"));
    CHECK_THAT(parse_error("block,block,tx_index,sender,receiver,extra_objects\n"),
               Catch::Contains("appears twice"));
    std::string h = kHeader;
    CHECK_THAT(parse_error(h + "1,0,aa,bb,\n1,1,aa,bb\n"),
               Catch::Contains("t.csv line 3: 4 fields, the header has 5"));
    CHECK_THAT(parse_error(h + "1,0,xyz,bb,\n"),
               Catch::Contains("line 2: sender 'xyz' is not an id of 1..64 hex digits"));
    CHECK_THAT(parse_error(h + "1,0,,bb,\n"), Catch::Contains("line 2: sender ''"));
    CHECK_THAT(parse_error(h + "1,0,aa,0xbb,\n"),
               Catch::Contains("receiver '0xbb' is neither CREATE nor"));
    CHECK_THAT(parse_error(h + "1,0,aa,bb,\n2,0,aa,bb,cc:zz\n"),
               Catch::Contains("line 3: extra object 'cc:zz' is not hex"));
    CHECK_THAT(parse_error(h + "1,0,aa,bb,cc;;dd\n"), Catch::Contains("extra object ''"));
    CHECK_THAT(parse_error(h + "x1,0,aa,bb,\n"), Catch::Contains("block 'x1' is not a u64"));
    CHECK_THAT(parse_error(h + "1,-1,aa,bb,\n"), Catch::Contains("tx_index '-1'"));
    CHECK_THAT(parse_error(h + "1,4294967296,aa,bb,\n"), Catch::Contains("not a u32"));
    CHECK_THAT(parse_error(h + "1,0," + std::string(65, 'a') + ",bb,\n"),
               Catch::Contains("1..64 hex digits"));
}

TEST_CASE("trace files: missing file and too many objects are errors", "[workload][trace]") {
    remora::testing::TempDir dir;
    WorkloadConfig config;
    config.name = "trace:" + dir.sub("absent.csv");
    auto missing = make_workload(config);
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.status().code() == Code::kNotFound);
    CHECK_THAT(missing.status().message(), Catch::Contains("absent.csv"));

    config.name = "trace:" + dir.path().string();
    auto directory = make_workload(config);
    REQUIRE_FALSE(directory.is_ok());
    CHECK_THAT(directory.status().message(), Catch::Contains("not a regular file"));

    // Sender, receiver and 2,047 extras: one past the 2,048 inputs a transaction may declare.
    std::string extras;
    for (int i = 0; i < 2047; ++i) extras += (i ? ";" : "") + std::to_string(10000 + i);
    std::string path = dir.sub("wide.csv");
    std::ofstream(path) << kHeader << "1,0,aa,bb,\n1,1,aa,bb," << extras << "\n";
    config.name = "trace:" + path;
    auto wide = make_workload(config);
    REQUIRE_FALSE(wide.is_ok());
    CHECK_THAT(wide.status().message(),
               Catch::Contains("line 3: 2049 distinct objects exceed the 2048 inputs"));
}

TEST_CASE("trace files: a FIFO is refused without blocking", "[workload][trace]") {
    remora::testing::TempDir dir;
    std::string fifo = dir.sub("f.csv");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    // Opening a FIFO with no writer would block forever: the type is checked first.
    auto rows = read_trace_file(fifo);
    REQUIRE_FALSE(rows.is_ok());
    CHECK(rows.status().code() == Code::kInvalidArgument);
    CHECK_THAT(rows.status().message(), Catch::Contains("not a regular file"));
}

TEST_CASE("trace csv: a UTF-8 byte order mark before the header is skipped", "[workload][trace]") {
    std::string body = "1,0,aa,bb,\n";
    auto rows = parse_trace_csv("\xEF\xBB\xBF" + std::string(kHeader) + body, "bom.csv");
    INFO(rows.status().to_string());
    REQUIRE(rows.is_ok());
    CHECK(*rows == parse_trace_csv(std::string(kHeader) + body, "bom.csv").value());
    // Only at the start of the file: elsewhere it is part of a field.
    CHECK_THAT(parse_error(std::string(kHeader) + "\xEF\xBB\xBF" + body),
               Catch::Contains("block '"));
}

// Real transactions name hundreds of objects (mainnet ones write up to about 400 slots).
TEST_CASE("trace workload: rows of several hundred objects", "[workload][trace]") {
    WorkloadConfig config;
    config.name = "trace:" + remora::testing::fixture_trace_path("large_rows.csv");
    auto workload = make_workload(config);
    INFO(workload.status().to_string());
    REQUIRE(workload.is_ok());
    std::vector<std::size_t> inputs;
    while (auto tx = (*workload)->next()) {
        inputs.push_back(tx->tx.inputs.size());
        // Below ~990 objects a row keeps the default budget, as before the limit was raised.
        CHECK(tx->tx.gas_budget == kGasBudgetDefault);
        std::set<ObjectId> distinct;
        for (const auto& input : tx->tx.inputs) distinct.insert(input.id);
        CHECK(distinct.size() == tx->tx.inputs.size());
        CHECK(std::get<std::uint64_t>(tx->tx.arguments[0]) == tx->tx.inputs.size());
    }
    // tests/data/traces/make_large_rows.py: the rows' distinct objects.
    CHECK(inputs == std::vector<std::size_t>{1, 400, 250, 300, 402, 2, 399});
}

TEST_CASE("trace workload: a block too large for one commit is split between rows",
          "[workload][trace]") {
    std::vector<TraceRow> rows;
    for (std::uint32_t i = 0; i < 5; ++i) {  // one block, 3 objects a row
        TraceRow row;
        row.line = 2 + i;
        row.block = 9;
        row.tx_index = i;
        row.sender = "a" + std::to_string(i);
        row.receiver = "b" + std::to_string(i);
        row.extra_objects = {"c" + std::to_string(i)};
        rows.push_back(row);
    }
    auto ends = [&](std::size_t commit_objects_max) {
        auto workload =
            make_trace_workload_from_rows("rows", rows, WorkloadConfig{}, commit_objects_max);
        REQUIRE(workload.is_ok());
        std::vector<bool> out;
        while (auto tx = (*workload)->next()) out.push_back(tx->ends_commit);
        return out;
    };
    // The default bound keeps the block whole; 7 objects fit two rows per commit.
    CHECK(ends(remora::executor::workload::limits::kTraceCommitObjectsMax) ==
          std::vector<bool>{false, false, false, false, true});
    CHECK(ends(7) == std::vector<bool>{false, true, false, true, true});
    CHECK(ends(1) == std::vector<bool>{true, true, true, true, true});  // a row alone may pass it
    CHECK(remora::executor::workload::limits::kTraceCommitObjectsMax >=
          256 * remora::executor::limits::kInputsMax);
}

TEST_CASE("trace workload: a row of 2,048 objects is one transaction", "[workload][trace]") {
    TraceRow row;
    row.line = 2;
    row.sender = "aa";
    row.receiver = "bb";
    for (std::size_t i = 0; i + 2 < remora::executor::limits::kInputsMax; ++i) {
        row.extra_objects.push_back("cc:" + std::to_string(1000 + i));
    }
    WorkloadConfig config;
    auto workload = make_trace_workload_from_rows("rows", {row}, config);
    INFO(workload.status().to_string());
    REQUIRE(workload.is_ok());
    auto tx = (*workload)->next();
    REQUIRE(tx.has_value());
    CHECK(tx->tx.inputs.size() == remora::executor::limits::kInputsMax);
    CHECK(tx->tx.gas_budget > kGasBudgetDefault);  // enough to touch every object
    CHECK(validate_transaction(tx->tx).is_ok());
}

TEST_CASE("trace workload: inputs, touch calls, blocks as commits", "[workload][trace]") {
    remora::testing::TempDir dir;
    std::string path = dir.sub("small.csv");
    std::ofstream(path) << kHeader << "5,0,aa,bb,\n5,1,aa,aa,cc:01;cc:01;cc:02\n"
                        << "6,0,bb,CREATE,\n";
    WorkloadConfig config;
    config.name = "trace:" + path;
    auto workload = make_workload(config);
    INFO(workload.status().to_string());
    REQUIRE(workload.is_ok());
    CHECK((*workload)->size() == std::optional<std::uint64_t>(3));
    CHECK((*workload)->name() == "trace:" + path);
    // aa, bb, cc:01, cc:02 and the touch package.
    CHECK((*workload)->genesis_objects().size() == 5);

    auto t0 = (*workload)->next();
    auto t1 = (*workload)->next();
    auto t2 = (*workload)->next();
    REQUIRE(t2.has_value());
    CHECK_FALSE((*workload)->next().has_value());
    CHECK(t0->tx.inputs == std::vector<InputObject>{InputObject::shared(trace_account_id("aa")),
                                                    InputObject::shared(trace_account_id("bb"))});
    CHECK(t0->tx.arguments == std::vector<Value>{std::uint64_t{2}, std::uint64_t{0}});
    CHECK_FALSE(t0->ends_commit);
    // Duplicates are declared once.
    CHECK(t1->tx.inputs ==
          std::vector<InputObject>{InputObject::shared(trace_account_id("aa")),
                                   InputObject::shared(trace_extra_object_id("cc:01")),
                                   InputObject::shared(trace_extra_object_id("cc:02"))});
    CHECK(t1->ends_commit);
    CHECK(t1->tx.sender == t0->tx.sender);
    CHECK(t2->tx.sender != t0->tx.sender);
    CHECK(t2->tx.arguments == std::vector<Value>{std::uint64_t{1}, std::uint64_t{1}});
    CHECK(t2->ends_commit);
}

// The one unit test that reads the shared folder: it fails, loudly, when the folder is not
// beside the source tree (CMake's REMORA_SHARED_DIR, default ../shared).
TEST_CASE("shared trace: the real-chain trace of ../shared builds whole", "[workload][trace]") {
    std::string path = remora::testing::shared_trace_path();
    INFO("the shared trace " << path
                             << " is absent: put the team's shared folder beside the source tree "
                                "or configure with -DREMORA_SHARED_DIR=...");
    REQUIRE(std::filesystem::exists(path));
    WorkloadConfig config;
    config.name = "trace:" + path;
    config.invalid_signature_rate = 0.01;
    auto first = make_workload(config);
    auto second = make_workload(config);
    INFO(first.status().to_string());
    REQUIRE(first.is_ok());
    REQUIRE(second.is_ok());
    CHECK((*first)->size() == std::optional<std::uint64_t>(24'342));
    // 26,999 accounts, 5,914 token balances (traces/README.md) and the touch package.
    CHECK((*first)->genesis_objects().size() == 26'999 + 5'914 + 1);

    std::size_t count = 0, commits = 0, broken = 0;
    std::set<Address> senders;
    CHECK((*first)->genesis_objects() == (*second)->genesis_objects());
    while (auto tx = (*first)->next()) {
        if (count < 2000) {  // a second replay of a prefix keeps the test fast
            auto again = (*second)->next();
            REQUIRE(again.has_value());
            CHECK(remora::testing::transaction_bytes(tx->tx) ==
                  remora::testing::transaction_bytes(again->tx));
            CHECK(tx->ends_commit == again->ends_commit);
        }
        senders.insert(tx->tx.sender);
        if (tx->ends_commit) ++commits;
        if (tx->expected_status == AbortCode::kInvalidAuthenticator) ++broken;
        ++count;
    }
    CHECK(count == 24'342);
    CHECK(commits == 84);  // the file's distinct blocks, each contiguous
    CHECK(senders.size() == 17'457);
    CHECK(broken == 243);  // floor(24,342 × 0.01)
}

}  // namespace
