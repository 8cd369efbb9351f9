// The node as its users run it (issue 10): real remora-node processes on loopback with mutual
// TLS, a client submitting transactions, and the events a long-lived cluster goes through — a
// pre-executor killed, joining, leaving or falling silent, the primary stopped and restarted.
// After each, every submitted transaction has its summary and the primary's store replays to
// the same digest with the sequential reference.

#include <catch2/catch.hpp>

#include <csignal>
#include <future>
#include <thread>

#include "executor/tx/anoma_codec.h"
#include "executor/tx/transaction_codec.h"
#include "executor/workload/workload.h"
#include "node/load_generator.h"
#include "tests/node/node_cluster.h"

namespace remora::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE(
    "clients get one summary per transaction, adopted from pre-executors, and the store "
    "replays to the same digest",
    "[node][integration]") {
    TestCluster cluster("node-e2e");
    // The Remora prototype's consensus delay: pre-executors that share two cores with the rest
    // of the test suite still answer before their batch is applied (at 50 ms, under a loaded
    // suite, 1,798 of 2,000 were adopted once).
    cluster.start_primary({"--sequencer.consensus_delay_ms", "300"});
    cluster.start_pre_executor(1);
    cluster.start_pre_executor(2);
    CHECK(cluster.wait_joined(1) == 1);
    CHECK(cluster.wait_joined(2) == 1);
    auto report = node::run_load(load(cluster, 1000, 2));
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    CHECK(report->succeeded == report->offered);
    REQUIRE(cluster.stop_primary() == 0);
    const nlohmann::json stats = cluster.primary_stats();
    CHECK(stats["transactions"] == report->offered);
    // Transfers routed by owner never conflict across pre-executors: all are adopted.
    CHECK(stats["adopted"].get<std::uint64_t>() >= report->offered * 95 / 100);
    check_replay_matches(cluster);
}

TEST_CASE("a duplicate submission gets the original summary, never a second execution",
          "[node][integration]") {
    TestCluster cluster("node-dup");
    cluster.start_primary();
    executor::workload::WorkloadConfig config;
    config.accounts = 200;
    auto workload = executor::workload::make_workload(config);
    REQUIRE(workload.is_ok());
    const executor::Transaction tx = (*workload)->next()->tx;
    const common::Bytes body = executor::encode_transaction(tx);

    auto summary_of = [](TestClient& client) {
        auto frame = client.next_frame();
        REQUIRE(frame.has_value());
        REQUIRE(frame->type == static_cast<std::uint16_t>(net::MessageType::kExecutionSummary));
        auto summary = executor::decode_anoma_message_as<executor::ExecutionSummary>(frame->body);
        REQUIRE(summary.is_ok());
        return *summary;
    };
    TestClient first(cluster.ingress_port());
    first.send_frame(net::MessageType::kSubmitTransaction, body);
    first.send_frame(net::MessageType::kSubmitTransaction, body);  // while it is pending
    const executor::ExecutionSummary original = summary_of(first);
    CHECK(original.status.is_success());
    CHECK(summary_of(first) == original);
    TestClient second(cluster.ingress_port());  // after it committed: from memory
    second.send_frame(net::MessageType::kSubmitTransaction, body);
    CHECK(summary_of(second) == original);

    // After a restart the summary comes from the store's transaction index.
    REQUIRE(cluster.stop_primary() == 0);
    cluster.start_primary();
    TestClient third(cluster.ingress_port());
    third.send_frame(net::MessageType::kSubmitTransaction, body);
    CHECK(summary_of(third) == original);
    REQUIRE(cluster.stop_primary() == 0);
    // This run executed nothing: the commit rules ruled the resubmission out.
    const nlohmann::json stats = cluster.primary_stats();
    CHECK(stats["adopted"] == 0);
    CHECK(stats["reexecuted"] == 0);
    CHECK(stats["ruled_out"] == 1);
    CHECK(stats["duplicates"] == 1);
    check_replay_matches(cluster);
}

TEST_CASE("a pre-executor killed mid-run: the primary keeps committing and the digest matches",
          "[node][integration]") {
    TestCluster cluster("node-kill");
    cluster.start_primary({"--cluster.peer_timeout_ms", "1000", "--cluster.heartbeat_ms", "200"});
    cluster.start_pre_executor(1);
    cluster.start_pre_executor(2);
    cluster.wait_joined(1);
    cluster.wait_joined(2);
    auto running =
        std::async(std::launch::async, [&] { return node::run_load(load(cluster, 800, 4)); });
    std::this_thread::sleep_for(1500ms);
    cluster.pre_executor(2).signal(SIGKILL);
    CHECK(cluster.wait_for_log("primary", "pre-executor 2 left", 5s));
    auto report = running.get();
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.stop_primary() == 0);
    check_replay_matches(cluster);
}

TEST_CASE("a pre-executor joins mid-run from the primary's snapshot and a pre-executor leaves",
          "[node][integration]") {
    TestCluster cluster("node-join");
    cluster.start_primary();
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    auto running =
        std::async(std::launch::async, [&] { return node::run_load(load(cluster, 800, 5)); });
    std::this_thread::sleep_for(1500ms);
    cluster.start_pre_executor(2);
    const std::uint64_t joined_at = cluster.wait_joined(2, 30s);
    CHECK(joined_at > 1);  // a snapshot of a commit under load, not genesis
    CHECK(cluster.wait_for_log("pre-executor-2", "verified and restored", 1s));
    std::this_thread::sleep_for(1000ms);
    CHECK(cluster.stop_pre_executor(1) == 0);  // leaves cleanly, mid-run
    CHECK(cluster.wait_for_log("primary", "pre-executor 1 left", 5s));
    auto report = running.get();
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    CHECK(cluster.stop_pre_executor(2) == 0);
    REQUIRE(cluster.stop_primary() == 0);
    CHECK(cluster.primary_stats()["snapshots_served"] == 2);
    check_replay_matches(cluster);
}

TEST_CASE("a silent pre-executor is removed within the peer timeout and rejoins when it wakes",
          "[node][integration]") {
    TestCluster cluster("node-silent");
    cluster.start_primary({"--cluster.peer_timeout_ms", "2000"});
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    // node.json says joined once the pre-executor has sent its join; stopping it before the
    // primary has read that join would leave one "joined" line, not the two counted below.
    REQUIRE(cluster.wait_for_log("primary", "pre-executor 1 joined at commit 1", 20s));
    cluster.pre_executor(1).signal(SIGSTOP);
    const auto stopped = std::chrono::steady_clock::now();
    REQUIRE(cluster.wait_for_log("primary", "pre-executor 1 silent", 4s));
    const auto noticed = std::chrono::steady_clock::now() - stopped;
    CHECK(noticed < 3s);  // 2 s timeout + one heartbeat period, with slack for a busy machine
    cluster.pre_executor(1).signal(SIGCONT);
    // It reconnects and rejoins where it was caught up (no second snapshot).
    const bool rejoined =
        cluster.wait_for_log("primary", "pre-executor 1 joined at commit 1", 20s, 2);
    INFO("primary:\n"
         << cluster.log_of("primary") << "pre-executor:\n"
         << cluster.log_of("pre-executor-1"));
    CHECK(rejoined);
    auto report = node::run_load(load(cluster, 500, 1));
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.stop_primary() == 0);
    CHECK(cluster.primary_stats()["snapshots_served"] == 1);
}

TEST_CASE("the primary stopped with SIGTERM commits what it admitted and restarts on its store",
          "[node][integration]") {
    TestCluster cluster("node-restart");
    cluster.start_primary({"--sequencer.consensus_delay_ms", "200"});
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    auto running =
        std::async(std::launch::async, [&] { return node::run_load(load(cluster, 500, 10)); });
    std::this_thread::sleep_for(2000ms);
    REQUIRE(cluster.stop_primary() == 0);  // mid-load: admitted transactions are committed first
    auto report = running.get();
    REQUIRE(report.is_ok());
    CHECK_FALSE(report->connection_error.empty());  // the node went away
    const nlohmann::json before = cluster.primary_stats();
    // Every transaction the node admitted was committed and answered before it closed.
    CHECK(before["admitted"] == report->summaries);
    CHECK(before["transactions"] == report->summaries);
    check_replay_matches(cluster);

    cluster.start_primary();  // on the same store
    CHECK(cluster.wait_for_log("pre-executor-1", "connected to the primary", 10s));
    // The stream goes on after the last committed transaction: those refused while the node
    // stopped are submitted again.
    auto more = node::run_load(load(cluster, 500, 1, report->summaries));
    REQUIRE(more.is_ok());
    check_all_committed(*more);
    CHECK(more->succeeded == more->offered);
    REQUIRE(cluster.stop_primary() == 0);
    const nlohmann::json after = cluster.primary_stats();
    CHECK(after["applied_commit"].get<std::uint64_t>() >
          before["applied_commit"].get<std::uint64_t>());
    check_replay_matches(cluster);
}

}  // namespace
}  // namespace remora::testing
