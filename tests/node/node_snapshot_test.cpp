// The primary's snapshot policy and --restore-from with real remora-node processes (docs/node.md,
// "Snapshots"): snapshots every K commits under load, only the newest N kept, each verifying;
// SIGUSR1 takes one on demand; a new primary restored from one serves at its digest; a corrupted
// snapshot and a non-empty store are refused before anything serves.

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "node/config.h"
#include "node/load_generator.h"
#include "node/node_files.h"
#include "recovery/snapshot.h"
#include "storage/store.h"
#include "tests/node/node_cluster.h"

namespace remora::testing {
namespace {

using namespace std::chrono_literals;

// A remora-node primary on `dir`, restored from `snapshot`; its log at `log`.
node::ChildProcess start_restored(TestCluster& cluster, const std::string& dir,
                                  const std::string& snapshot, const std::string& log) {
    auto child =
        node::ChildProcess::spawn({REMORA_NODE_PATH, "--node.role", "primary", "--node.dir", dir,
                                   "--tls.dir", cluster.tls_dir(), "--workload.accounts", "200",
                                   "--net.io_threads", "1", "--restore-from", snapshot},
                                  log, log);
    REQUIRE(child.is_ok());
    return std::move(child).value();
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Flips one byte in the middle of the largest file of the snapshot's checkpoint.
void corrupt(const recovery::SnapshotInfo& info) {
    const recovery::SnapshotFile* largest = &info.manifest.files.front();
    for (const recovery::SnapshotFile& file : info.manifest.files) {
        if (file.size_bytes > largest->size_bytes) largest = &file;
    }
    REQUIRE(largest->size_bytes > 0);
    const std::string path = info.path + "/" + recovery::kSnapshotDbDirName + "/" + largest->name;
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(file.good());
    const auto at = static_cast<std::streamoff>(largest->size_bytes / 2);
    file.seekg(at);
    const char byte = static_cast<char>(file.get());
    file.seekp(at);
    file.put(static_cast<char>(byte ^ 0x5a));
    REQUIRE(file.good());
}

}  // namespace

TEST_CASE(
    "a primary snapshots every K commits under load, keeps N, prunes behind them, and a "
    "new primary restored from one serves at its digest",
    "[node][integration][snapshot]") {
    TestCluster cluster("node-snapshot");
    cluster.start_primary({"--snapshot.every_commits", "3", "--snapshot.keep", "2",
                           "--snapshot.prune", "on", "--sequencer.batch_txs", "20"});
    auto report = node::run_load(load(cluster, 400, 3));
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    INFO(cluster.log_of("primary"));
    CHECK(cluster.wait_for_log("primary", "snapshot (every 3 commits) of commit", 30s, 3));
    // On demand: SIGUSR1 takes one at the next commit boundary.
    cluster.primary().signal(SIGUSR1);
    CHECK(cluster.wait_for_log("primary", "snapshot (asked for) of commit", 30s));
    REQUIRE(cluster.stop_primary() == 0);
    const nlohmann::json stats = cluster.primary_stats();
    CHECK(stats["snapshots_taken"].get<std::uint64_t>() >= 3);
    CHECK(stats["snapshots_failed"] == 0);

    const std::string dir = recovery::snapshots_dir(cluster.primary_dir() + "/store");
    auto listed = recovery::list_snapshots(dir);
    REQUIRE(listed.is_ok());
    REQUIRE(listed->size() == 2);  // only the newest snapshot.keep are left
    for (const recovery::SnapshotInfo& info : *listed) {
        auto verified = recovery::verify_snapshot(info.path);
        INFO(info.path << ": " << verified.status().message());
        CHECK(verified.is_ok());
    }
    CHECK(listed->back().manifest.commit_index == stats["applied_commit"].get<std::uint64_t>());
    {
        // snapshot.prune: the watermark moved to the oldest kept snapshot's safe one.
        auto store =
            storage::Store::open(cluster.primary_dir() + "/store", storage::OpenMode::kReadOnly);
        REQUIRE(store.is_ok());
        CHECK((*store)->status().retention_watermark > 0);
    }
    // The store still replays to the digest it has (commit records are never pruned).
    check_replay_matches(cluster);

    // A new primary from the older kept snapshot: verified, then it serves from that commit.
    const recovery::SnapshotInfo& older = listed->front();
    const std::string restored_dir = cluster.dir() + "/restored";
    const std::string log = cluster.dir() + "/restored.log";
    node::ChildProcess restored = start_restored(cluster, restored_dir, older.path, log);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::optional<nlohmann::json> info;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!restored.running()) FAIL("the restored primary exited:\n" << read_text(log));
        auto json = node::read_json_file(node::node_info_path(restored_dir));
        if (json.is_ok() && json->contains("ingress_port")) {
            info = *json;
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(info.has_value());
    CHECK((*info)["applied_commit"] == older.manifest.commit_index);
    CHECK(read_text(log).find("state digest " + older.manifest.state_digest.hex() + " verified") !=
          std::string::npos);
    REQUIRE(restored.stop(60s) == 0);
    auto restored_stats = node::read_json_file(node::node_stats_path(restored_dir));
    REQUIRE(restored_stats.is_ok());
    CHECK((*restored_stats)["applied_commit"] == older.manifest.commit_index);
    CHECK((*restored_stats)["state_digest"] == older.manifest.state_digest.hex());
}

TEST_CASE("a restore refuses a corrupted snapshot (exit 65) and a node that has a store (exit 2)",
          "[node][integration][snapshot]") {
    TestCluster cluster("node-snapshot-bad");
    cluster.start_primary({"--snapshot.every_commits", "2"});
    auto report = node::run_load(load(cluster, 200, 1));
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.wait_for_log("primary", "snapshot (every 2 commits) of commit", 30s));
    REQUIRE(cluster.stop_primary() == 0);
    auto listed =
        recovery::list_snapshots(recovery::snapshots_dir(cluster.primary_dir() + "/store"));
    REQUIRE(listed.is_ok());
    REQUIRE(!listed->empty());
    const recovery::SnapshotInfo good = listed->back();

    // A store is there already: refused before anything changes.
    {
        const std::string log = cluster.dir() + "/refused-store.log";
        node::ChildProcess child = start_restored(cluster, cluster.primary_dir(), good.path, log);
        const auto code = child.wait_for(60s);
        REQUIRE(code.has_value());
        INFO(read_text(log));
        CHECK(*code == 2);
        CHECK(read_text(log).find("not empty") != std::string::npos);
    }
    // A corrupted snapshot: refused with 65, and the new node's store is not created.
    corrupt(good);
    const std::string dir = cluster.dir() + "/from-corrupt";
    const std::string log = cluster.dir() + "/refused-corrupt.log";
    node::ChildProcess child = start_restored(cluster, dir, good.path, log);
    const auto code = child.wait_for(60s);
    REQUIRE(code.has_value());
    INFO(read_text(log));
    CHECK(*code == 65);
    CHECK(!node::read_json_file(node::node_info_path(dir)).is_ok());
    auto store = storage::Store::open(dir + "/store", storage::OpenMode::kReadOnly);
    CHECK(!store.is_ok());
}

}  // namespace remora::testing
