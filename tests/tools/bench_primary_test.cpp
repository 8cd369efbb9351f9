// `remora-bench primary`: the real binary on small runs. The primary must match the sequential
// reference whatever fraction of results is spoiled, report every stage and its baseline, keep
// a store that replay-verify accepts, and refuse bad options with exit 2.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace {

using remora::testing::ChildResult;
using Args = std::vector<std::string>;

Args small(const std::string& workload, const std::string& hit_rate) {
    return {"primary", "--workload", workload, "--txs",      "120", "--seed",
            "5",       "--hit-rate", hit_rate, "--accounts", "32",  "--compute-rounds",
            "20",      "--batch",    "25",     "--sync",     "off", "--json"};
}

nlohmann::json run_json(const Args& args) {
    ChildResult run = remora::testing::run_child(REMORA_BENCH_BIN, args);
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    REQUIRE_FALSE(json.is_discarded());
    return json;
}

}  // namespace

TEST_CASE("remora-bench primary matches the reference at any hit rate", "[bench][primary]") {
    for (const char* workload : {"transfer", "mixed", "amm"}) {
        for (const char* rate : {"1", "0.5", "0"}) {
            INFO(workload << " at hit rate " << rate);
            auto json = run_json(small(workload, rate));
            CHECK(json.at("mode") == "primary");
            CHECK(json.at("txs") == 120);
            CHECK(json.at("commits") == 5);
            CHECK(json.at("digest_match") == true);
            const auto adopted = json.at("adopted").get<std::uint64_t>();
            CHECK(adopted + json.at("reexecuted").get<std::uint64_t>() == 120);
            if (std::string(rate) == "1") CHECK(adopted == 120);
            if (std::string(rate) == "0") CHECK(adopted == 0);
            if (std::string(rate) == "0.5") CHECK((adopted > 20 && adopted < 100));
            for (const char* stage :
                 {"intake", "decide_adopt_per_adopted", "build_commit", "rocksdb_write", "fsync"}) {
                CHECK(json.at("stage_wall_us_per_tx").contains(stage));
            }
            CHECK(json.at("baseline_tps").get<double>() > 0);
            CHECK(json.at("ratio").get<double>() > 0);
            CHECK(json.at("bytes_per_tx").get<double>() > 100);
            // Pipelined by default, beside an unpipelined run of the same commits.
            CHECK(json.at("pipeline_depth") == 1);
            CHECK(json.at("stage_wall_us_per_tx").at("writer_thread_write_and_fsync") > 0);
            CHECK(json.at("latency_ms").at("p99").get<double>() > 0);
            CHECK(json.at("unpipelined").at("digest_match") == true);
            CHECK(json.at("unpipelined").at("tps").get<double>() > 0);
            CHECK(json.at("unpipelined").at("stage_wall_us_per_tx").at("rocksdb_write") > 0);
            CHECK(json.at("p99_latency_over_unpipelined").get<double>() > 0);
        }
    }
}

TEST_CASE("remora-bench primary re-executes misses on several threads to the same digest",
          "[bench][primary]") {
    for (const char* workload : {"transfer", "amm"}) {
        INFO(workload);
        Args args = small(workload, "0");
        args.insert(args.end(), {"--reexec-threads", "3"});
        auto json = run_json(args);
        CHECK(json.at("digest_match") == true);
        CHECK(json.at("reexec_threads") == 3);
        CHECK(json.at("reexecuted") == 120);
        // Every transaction is a certain miss (missing, or an unconfirmable speculative read).
        CHECK(json.at("reexec_validated").get<std::uint64_t>() +
                  json.at("reexec_conflicts").get<std::uint64_t>() ==
              120);
        CHECK(json.at("reexec_validated").get<std::uint64_t>() > 0);
        CHECK(json.at("process_cpu_us_per_tx").get<double>() > 0);
    }
}

TEST_CASE("remora-bench primary --pipeline-depth 0 runs unpipelined only", "[bench][primary]") {
    Args args = small("transfer", "0.9");
    args.insert(args.end(), {"--pipeline-depth", "0"});
    auto json = run_json(args);
    CHECK(json.at("digest_match") == true);
    CHECK(json.at("pipeline_depth") == 0);
    CHECK_FALSE(json.contains("unpipelined"));
    CHECK(json.at("stage_wall_us_per_tx").at("writer_thread_write_and_fsync") == 0);
    CHECK(json.at("stage_wall_us_per_tx").at("rocksdb_write") > 0);
}

TEST_CASE("remora-bench primary keeps a store that replay-verify accepts", "[bench][primary]") {
    remora::testing::TempDir tmp("remora-bench-primary");
    Args args = small("mixed", "0.7");
    args.push_back("--db");
    args.push_back(tmp.sub("run"));
    auto json = run_json(args);
    CHECK(json.at("digest_match") == true);
    ChildResult replay = remora::testing::run_child(
        REMORA_INSPECT_BIN, {"--db", tmp.sub("run") + "/primary", "--json", "replay-verify"});
    INFO(replay.out << replay.err);
    CHECK(replay.exit_code == 0);
    auto report = nlohmann::json::parse(replay.out, nullptr, false);
    REQUIRE_FALSE(report.is_discarded());
    CHECK(report.value("match", false) == true);
}

TEST_CASE("remora-bench primary refuses bad options with exit 2", "[bench][primary]") {
    for (const Args& bad :
         {Args{"primary", "--workload", "transfer", "--txs", "10"},
          Args{"primary", "--workload", "transfer", "--txs", "10", "--seed", "1", "--hit-rate",
               "1.5"},
          Args{"primary", "--workload", "transfer", "--txs", "0", "--seed", "1"},
          Args{"primary", "--workload", "transfer", "--txs", "10", "--seed", "1", "--batch", "0"},
          Args{"primary", "--workload", "transfer", "--txs", "10", "--seed", "1",
               "--reexec-threads", "0"},
          Args{"primary", "--workload", "transfer", "--txs", "10", "--seed", "1",
               "--reexec-threads", "65"},
          Args{"primary", "--workload", "nope", "--txs", "10", "--seed", "1"},
          Args{"primary", "--workload", "transfer", "--txs", "10", "--seed", "1",
               "--pipeline-depth", "17"},
          Args{"primary", "--workload", "transfer", "--txs", "10", "--seed", "1", "--bogus",
               "1"}}) {
        ChildResult run = remora::testing::run_child(REMORA_BENCH_BIN, bad);
        INFO(run.err);
        CHECK(run.exit_code == 2);
    }
}
