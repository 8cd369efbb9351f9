// `remora-bench remora`: the real binary on small clusters of every workload; its report must
// say the cluster matched the sequential reference, and the kept primary store must pass
// remora-inspect replay-verify.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace {

using remora::testing::ChildResult;
using Args = std::vector<std::string>;

nlohmann::json run_json(const Args& args, int exit_code = 0) {
    ChildResult run = remora::testing::run_child(REMORA_BENCH_BIN, args);
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    REQUIRE(run.exit_code == exit_code);
    auto json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(json.is_discarded());
    return json;
}

Args small(const std::string& workload, const std::string& pre_executors) {
    return {"remora", "--workload",      workload,      "--txs",      "80",  "--seed",
            "4",      "--pre-executors", pre_executors, "--accounts", "32",  "--compute-rounds",
            "20",     "--batch",         "20",          "--sync",     "off", "--json"};
}

}  // namespace

TEST_CASE("remora-bench remora matches the sequential reference on every workload",
          "[bench][remora]") {
    for (const char* workload :
         {"transfer", "counter", "nft", "amm", "compute", "mixed", "random"}) {
        for (const char* p : {"0", "3"}) {
            INFO(workload << " with " << p << " pre-executors");
            auto json = run_json(small(workload, p));
            CHECK(json.at("mode") == "remora");
            CHECK(json.at("txs") == 80);
            CHECK(json.at("digest_match") == true);
            CHECK(json.at("digest") == json.at("reference_digest"));
            CHECK(json.at("adopted").get<std::uint64_t>() +
                      json.at("reexecuted").get<std::uint64_t>() ==
                  80);
            CHECK(json.contains("misses_by_cause"));
            CHECK(json.at("primary_cpu_us_per_tx").contains("adopt"));
            CHECK(json.at("primary_cpu_us_per_tx").contains("reexec"));
            if (std::string(p) == "0") CHECK(json.at("adopted") == 0);
        }
    }
}

TEST_CASE("remora-bench remora keeps a primary store that replay-verify accepts",
          "[bench][remora]") {
    remora::testing::TempDir tmp("remora-bench-remora");
    Args args = small("mixed", "2");
    args.insert(args.end(), {"--db", tmp.sub("run")});
    auto json = run_json(args);
    CHECK(json.at("digest_match") == true);
    ChildResult replay = remora::testing::run_child(
        REMORA_INSPECT_BIN, {"--db", tmp.sub("run") + "/primary", "--json", "replay-verify"});
    INFO(replay.err);
    REQUIRE(replay.exit_code == 0);
    auto report = nlohmann::json::parse(replay.out);
    CHECK(report.at("match") == true);
    CHECK(report.at("replayed_digest") == json.at("digest"));
}

TEST_CASE("remora-bench remora: a profile's pre-executor is the node's on 8 cores, flags win",
          "[bench][remora]") {
    auto with = [](Args extra) {
        Args args = small("transfer", "2");
        args.insert(args.end(), extra.begin(), extra.end());
        return run_json(args);
    };
    auto plain = with({});
    CHECK(plain.at("pre_executor_cores") == 1);
    CHECK(plain.at("pre_executor_verify_threads") == 2);
    CHECK(plain.at("hold") == true);
    CHECK(plain.at("pre_executor_parallel_min_us") == 100);
    CHECK(with({"--pre-executor-parallel-min-us", "0"}).at("pre_executor_parallel_min_us") == 0);
    auto profiled = with({"--profile", "100k"});
    CHECK(profiled.at("pre_executor_cores") == 8);
    CHECK(profiled.at("pre_executor_verify_threads") == 2);
    CHECK(profiled.at("hold") == true);
    CHECK(profiled.at("digest_match") == true);
    // Explicit flags win, before or after the profile.
    for (const Args& order : {Args{"--pre-executor-cores", "1", "--pre-executor-verify-threads",
                                   "0", "--hold", "off", "--profile", "100k"},
                              Args{"--profile", "100k", "--pre-executor-cores", "1",
                                   "--pre-executor-verify-threads", "0", "--hold", "off"}}) {
        auto overridden = with(order);
        CHECK(overridden.at("pre_executor_cores") == 1);
        CHECK(overridden.at("pre_executor_verify_threads") == 0);
        CHECK(overridden.at("hold") == false);
    }
}

TEST_CASE("remora-bench remora refuses bad options with exit 2", "[bench][remora]") {
    for (const Args& bad : std::vector<Args>{
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1"},
             {"remora", "--workload", "nope", "--txs", "10", "--seed", "1", "--pre-executors", "1"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "999"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--routed-updates", "sideways"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--peer-forwarding", "maybe"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--hold", "1"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--tx-interval-us", "0"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--message-delay-us", "-5"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--pre-executor-verify-threads", "257"},
             {"remora", "--workload", "transfer", "--txs", "10", "--seed", "1", "--pre-executors",
              "2", "--pre-executor-parallel-min-us", "1000001"}}) {
        ChildResult run = remora::testing::run_child(REMORA_BENCH_BIN, bad);
        INFO(run.err);
        CHECK(run.exit_code == 2);
    }
}
