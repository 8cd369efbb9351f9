// A transaction that fails execution fatally must not crash-loop the node (docs/node.md, "A
// transaction that fails execution fatally"), through the real remora-node: a primary whose
// directory holds a poison marker refuses to start with exit 70, naming the transactions and how
// to clear the marker, and starts again once it is deleted. In the `faults` build the fault point
// primary.commit.internal_error makes a commit fail with an internal error, and the node records
// the marker, names the commit's transactions, exits 70, and refuses the next start.

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fault_points_config.h"
#include "executor/sequential/commit_body.h"
#include "executor/tx/transaction.h"
#include "node/poison_marker.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace {

using remora::testing::ChildResult;
using remora::testing::run_child_for;
using remora::testing::StartedChild;
using remora::testing::TempDir;
using namespace std::chrono_literals;

const std::string kNode = REMORA_NODE_BIN;

// A primary's flags with free ports in `dir` (keys made first).
std::vector<std::string> primary_flags(const TempDir& dir) {
    return {"run",        "--node.role",        "primary",
            "--node.dir", dir.sub("node"),      "--net.cluster_port",
            "0",          "--net.ingress_port", "0",
            "--tls.dir",  dir.sub("tls"),       "--workload.accounts",
            "50"};
}

void keygen(const TempDir& dir) {
    ChildResult r =
        run_child_for(kNode, {"keygen", "--dir", dir.sub("tls"), "--pre-executors", "0"}, 60s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

// Waits until the node wrote DIR/node.json while it runs; its contents, or null.
nlohmann::json wait_listening(StartedChild& child, const TempDir& dir) {
    const std::string info = dir.sub("node") + "/node.json";
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!std::filesystem::exists(info) && child.running() &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(100ms);  // renamed into place whole
    if (!std::filesystem::exists(info)) return nullptr;
    return nlohmann::json::parse(std::ifstream(info));
}

// Starts a primary on `dir` and stops it with SIGTERM: it must start and stop cleanly.
std::uint64_t start_and_stop(const TempDir& dir) {
    std::filesystem::remove(dir.sub("node") + "/node.json");
    StartedChild child(kNode, primary_flags(dir));
    const nlohmann::json info = wait_listening(child, dir);
    REQUIRE(info.is_object());
    child.signal(SIGTERM);
    ChildResult r = child.wait(60s);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    return info.at("applied_commit").get<std::uint64_t>();
}

// A start refused because of the marker: exit 70 at once, the message names what `marker` says.
void check_refused(const TempDir& dir, const remora::node::PoisonMarker& marker) {
    std::filesystem::remove(dir.sub("node") + "/node.json");  // from the last run
    ChildResult r = run_child_for(kNode, primary_flags(dir), 60s);
    INFO(r.err);
    CHECK(r.exit_code == 70);
    CHECK_FALSE(r.timed_out);
    CHECK_THAT(r.err, Catch::Contains("refusing to start"));
    CHECK_THAT(r.err, Catch::Contains("commit " + std::to_string(marker.commit_index)));
    for (const auto& digest : marker.tx_digests) CHECK_THAT(r.err, Catch::Contains(digest.hex()));
    CHECK_THAT(r.err, Catch::Contains(dir.sub("node") + "/poison.json"));
    CHECK_THAT(r.err, Catch::Contains("delete"));
    CHECK_FALSE(std::filesystem::exists(dir.sub("node") + "/node.json"));  // it never listened
}

}  // namespace

TEST_CASE("a primary with a poison marker refuses to start (exit 70) until it is deleted",
          "[poison]") {
    TempDir dir("remora-node-poison");
    keygen(dir);
    const std::uint64_t applied = start_and_stop(dir);
    remora::node::PoisonMarker marker;
    marker.commit_index = applied + 1;
    marker.tx_digests.resize(2);
    marker.tx_digests[0].bytes.fill(0x5a);
    marker.tx_digests[1].bytes.fill(0xc3);
    marker.reason = "an exception while executing: test";
    REQUIRE(remora::node::write_poison_marker(dir.sub("node"), marker).is_ok());
    check_refused(dir, marker);
    check_refused(dir, marker);  // every start, not only the first
    // A damaged marker is refused too (exit 65), never taken for none.
    std::ofstream(dir.sub("node") + "/poison.json", std::ios::trunc) << "{";
    ChildResult damaged = run_child_for(kNode, primary_flags(dir), 60s);
    CHECK(damaged.exit_code == 65);
    CHECK_THAT(damaged.err, Catch::Contains("poison.json"));
    std::filesystem::remove(dir.sub("node") + "/poison.json");
    CHECK(start_and_stop(dir) == applied);
}

#if REMORA_FAULT_POINTS_COMPILED
TEST_CASE("a commit failing with an internal error records the marker and exits 70", "[poison]") {
    TempDir dir("remora-node-poison");
    keygen(dir);
    std::filesystem::remove(dir.sub("node") + "/node.json");
    StartedChild primary(kNode, primary_flags(dir),
                         {{"REMORA_FAULT", "primary.commit.internal_error:1"}});
    const nlohmann::json info = wait_listening(primary, dir);
    REQUIRE(info.is_object());
    const std::uint64_t applied = info.at("applied_commit").get<std::uint64_t>();
    // Load until the first commit fails; the load generator's own outcome does not matter.
    run_child_for(
        REMORA_LOADGEN_BIN,
        {"--target", "127.0.0.1:" + std::to_string(info.at("ingress_port").get<int>()),
         "--workload", "transfer", "--workload.accounts", "50", "--rate", "200", "--duration", "2"},
        60s);
    ChildResult r = primary.wait(60s);
    INFO(r.err);
    CHECK(r.exit_code == 70);
    auto marker = remora::node::read_poison_marker(dir.sub("node"));
    REQUIRE(marker.is_ok());
    REQUIRE(marker->has_value());
    CHECK((*marker)->commit_index == applied + 1);
    REQUIRE_FALSE((*marker)->tx_digests.empty());
    CHECK_THAT((*marker)->reason, Catch::Contains("primary.commit.internal_error"));
    CHECK_THAT(r.err, Catch::Contains("failed fatally"));
    for (const auto& digest : (*marker)->tx_digests) {
        CHECK_THAT(r.err, Catch::Contains(digest.hex()));
    }
    check_refused(dir, **marker);
    // Cleared (the fault is not armed any more): the ordered batch that failed was logged
    // before it was applied, so the next start applies it, at the commit it failed at, first
    // (docs/node.md, "The ordered-batch log").
    std::filesystem::remove(dir.sub("node") + "/poison.json");
    CHECK(start_and_stop(dir) >= applied + 1);
    remora::storage::StoreOptions options;
    auto store = remora::storage::Store::open(dir.sub("node") + "/store",
                                              remora::storage::OpenMode::kReadOnly, options);
    REQUIRE(store.is_ok());
    auto record = (*store)->read_commit(applied + 1);
    REQUIRE(record.is_ok());
    auto body = remora::executor::decode_commit_body(record->body);
    REQUIRE(body.is_ok());
    std::vector<remora::common::Digest> in_commit;
    for (const auto& committed : body->transactions) {
        in_commit.push_back(remora::executor::transaction_digest(committed.transaction));
    }
    CHECK(in_commit == (*marker)->tx_digests);
}
#endif
