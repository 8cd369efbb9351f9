// `remora-bench sequential`: the real binary, run the way a user runs it, on every workload; its
// determinism across processes; a kept store that remora-inspect replay-verify accepts.

#include <stdlib.h>  // setenv, unsetenv
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"
#include "tools/bench/sequential_options.h"

namespace {

using remora::testing::ChildResult;
using remora::testing::TempDir;
using Args = std::vector<std::string>;
namespace bench = remora::tools::bench;

ChildResult run_bench(const Args& args) {
    return remora::testing::run_child(REMORA_BENCH_BIN, args);
}

Args with(Args args, const Args& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// 60 transactions in commits of 25 (so 3 commits), 3 of them with broken signatures, small
// knobs so that a Debug build runs it in a fraction of a second.
Args small_run(const std::string& workload, const std::string& seed) {
    Args args = {"sequential", "--workload", workload, "--txs", "60", "--seed", seed, "--json"};
    args = with(args, {"--batch", "25", "--accounts", "32", "--compute-rounds", "20"});
    return with(args, {"--invalid-sig-rate", "0.05", "--sync", "off"});
}

nlohmann::json parse_json(const ChildResult& run, int exit_code = 0) {
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    REQUIRE(run.exit_code == exit_code);
    auto json = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(json.is_discarded());
    return json;
}

// The report's invariants for any completed run.
void check_report(const nlohmann::json& json, std::uint64_t txs) {
    INFO(json.dump());
    CHECK(json.at("mode") == "sequential");
    CHECK(json.at("txs") == txs);
    CHECK(json.at("seconds").get<double>() > 0);
    CHECK(json.at("tps").get<double>() ==
          Approx(static_cast<double>(txs) / json.at("seconds").get<double>()));
    CHECK(json.at("digest").get<std::string>().size() == 64);
    CHECK(json.at("digest_verified") == true);
    CHECK(json.at("unexpected_status") == 0);
    CHECK(json.at("first_unexpected").is_null());
    std::uint64_t counted = 0;
    for (const auto& [name, count] : json.at("status_counts").items()) counted += count.get<int>();
    CHECK(counted == txs);

    // The breakdown's parts do not overlap and add up to the timed seconds.
    const auto& parts = json.at("breakdown_s");
    double sum = 0;
    for (const char* key :
         {"authenticators", "state_reads", "program_load", "vm", "persist", "other"}) {
        INFO("part " << key);
        REQUIRE(parts.contains(key));
        CHECK(parts.at(key).get<double>() >= 0);
        sum += parts.at(key).get<double>();
    }
    CHECK(parts.at("authenticators").get<double>() > 0);
    CHECK(parts.at("persist").get<double>() > 0);
    CHECK(sum == Approx(json.at("seconds").get<double>()));
    CHECK(json.at("per_tx_us").at("total").get<double>() ==
          Approx(json.at("seconds").get<double>() * 1e6 / static_cast<double>(txs)));
    CHECK(json.at("state_reads").get<int>() > 0);
    CHECK(json.at("phases_s").size() == 5);
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

// Sets an environment variable for the children this test starts, restoring it afterwards.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (m_old) {
            setenv(m_name, m_old->c_str(), 1);
        } else {
            unsetenv(m_name);
        }
    }

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

}  // namespace

TEST_CASE("remora-bench sequential runs every synthetic workload as predicted", "[bench][seq]") {
    for (const char* workload :
         {"transfer", "counter", "nft", "amm", "compute", "mixed", "random"}) {
        INFO("workload " << workload);
        auto json = parse_json(run_bench(small_run(workload, "5")));
        check_report(json, 60);
        CHECK(json.at("workload") == workload);
        CHECK(json.at("seed") == 5);
        CHECK(json.at("commits") == 3);  // 25 + 25 + 10
        CHECK(json.at("batch") == 25);
        CHECK(json.at("accounts") == 32);
        CHECK(json.at("sync") == false);
        CHECK(json.at("db").is_null());
        // floor(60 × 0.05) deliberately broken signatures, each predicted.
        CHECK(json.at("status_counts").value("InvalidAuthenticator", 0) == 3);
        CHECK(json.at("status_counts").value("None", 0) > 40);
    }
}

TEST_CASE("remora-bench sequential: the seed decides the digest, across processes",
          "[bench][seq]") {
    TempDir scratch("remora-bench-seq");
    auto a = parse_json(run_bench(small_run("mixed", "21")));
    auto b = parse_json(run_bench(with(small_run("mixed", "21"), {"--db", scratch.sub("b")})));
    auto c = parse_json(run_bench(small_run("mixed", "22")));
    // Observing the phases never changes a result.
    auto d = parse_json(run_bench(with(small_run("mixed", "21"), {"--breakdown", "off"})));
    CHECK(a.at("digest") == b.at("digest"));
    CHECK(a.at("gas_used") == b.at("gas_used"));
    CHECK(a.at("digest") != c.at("digest"));
    CHECK(a.at("digest") == d.at("digest"));
    CHECK(d.at("breakdown_s").is_null());
    CHECK(d.at("persist_s").get<double>() > 0);
}

TEST_CASE("remora-bench sequential --db keeps a store that replay-verify accepts", "[bench][seq]") {
    TempDir scratch("remora-bench-seq");
    std::string db = scratch.sub("db");
    auto json = parse_json(run_bench(with(small_run("mixed", "3"), {"--db", db})));
    CHECK(json.at("db") == db);

    auto replay = remora::testing::run_child(REMORA_INSPECT_BIN,
                                             {"--db", db + "/store", "--json", "replay-verify"});
    INFO(replay.err);
    REQUIRE(replay.exit_code == 0);
    auto verdict = nlohmann::json::parse(replay.out);
    CHECK(verdict.at("match") == true);
    CHECK(verdict.at("commits") == 4);  // genesis + 3
    CHECK(verdict.at("transactions") == 60);
    CHECK(verdict.at("replayed_digest") == json.at("digest"));

    // The same DIR again is refused before anything is written.
    auto again = run_bench(with(small_run("mixed", "3"), {"--db", db}));
    CHECK(again.exit_code == 1);
    CHECK(again.err.find("not empty") != std::string::npos);
    CHECK(parse_json(again, 1).value("status", "") == "AlreadyExists");
}

TEST_CASE("remora-bench sequential without --db leaves nothing behind", "[bench][seq]") {
    TempDir scratch("remora-bench-seq");
    std::string tmp = scratch.sub("tmp");
    std::filesystem::create_directories(tmp);
    ScopedEnv env("TMPDIR", tmp);
    auto json = parse_json(run_bench(small_run("transfer", "1")));
    CHECK(json.at("digest_verified") == true);
    CHECK(std::filesystem::is_empty(tmp));
}

TEST_CASE("remora-bench sequential replays a trace block by block", "[bench][seq]") {
    TempDir scratch("remora-bench-seq");
    std::string trace = scratch.sub("t.csv");
    write_file(trace,
               "block,tx_index,sender,receiver,extra_objects\n"
               "7,0,aa,bb,\n7,1,bb,CREATE,cc\n7,2,aa,cc,dd:ee;ff\n"
               "8,0,cc,aa,\n"
               "9,0,dd,ee,aa\n9,1,ee,dd,\n");
    Args args = {"sequential", "--workload", "trace:" + trace, "--seed", "4", "--json"};
    auto all = parse_json(run_bench(with(args, {"--txs", "6"})));
    check_report(all, 6);
    CHECK(all.at("commits") == 3);  // blocks 7, 8, 9
    CHECK(all.at("workload_exhausted") == false);
    CHECK(all.at("status_counts").at("None") == 6);

    // A prefix ends mid-block; asking for more than the trace holds runs all of it.
    auto prefix = parse_json(run_bench(with(args, {"--txs", "2"})));
    CHECK(prefix.at("txs") == 2);
    CHECK(prefix.at("commits") == 1);
    auto more = parse_json(run_bench(with(args, {"--txs", "100"})));
    CHECK(more.at("txs") == 6);
    CHECK(more.at("txs_requested") == 100);
    CHECK(more.at("workload_exhausted") == true);
    CHECK(more.at("digest") == all.at("digest"));

    auto missing = run_bench({"sequential", "--workload", "trace:" + scratch.sub("nope.csv"),
                              "--txs", "5", "--seed", "1", "--json"});
    CHECK(missing.exit_code == 1);
    CHECK(parse_json(missing, 1).value("status", "") == "NotFound");
}

TEST_CASE("remora-bench sequential: usage errors exit 2, help exits 0", "[bench][seq]") {
    Args base = {"sequential", "--workload", "transfer", "--txs", "5", "--seed", "1"};
    CHECK(run_bench({"sequential", "--workload", "transfer", "--txs", "5"}).exit_code == 2);
    auto unknown = run_bench({"sequential", "--workload", "bogus", "--txs", "5", "--seed", "1"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("unknown workload 'bogus'") != std::string::npos);
    CHECK(run_bench(with(base, {"--txs", "0"})).exit_code == 2);
    CHECK(run_bench(with(base, {"--skew", "11"})).exit_code == 2);
    CHECK(run_bench(with(base, {"--invalid-sig-rate", "2"})).exit_code == 2);
    CHECK(run_bench(with(base, {"--sync", "maybe"})).exit_code == 2);
    CHECK(run_bench(with(base, {"--batch", "0"})).exit_code == 2);
    auto help = run_bench({"sequential", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--workload") != std::string::npos);
    CHECK(run_bench({"--help"}).out.find("sequential") != std::string::npos);
}

TEST_CASE("remora-bench: sequential options map onto the workload config", "[bench][seq]") {
    auto ok =
        bench::parse_sequential_args({"--workload", "amm",          "--txs=7", "--seed",
                                      "9",          "--accounts",   "50",      "--skew",
                                      "0.9",        "--contention", "3",       "--invalid-sig-rate",
                                      "0.25",       "--batch",      "4",       "--compute-rounds",
                                      "11",         "--sync",       "off",     "--breakdown",
                                      "off",        "--db",         "d"});
    REQUIRE(ok.is_ok());
    const auto& o = ok->options;
    CHECK(o.workload.name == "amm");
    CHECK(o.txs == 7);
    CHECK(o.workload.seed == 9);
    CHECK(o.workload.accounts == 50);
    CHECK(o.workload.zipf_theta == 0.9);
    CHECK(o.workload.shared_objects == 3);
    CHECK(o.workload.invalid_signature_rate == 0.25);
    CHECK(o.workload.batch_size == 4);
    CHECK(o.workload.compute_rounds == 11);
    CHECK_FALSE(o.sync);
    CHECK_FALSE(o.breakdown);
    CHECK(o.db_dir == "d");

    auto defaults =
        bench::parse_sequential_args({"--workload", "nft", "--txs", "1", "--seed", "0"});
    REQUIRE(defaults.is_ok());
    CHECK(defaults->options.sync);
    CHECK(defaults->options.breakdown);
    CHECK(defaults->options.db_dir.empty());
    CHECK(defaults->options.workload.accounts ==
          remora::executor::workload::WorkloadConfig{}.accounts);
    CHECK_FALSE(bench::parse_sequential_args(
                    {"--workload", "nft", "--txs", "1", "--seed", "0", "--compute-rounds", "0"})
                    .is_ok());
}
