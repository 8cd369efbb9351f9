// The main job as a user runs it: `remora-testnet run` starts real processes, loads them, stops
// them and replays the primary's commits; its report says the digests match and that the
// pre-executors' results were adopted. Also: a bad command line is refused before anything is
// started, and an interrupted testnet ends every process it started.

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "node/process.h"
#include "tests/support/temp_dir.h"

namespace remora::testing {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_CASE("remora-testnet run: real processes, adopted results, a matching replay",
          "[node][testnet][integration]") {
    TempDir dir("testnet-run");
    auto child =
        node::ChildProcess::spawn({REMORA_TESTNET_PATH, "run", "--pre-executors", "2", "--workload",
                                   "transfer", "--rate", "500", "--duration", "3", "--accounts",
                                   "200", "--dir", dir.sub("net"), "--json", "--plot"},
                                  dir.sub("out.json"), dir.sub("err.log"));
    REQUIRE(child.is_ok());
    auto code = child->wait_for(180s);
    REQUIRE(code.has_value());
    INFO(read_all(dir.sub("err.log")));
    REQUIRE(*code == 0);
    const auto report = nlohmann::json::parse(read_all(dir.sub("out.json")));
    CHECK(report["digest_match"] == true);
    CHECK(report["digest"] == report["reference_digest"]);
    CHECK(report["pre_executors"] == 2);
    CHECK(report["transactions"] == 1500);
    CHECK(report["hit_rate"].get<double>() >= 0.95);
    CHECK(report["tps"].get<double>() > 400);
    CHECK(report["rounds"].size() == 1);
    // The load started once the two pre-executors had linked to each other.
    CHECK(report["peer_mesh_ready"] == true);
    // The time series, one row per second, and its picture.
    const std::string csv = read_all(dir.sub("net") + "/timeseries.csv");
    CHECK(csv.rfind("round,second,offered_rate,submitted,committed,latency_p50_ms", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') >= 4);
    CHECK(read_all(dir.sub("net") + "/timeseries.png").rfind("\x89PNG", 0) == 0);
    // Every process it started has exited: their node-stats.json exist (written on a clean stop).
    for (const char* node : {"primary", "pre-executor-1", "pre-executor-2"}) {
        CHECK(std::ifstream(dir.sub("net") + "/" + node + "/node-stats.json").good());
    }
}

TEST_CASE("remora-testnet refuses a bad command line before starting anything",
          "[node][testnet][integration]") {
    TempDir dir("testnet-usage");
    for (std::vector<std::string> args :
         {std::vector<std::string>{"run", "--pre-executors", "2", "--workload", "transfer",
                                   "--duration", "-3"},
          {"run", "--pre-executors", "999", "--workload", "transfer", "--duration", "3"},
          {"run", "--workload", "transfer", "--duration", "3"},
          {"run", "--pre-executors", "1", "--workload", "transfer", "--duration", "3", "--rate",
           "fast"}}) {
        args.insert(args.begin(), REMORA_TESTNET_PATH);
        auto child = node::ChildProcess::spawn(args, dir.sub("out"), dir.sub("err"));
        REQUIRE(child.is_ok());
        CHECK(child->wait_for(30s) == 2);
    }
    // A non-empty --dir is refused (exit 1) and left as it was.
    std::ofstream(dir.sub("keep.txt")) << "mine";
    auto child = node::ChildProcess::spawn(
        {REMORA_TESTNET_PATH, "run", "--pre-executors", "1", "--workload", "transfer", "--duration",
         "1", "--rate", "10", "--dir", dir.path().string()},
        dir.sub("out2"), dir.sub("err2"));
    REQUIRE(child.is_ok());
    CHECK(child->wait_for(30s) == 1);
    CHECK_THAT(read_all(dir.sub("err2")), Catch::Contains("is not empty"));
    CHECK(read_all(dir.sub("keep.txt")) == "mine");
}

TEST_CASE("an interrupted testnet ends every process it started", "[node][testnet][integration]") {
    TempDir dir("testnet-interrupt");
    auto child = node::ChildProcess::spawn(
        {REMORA_TESTNET_PATH, "run", "--pre-executors", "1", "--workload", "transfer", "--rate",
         "200", "--duration", "60", "--accounts", "100", "--dir", dir.sub("net")},
        dir.sub("out"), dir.sub("err"));
    REQUIRE(child.is_ok());
    // Wait until the load runs, then interrupt it.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (read_all(dir.sub("err")).find("load:") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE(read_all(dir.sub("err")).find("load:") != std::string::npos);
    auto pid_of = [&](const std::string& node) {
        auto info = nlohmann::json::parse(read_all(dir.sub("net") + "/" + node + "/node.json"));
        return static_cast<pid_t>(info["pid"].get<long>());
    };
    const pid_t primary = pid_of("primary");
    const pid_t pre = pid_of("pre-executor-1");
    child->signal(SIGINT);
    auto code = child->wait_for(60s);
    REQUIRE(code.has_value());
    CHECK(*code != 0);
    CHECK_THAT(read_all(dir.sub("err")), Catch::Contains("interrupted"));
    // Both nodes are gone (kill(pid, 0) fails once a process has exited and been reaped).
    CHECK(::kill(primary, 0) != 0);
    CHECK(::kill(pre, 0) != 0);
}

}  // namespace
}  // namespace remora::testing
