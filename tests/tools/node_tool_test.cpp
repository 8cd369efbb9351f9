// remora-node's configuration surface as operators use it, through the real binary: a TOML file
// that starts a node, unknown keys and bad values refused with their position (exit 2), flags
// over the file, print-config as TOML and JSON, and init's output read back.

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace {

using remora::testing::ChildResult;
using remora::testing::run_child_for;
using remora::testing::StartedChild;
using remora::testing::TempDir;
using namespace std::chrono_literals;

const std::string kNode = REMORA_NODE_BIN;

ChildResult node(const std::vector<std::string>& args) { return run_child_for(kNode, args, 60s); }

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
    std::string path = dir.sub(name);  // not const: returned by move
    std::ofstream(path) << text;
    return path;
}

// A primary's file with free ports, in `dir`.
std::string primary_toml(const TempDir& dir, const std::string& extra = "") {
    return "[node]\nrole = \"primary\"\ndir = \"" + dir.sub("node") +
           "\"\n\n[net]\ncluster_port = 0\ningress_port = 0\nio_threads = 3\n\n[tls]\ndir = \"" +
           dir.sub("tls") + "\"\n" + extra;
}

nlohmann::json print_config(const std::vector<std::string>& args) {
    std::vector<std::string> all{"print-config", "--json"};
    all.insert(all.end(), args.begin(), args.end());
    ChildResult r = node(all);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out).at("config");
}

}  // namespace

// Waits until `path` exists (the node wrote it) while `child` runs; false past `limit`.
bool wait_for_file(StartedChild& child, const std::string& path, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!std::filesystem::exists(path) && child.running() &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(100ms);  // node.json is renamed into place whole
    return std::filesystem::exists(path);
}

TEST_CASE("a node starts from a TOML file, logs no line per transaction, stops on SIGTERM") {
    TempDir dir("remora-node-config");
    REQUIRE(node({"keygen", "--dir", dir.sub("tls"), "--pre-executors", "0"}).exit_code == 0);
    const std::string file =
        write(dir, "node.toml",
              primary_toml(dir, "[workload]\naccounts = 200\n[log]\nformat = \"json\"\n"));
    StartedChild child(kNode, {"--config", file});
    const std::string info = dir.sub("node") + "/node.json";
    REQUIRE(wait_for_file(child, info, 60s));
    nlohmann::json json = nlohmann::json::parse(std::ifstream(info));
    CHECK(json.at("role") == "primary");
    const int port = json.at("ingress_port").get<int>();
    REQUIRE(port > 0);
    // Load at info level: a few thousand transactions, a handful of log lines.
    ChildResult load =
        run_child_for(REMORA_LOADGEN_BIN,
                      {"--target", "127.0.0.1:" + std::to_string(port), "--workload", "transfer",
                       "--workload.accounts", "200", "--rate", "1000", "--duration", "2", "--json"},
                      60s);
    INFO(load.err);
    REQUIRE(load.exit_code == 0);
    const auto succeeded = nlohmann::json::parse(load.out).at("succeeded").get<std::uint64_t>();
    CHECK(succeeded >= 1000);
    child.signal(SIGTERM);
    ChildResult r = child.wait(60s);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    std::istringstream lines(r.err);
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line); ++count) {
        nlohmann::json entry = nlohmann::json::parse(line);  // every line is one JSON object
        CHECK(entry.contains("ts"));
        CHECK(entry.contains("msg"));
        CHECK((entry.at("component") == "primary" || entry.at("component") == "node"));
    }
    CHECK(count >= 3);  // created, listening, stopping...
    CHECK(count < 20);  // ... and not one per transaction
}

TEST_CASE("log levels per component") {
    TempDir dir("remora-node-config");
    REQUIRE(node({"keygen", "--dir", dir.sub("tls"), "--pre-executors", "0"}).exit_code == 0);
    const std::string file =
        write(dir, "node.toml", primary_toml(dir, "[workload]\naccounts = 50\n"));
    StartedChild child(kNode, {"--config", file, "--log.level", "primary=warn,node=info"});
    REQUIRE(wait_for_file(child, dir.sub("node") + "/node.json", 60s));
    child.signal(SIGTERM);
    ChildResult r = child.wait(60s);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("remora-node[node] INFO  received SIGTERM"));
    CHECK_THAT(r.err, !Catch::Contains("[primary]"));
    ChildResult bad = node({"--config", file, "--log.level", "net=debug"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("unknown component 'net'"));
    CHECK(node({"--config", file, "--log.format", "xml"}).exit_code == 2);
}

TEST_CASE("an unknown key is refused with its position") {
    TempDir dir("remora-node-config");
    const std::string file = write(
        dir, "node.toml", primary_toml(dir, "\n[sequencer]\nbatch_txs = 10\n  bogus_ms = 5\n"));
    ChildResult r = node({"--config", file});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(file + ":15:3: unknown key 'sequencer.bogus_ms'"));
    CHECK_THAT(r.err, Catch::Contains("batch_txs"));  // the keys it could have meant
    // An unknown section, and a key outside any section, too.
    CHECK_THAT(node({"--config", write(dir, "a.toml", "[nett]\nlisten = \"x\"\n")}).err,
               Catch::Contains("a.toml:1:2: unknown section [nett]"));
    CHECK(node({"--config", write(dir, "b.toml", "role = \"primary\"\n")}).exit_code == 2);
    // print-config refuses what run refuses.
    CHECK(node({"print-config", "--config", file}).exit_code == 2);
}

TEST_CASE("a bad value is refused with the key, the value, the range and the position") {
    TempDir dir("remora-node-config");
    struct Case {
        std::string toml;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"[net]\nio_threads = 100\n",
         ":2:14: net.io_threads must be a whole number in 1..64, got '100'"},
        {"[net]\nio_threads = -1\n",
         ":2:14: net.io_threads must be a whole number in 1..64, got '-1'"},
        {"[net]\nio_threads = \"4\"\n",
         ":2:14: net.io_threads must be an integer (1..64), got the string"},
        {"[primary]\nsync = \"on\"\n", ":2:8: primary.sync must be a boolean"},
        {"[node]\nrole = \"leader\"\n",
         ":2:8: node.role must be primary | pre-executor, got 'leader'"},
        {"[net]\ncluster_port = 70000\n",
         "net.cluster_port must be a whole number in 0..65535, got '70000'"},
        {"[net]\nprimary = \"nowhere\"\n",
         "net.primary must be HOST:PORT with PORT in 1..65535, got 'nowhere'"},
        {"[net\n", ":1:5: not valid TOML"},
    };
    for (const Case& c : cases) {
        const std::string file = write(dir, "bad.toml", c.toml);
        ChildResult r = node({"--config", file});
        INFO(c.toml << r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err,
                   Catch::Contains(
                       file + c.expected.substr(0, c.expected[0] == ':' ? std::string::npos : 0)));
        CHECK_THAT(r.err, Catch::Contains(c.expected));
    }
    // A rule over two keys says where the file set them.
    const std::string file =
        write(dir, "two.toml", primary_toml(dir, "[cluster]\nheartbeat_ms = 9000\n"));
    ChildResult r = node({"--config", file});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("cluster.heartbeat_ms at " + file + ":13:16"));
    // A missing file.
    CHECK(node({"--config", dir.sub("absent.toml")}).exit_code == 2);
}

TEST_CASE("flags override the file; print-config shows the effective configuration") {
    TempDir dir("remora-node-config");
    const std::string file = write(dir, "node.toml", primary_toml(dir));
    nlohmann::json from_file = print_config({"--config", file});
    CHECK(from_file["net"]["io_threads"] == 3);
    CHECK(from_file["net"]["idle_timeout_ms"] == 30000);  // a default, filled in
    CHECK(from_file["primary"]["sync"] == true);
    CHECK(from_file["net"]["primary"].is_null());  // unset
    CHECK(from_file["tls"]["name"] == "primary");  // derived from the role
    nlohmann::json overridden =
        print_config({"--config", file, "--net.io_threads", "5", "--primary.sync", "off"});
    CHECK(overridden["net"]["io_threads"] == 5);
    CHECK(overridden["primary"]["sync"] == false);
    CHECK(overridden["node"] == from_file["node"]);
    // A flag's bad value is refused even when the file's is fine.
    ChildResult bad = node({"print-config", "--config", file, "--net.io_threads", "0"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err,
               Catch::Contains("--net.io_threads must be a whole number in 1..64, got '0'"));
    // Keys in range that contradict each other: a reader waiting out its delay would look silent.
    ChildResult slow_reader = node({"print-config", "--config", file, "--net.ingress_read_delay_us",
                                    "200000", "--net.idle_timeout_ms", "200"});
    CHECK(slow_reader.exit_code == 2);
    CHECK_THAT(slow_reader.err, Catch::Contains("must be below --net.idle_timeout_ms"));
    CHECK(print_config({"--config", file, "--net.ingress_read_delay_us",
                        "1000"})["net"]["ingress_read_delay_us"] == 1000);

    // The TOML print-config writes is a configuration that reads back the same.
    ChildResult text = node({"print-config", "--config", file, "--net.io_threads", "5"});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("[net]\n"));
    CHECK_THAT(text.out, Catch::Contains("io_threads = 5\n"));
    const std::string again = write(dir, "again.toml", text.out);
    CHECK(print_config({"--config", again}) ==
          print_config({"--config", file, "--net.io_threads", "5"}));
    // Flags alone, without a file, still configure a node.
    nlohmann::json flags_only =
        print_config({"--node.role", "pre-executor", "--node.dir", dir.sub("p"), "--node.id", "2",
                      "--net.primary", "127.0.0.1:7000"});
    CHECK(flags_only["tls"]["name"] == "pre-executor-2");
    CHECK(node({"print-config", "--node.dir", dir.sub("p")}).exit_code == 2);  // no role
}

TEST_CASE("init writes a configuration that reads back, and credentials") {
    TempDir dir("remora-node-config");
    const std::string primary = dir.sub("primary");
    ChildResult r = node({"init", "--role", "primary", "--dir", primary, "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    nlohmann::json report = nlohmann::json::parse(r.out);
    CHECK(report["credentials"] == "created");
    for (const char* file : {"ca.pem", "ca.key", "primary.pem", "primary.key"}) {
        CHECK(std::filesystem::exists(primary + "/tls/" + file));
    }
    const std::string config_file = primary + "/remora-node.toml";
    nlohmann::json config = print_config({"--config", config_file});
    CHECK(config["node"]["role"] == "primary");
    CHECK(config["node"]["dir"] == std::filesystem::canonical(primary).string());
    CHECK(config["tls"]["dir"] == std::filesystem::canonical(primary).string() + "/tls");
    // Every key is in the file, each after a comment.
    std::ifstream in(config_file);
    std::string previous;
    int keys = 0;
    for (std::string line; std::getline(in, line); previous = line) {
        if (line.empty() || line[0] == '[' || line[0] == '#') continue;
        ++keys;
        CHECK(previous.rfind("# ", 0) == 0);
    }
    std::size_t expected_keys = 0;
    for (const auto& [section, keys_of] : config.items()) {
        for (const auto& [key, value] : keys_of.items()) expected_keys += value.is_null() ? 0 : 1;
    }
    CHECK(keys == static_cast<int>(expected_keys));
    // init never overwrites.
    CHECK(node({"init", "--role", "primary", "--dir", primary}).exit_code == 1);

    // A pre-executor without a CA: the configuration, and what to do about credentials.
    const std::string pre = dir.sub("pre");
    r = node({"init", "--role", "pre-executor", "--id", "2", "--dir", pre, "--json"});
    REQUIRE(r.exit_code == 0);
    report = nlohmann::json::parse(r.out);
    CHECK(report["credentials"] == "missing");
    CHECK_THAT(report["todo"].get<std::string>(), Catch::Contains("keygen"));
    config = print_config({"--config", pre + "/remora-node.toml"});
    CHECK(config["node"]["id"] == 2);
    CHECK(config["net"]["primary"] == "127.0.0.1:7000");
    CHECK(config["tls"]["name"] == "pre-executor-2");

    // With the cluster CA in its tls directory, a pre-executor's credentials are signed by it.
    const std::string pre3 = dir.sub("pre3");
    std::filesystem::create_directories(pre3 + "/tls");
    std::filesystem::copy_file(primary + "/tls/ca.pem", pre3 + "/tls/ca.pem");
    std::filesystem::copy_file(primary + "/tls/ca.key", pre3 + "/tls/ca.key");
    r = node({"init", "--role", "pre-executor", "--id", "3", "--dir", pre3, "--json"});
    REQUIRE(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out)["credentials"] == "created");
    CHECK(std::filesystem::exists(pre3 + "/tls/pre-executor-3.key"));
    // Usage errors.
    CHECK(node({"init", "--role", "pre-executor", "--dir", dir.sub("x")}).exit_code == 2);
    CHECK(node({"init", "--role", "primary", "--id", "1", "--dir", dir.sub("x")}).exit_code == 2);
    CHECK(node({"init", "--role", "leader", "--dir", dir.sub("x")}).exit_code == 2);
}

namespace {

// A primary started from `file` (plus `extra` flags), once it listens (its fresh node.json).
std::unique_ptr<StartedChild> start_primary(const TempDir& dir, const std::string& file,
                                            std::vector<std::string> extra = {}) {
    const std::string info = dir.sub("node") + "/node.json";
    std::filesystem::remove(info);
    extra.insert(extra.begin(), {"--config", file});
    auto child = std::make_unique<StartedChild>(kNode, extra);
    REQUIRE(wait_for_file(*child, info, 60s));
    return child;
}

ChildResult stop(StartedChild& child) {
    child.signal(SIGTERM);
    return child.wait(60s);
}

}  // namespace

TEST_CASE("a clean stop leaves a marker; the next start says how the last one ended") {
    TempDir dir("remora-node-life");
    REQUIRE(node({"keygen", "--dir", dir.sub("tls"), "--pre-executors", "0"}).exit_code == 0);
    const std::string file =
        write(dir, "node.toml", primary_toml(dir, "[workload]\naccounts = 50\n"));
    const std::string marker = dir.sub("node") + "/clean-shutdown";

    auto first = start_primary(dir, file);
    CHECK_FALSE(std::filesystem::exists(marker));
    ChildResult r = stop(*first);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, !Catch::Contains("last shutdown"));  // a new store has no last shutdown
    CHECK(std::filesystem::exists(marker));

    auto second = start_primary(dir, file);
    CHECK_FALSE(std::filesystem::exists(marker));  // removed at start
    // While it runs, the store is locked: exit 75, naming the store and the node holding it.
    ChildResult locked = node({"--config", file});
    CHECK(locked.exit_code == 75);
    CHECK_THAT(locked.err, Catch::Contains(dir.sub("node") + "/store"));
    CHECK_THAT(locked.err, Catch::Contains("pid " + std::to_string(second->pid())));
    second->signal(SIGKILL);
    second->wait(60s);
    CHECK_FALSE(std::filesystem::exists(marker));

    auto third = start_primary(dir, file);
    r = stop(*third);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("the last shutdown was not clean"));
    auto fourth = start_primary(dir, file);
    r = stop(*fourth);
    CHECK_THAT(r.err, Catch::Contains("the last shutdown was clean"));
}

TEST_CASE("a second SIGTERM while draining exits at once, without the marker") {
    TempDir dir("remora-node-life");
    REQUIRE(node({"keygen", "--dir", dir.sub("tls"), "--pre-executors", "0"}).exit_code == 0);
    // Ordering takes 5 s, so admitted transactions keep the drain busy that long.
    const std::string file = write(
        dir, "node.toml",
        primary_toml(dir, "[workload]\naccounts = 200\n[sequencer]\nconsensus_delay_ms = 5000\n"));
    auto primary = start_primary(dir, file);
    const int port = nlohmann::json::parse(std::ifstream(dir.sub("node") + "/node.json"))
                         .at("ingress_port")
                         .get<int>();
    StartedChild load(REMORA_LOADGEN_BIN,
                      {"--target", "127.0.0.1:" + std::to_string(port), "--workload", "transfer",
                       "--workload.accounts", "200", "--rate", "500", "--duration", "3"});
    std::this_thread::sleep_for(1s);
    primary->signal(SIGTERM);
    std::this_thread::sleep_for(500ms);
    const auto second_signal = std::chrono::steady_clock::now();
    primary->signal(SIGTERM);
    ChildResult r = primary->wait(60s);
    INFO(r.err);
    CHECK(r.exit_code == 128 + SIGTERM);
    CHECK(std::chrono::steady_clock::now() - second_signal < 3s);  // well before the 5 s drain
    CHECK_THAT(r.err, Catch::Contains("again while stopping: exiting now"));
    CHECK_FALSE(std::filesystem::exists(dir.sub("node") + "/clean-shutdown"));
    load.wait(60s);
    // The store recovers; the next start says the last shutdown was not clean.
    auto again = start_primary(dir, file);
    r = stop(*again);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("the last shutdown was not clean"));
}
