// remora-bench: the real binary run the way a user runs it, plus the library parts it is made
// of (workload generator, option parser, percentiles).

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"
#include "tools/bench/random_objects.h"
#include "tools/bench/side_stats.h"
#include "tools/bench/storage_options.h"

namespace {

using remora::testing::TempDir;
namespace bench = remora::tools::bench;

using Args = std::vector<std::string>;

remora::testing::ChildResult run_bench(const Args& args) {
    return remora::testing::run_child(REMORA_BENCH_BIN, args);
}

Args small_run(const std::string& db, const std::string& seed) {
    return {"storage", "--db",   db,   "--commits",       "6", "--objects-per-commit",
            "20",      "--seed", seed, "--chunk-commits", "2", "--json"};
}

Args with(Args args, const Args& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

nlohmann::json parse_json(const remora::testing::ChildResult& run) {
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    auto json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(json.is_discarded());
    return json;
}

}  // namespace

TEST_CASE("remora-bench storage reports both sides, their ratio and a verified digest", "[bench]") {
    TempDir scratch("remora-bench-test");
    std::string db = scratch.sub("db");
    auto json = parse_json(run_bench(small_run(db, "7")));

    CHECK(json.at("mode") == "storage");
    CHECK(json.at("workload") == "random-objects");
    CHECK(json.at("commits") == 6);
    CHECK(json.at("objects_per_commit") == 20);
    CHECK(json.at("seed") == 7);
    CHECK(json.at("sync") == true);
    CHECK(json.at("seconds").get<double>() > 0);
    CHECK(json.at("tps").get<double>() > 0);
    for (const char* side : {"store", "raw"}) {
        INFO("side " << side);
        const auto& s = json.at(side);
        for (const char* key : {"commits_per_s", "writes_per_s", "p50_ms", "p99_ms", "cpu_s"}) {
            INFO("key " << key);
            CHECK(s.at(key).get<double>() > 0);
        }
        CHECK(s.at("p99_ms").get<double>() >= s.at("p50_ms").get<double>());
        CHECK(s.at("writes_per_s").get<double>() ==
              Approx(s.at("commits_per_s").get<double>() * 20));
    }
    CHECK(json.at("ratio").get<double>() > 0);
    CHECK(json.at("ratio").get<double>() == Approx(json["store"]["writes_per_s"].get<double>() /
                                                   json["raw"]["writes_per_s"].get<double>()));
    CHECK(json.at("cpu_ratio").get<double>() ==
          Approx(json["raw"]["cpu_s"].get<double>() / json["store"]["cpu_s"].get<double>()));
    CHECK(json.at("digest").get<std::string>().size() == 64);
    CHECK(json.at("digest_verified") == true);
    // No deletions in this workload: every object created is live.
    CHECK(json.at("live_objects") == json.at("objects_created"));
    CHECK(json.at("live_objects").get<int>() + json.at("updates").get<int>() == 6 * 20);
    CHECK(std::filesystem::is_directory(db + "/store"));
    CHECK(std::filesystem::is_directory(db + "/raw-baseline"));
}

TEST_CASE("remora-bench storage: the seed decides the final state", "[bench]") {
    TempDir scratch("remora-bench-test");
    auto a = parse_json(run_bench(small_run(scratch.sub("a"), "11")));
    auto b = parse_json(run_bench(small_run(scratch.sub("b"), "11")));
    auto c = parse_json(run_bench(small_run(scratch.sub("c"), "12")));
    CHECK(a.at("digest") == b.at("digest"));
    CHECK(a.at("digest") != c.at("digest"));
}

TEST_CASE("remora-bench storage refuses a non-empty --db", "[bench]") {
    TempDir scratch("remora-bench-test");
    std::string db = scratch.sub("db");
    std::filesystem::create_directories(db);
    std::ofstream(db + "/precious.txt") << "keep me";
    auto run = run_bench(small_run(db, "1"));
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("not empty") != std::string::npos);
    // With --json the error is also the one JSON object on stdout.
    auto json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(json.is_discarded());
    CHECK(json.value("code", 0) == 1);
    CHECK(json.value("status", "") == "AlreadyExists");
    CHECK(std::filesystem::exists(db + "/precious.txt"));
    CHECK_FALSE(std::filesystem::exists(db + "/store"));
}

TEST_CASE("remora-bench usage errors exit 2, help exits 0", "[bench]") {
    TempDir scratch("remora-bench-test");
    std::string db = scratch.sub("db");
    auto unknown = run_bench(with(small_run(db, "1"), {"--no-such-flag", "3"}));
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("--no-such-flag") != std::string::npos);
    CHECK(nlohmann::json::parse(unknown.out).value("status", "") == "Usage");
    CHECK(run_bench({"storage", "--db", db, "--commits", "5", "--seed", "1"}).exit_code == 2);
    CHECK(run_bench(
              {"storage", "--db", db, "--commits", "x", "--objects-per-commit", "5", "--seed", "1"})
              .exit_code == 2);
    CHECK(run_bench(with(small_run(db, "1"), {"--sync", "maybe"})).exit_code == 2);
    CHECK(run_bench({"sequential", "--txs", "5"}).exit_code == 2);
    CHECK(run_bench({}).exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(db));  // nothing ran

    auto help = run_bench({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("storage") != std::string::npos);
    CHECK(run_bench({"storage", "--help"}).exit_code == 0);
}

TEST_CASE("remora-bench: random-objects workload: unique ids per commit, versions step by one",
          "[bench]") {
    bench::RandomObjectsWorkload workload({/*seed=*/3, /*objects_per_commit=*/50,
                                           /*payload_bytes=*/200, /*update_fraction=*/0.5});
    std::map<remora::common::ObjectId, remora::common::Version> versions;
    std::uint64_t updates = 0;
    for (std::uint64_t index = 1; index <= 40; ++index) {
        auto commit = workload.next_commit();
        REQUIRE(commit.index == index);
        REQUIRE(commit.writes.size() == 50);
        std::set<remora::common::ObjectId> ids;
        for (const auto& write : commit.writes) {
            REQUIRE(ids.insert(write.id).second);
            REQUIRE(write.payload.has_value());
            REQUIRE(write.payload->size() >= 100);
            REQUIRE(write.payload->size() <= 300);
            auto it = versions.find(write.id);
            if (it == versions.end()) {
                REQUIRE(write.version == 1);
                versions[write.id] = 1;
            } else {
                REQUIRE(write.version == it->second + 1);
                it->second = write.version;
                ++updates;
            }
        }
    }
    CHECK(updates == workload.updates());
    CHECK(versions.size() == workload.objects_created());
    // About half of the 1950 writes after the first commit update (some draws fall back).
    CHECK(updates > 700);
    CHECK(updates < 1000);
}

TEST_CASE("remora-bench: random-objects workload is a function of the seed", "[bench]") {
    auto first_commit = [](std::uint64_t seed) {
        bench::RandomObjectsWorkload workload({seed, 10, 200, 0.5});
        workload.next_commit();
        return workload.next_commit();
    };
    auto a = first_commit(5);
    auto b = first_commit(5);
    auto c = first_commit(6);
    REQUIRE(a.writes.size() == b.writes.size());
    for (std::size_t i = 0; i < a.writes.size(); ++i) {
        CHECK(a.writes[i].id == b.writes[i].id);
        CHECK(a.writes[i].version == b.writes[i].version);
        CHECK(a.writes[i].payload == b.writes[i].payload);
    }
    CHECK(a.writes[0].id != c.writes[0].id);
}

TEST_CASE("remora-bench: storage options: defaults, bounds and errors", "[bench]") {
    auto ok = bench::parse_storage_args({"--db", "d", "--commits=3", "--objects-per-commit", "4",
                                         "--seed", "9", "--sync", "off", "--shards", "8"});
    REQUIRE(ok.is_ok());
    CHECK(ok->options.db_dir == "d");
    CHECK(ok->options.commits == 3);
    CHECK(ok->options.objects_per_commit == 4);
    CHECK(ok->options.seed == 9);
    CHECK_FALSE(ok->options.sync);
    CHECK(ok->options.shards == 8u);
    CHECK(ok->options.payload_bytes == bench::kPayloadBytesDefault);
    CHECK_FALSE(ok->options.json);

    auto bad = [](std::vector<std::string> extra) {
        std::vector<std::string> args = {"--db", "d",      "--commits", "3", "--objects-per-commit",
                                         "4",    "--seed", "9"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto parsed = bench::parse_storage_args(args);
        return !parsed.is_ok() && parsed.status().code() == remora::common::Code::kInvalidArgument;
    };
    CHECK(bad({"--commits", "0"}));
    CHECK(bad({"--commits", "-1"}));
    CHECK(bad({"--commits", "12abc"}));
    CHECK(bad({"--payload-bytes", "1"}));
    CHECK(bad({"--shards", "0"}));
    CHECK(bad({"--update-fraction", "1.5"}));
    CHECK(bad({"--objects-per-commit", "1000000", "--commits", "1000"}));  // total bound
    CHECK(bad({"--seed"}));                                                // no value
    CHECK(bad({"stray"}));
    CHECK_FALSE(bad({}));
}

TEST_CASE("remora-bench: nearest-rank percentiles", "[bench]") {
    std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(bench::percentile(sorted, 0.5) == 5);
    CHECK(bench::percentile(sorted, 0.99) == 10);
    CHECK(bench::percentile(sorted, 0.1) == 1);
    CHECK(bench::percentile({}, 0.5) == 0);
    bench::SideMeasurement m;
    m.commit_seconds = {0.004, 0.001, 0.002, 0.003};
    auto s = bench::summarize(m, 10);
    CHECK(s.commits == 4);
    CHECK(s.seconds == Approx(0.010));
    CHECK(s.commits_per_s == Approx(400));
    CHECK(s.writes_per_s == Approx(4000));
    CHECK(s.p50_ms == Approx(2));
    CHECK(s.max_ms == Approx(4));
}
