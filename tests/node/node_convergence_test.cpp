// Convergence in the real node (docs/remora_protocol.md, "Convergence: the tentative order"):
// the primary sends each batch's order to its pre-executors when the sequencer cuts it (wire
// version 4), they re-check their results in it and supersede those that state updates show
// to be stale, and the primary keeps the newest. Real remora-node processes on loopback.

#include <catch2/catch.hpp>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <thread>

#include "node/config.h"
#include "node/node_files.h"
#include "tests/node/node_cluster.h"

namespace remora::testing {
namespace {

nlohmann::json pre_executor_stats(const TestCluster& cluster, std::uint32_t id) {
    auto stats = node::read_json_file(
        node::node_stats_path(cluster.dir() + "/pre-executor-" + std::to_string(id)));
    REQUIRE(stats.is_ok());
    return *stats;
}

// `workload` at `rate` for `seconds`: every transaction committed, the nodes stopped cleanly, and
// the primary's store replays to its digest.
node::LoadReport run_then_replay(TestCluster& cluster, const std::string& workload, double rate,
                                 double seconds, std::initializer_list<std::uint32_t> ids) {
    node::LoadConfig config = load(cluster, rate, seconds);
    config.workload.name = workload;
    auto report = node::run_load(config);
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.stop_primary() == 0);
    for (std::uint32_t id : ids) REQUIRE(cluster.stop_pre_executor(id) == 0);
    check_replay_matches(cluster);
    return std::move(report).value();
}

// Round-robin routing over counters: nearly every transaction reads a counter that the other
// pre-executor wrote last, so results go stale; the catch-up updates that the misses trigger
// reveal the other's writes while later batches still wait out the consensus delay, and the
// results of those batches are re-checked in their order and superseded. The primary relays no
// results and the pre-executors keep no peer links: either would show each one the other's
// writes as soon as they are made, so that stale results, and with them the replays this test
// counts, came down to timing (none in two of three runs on a loaded 2-core machine).
struct Run {
    std::uint64_t orders_sent = 0;
    std::uint64_t orders_learnt = 0;
    std::uint64_t replays = 0;
    std::uint64_t adopted = 0;
};

Run run_counters(const std::string& tentative_order) {
    TestCluster cluster("node-conv");
    cluster.start_primary({"--workload.name", "counter", "--balancer.routing", "round-robin",
                           "--sequencer.consensus_delay_ms", "300", "--sequencer.tentative_order",
                           tentative_order, "--primary.relay_results", "off"});
    cluster.start_pre_executor(1, {"--pre_executor.peer_links", "off"});
    cluster.start_pre_executor(2, {"--pre_executor.peer_links", "off"});
    cluster.wait_joined(1);
    cluster.wait_joined(2);
    const node::LoadReport report = run_then_replay(cluster, "counter", 400, 3, {1, 2});
    const nlohmann::json stats = cluster.primary_stats();
    Run run;
    run.orders_sent = stats["tentative_orders_sent"].get<std::uint64_t>();
    run.adopted = stats["adopted"].get<std::uint64_t>();
    for (std::uint32_t id : {1u, 2u}) {
        const nlohmann::json pre = pre_executor_stats(cluster, id);
        run.orders_learnt += pre["orders"].get<std::uint64_t>();
        run.replays += pre["replays"].get<std::uint64_t>();
    }
    // Every order is learnt by both, one per commit and pre-executor.
    CHECK(run.orders_learnt == run.orders_sent);
    CHECK(stats["routing"]["routed"].get<std::uint64_t>() == report.offered);
    return run;
}

TEST_CASE(
    "pre-executors learn each batch's tentative order and supersede their stale results, and the "
    "store replays to the same digest",
    "[node][integration]") {
    const Run on = run_counters("on");
    CHECK(on.orders_sent > 0);
    CHECK(on.replays > 0);
    const Run off = run_counters("off");
    CHECK(off.orders_sent == 0);
    CHECK(off.replays == 0);
    INFO("adopted with orders " << on.adopted << ", without " << off.adopted);
    CHECK(on.adopted >= off.adopted);
}

TEST_CASE("balancer.routing and balancer.rebalance configure the primary's load balancer",
          "[node]") {
    node::NodeConfig config;
    config.dir = "unused";
    CHECK(node::balancer_options(config).mode == executor::protocol::RoutingMode::kContention);
    CHECK(node::balancer_options(config).rebalance_window == 0);
    // Deadline-aware slack: half of the default 50 ms at 64 us per transaction.
    CHECK(node::balancer_options(config).overload_slack == 390);
    config.sequencer.consensus_delay_ms = 1;
    CHECK(node::balancer_options(config).overload_slack == 64);
    config.balancer.overload_slack = 7;
    config.balancer.routing = "affinity";
    config.balancer.rebalance = true;
    const auto options = node::balancer_options(config);
    CHECK(options.mode == executor::protocol::RoutingMode::kAffinity);
    CHECK(options.overload_slack == 7);
    CHECK(options.rebalance_window == 1024);
    config.balancer.routing = "fastest";
    auto refused = node::validate_node_config(config);
    REQUIRE_FALSE(refused.is_ok());
    CHECK_THAT(refused.message(), Catch::Contains("--balancer.routing"));
}

// pre_executor.exec_threads > 1 (docs/remora_protocol.md, "Parallel execution in the
// pre-executor"): compute transactions (about 1.7 ms each) arrive faster than one thread
// executes them, so they queue and the engine takes them as batches, speculated on two threads.
// Its results are the ones execution in arrival order gives: the primary adopts them, and the
// store replays to the same digest.
TEST_CASE(
    "a pre-executor with exec_threads 2 executes batches, its results are adopted, and the "
    "store replays to the same digest",
    "[node][integration]") {
    TestCluster cluster("node-batch");
    cluster.start_primary({"--workload.name", "compute", "--sequencer.consensus_delay_ms", "300"});
    cluster.start_pre_executor(1, {"--pre_executor.exec_threads", "2"});
    cluster.wait_joined(1);
    run_then_replay(cluster, "compute", 800, 2, {1});
    const nlohmann::json pre = pre_executor_stats(cluster, 1);
    INFO(pre.dump());
    CHECK(pre["batches"].get<std::uint64_t>() > 0);
    CHECK(pre["batch_validated"].get<std::uint64_t>() > 0);
    CHECK(pre["error"] == "");
    CHECK(cluster.primary_stats()["adopted"].get<std::uint64_t>() > 0);
}

// pre_executor.hold beside exec_threads > 1 (PreExecutor::execute_or_hold_batch): round-robin
// routing over amm with 4 accounts at 800 tx/s sends a swap, every few milliseconds, to the
// pre-executor that did not create its coin a moment ago, so swaps wait for the other's forward
// instead of executing on the old coin; they are held and released by the batch path, their
// results are adopted, and the store replays to its digest.
TEST_CASE(
    "pre-executors with exec_threads 2 hold transactions whose coin the other is producing, and "
    "the store replays to the same digest",
    "[node][integration]") {
    TestCluster cluster("node-hold");
    cluster.start_primary({"--workload.name", "amm", "--workload.accounts", "4",
                           "--balancer.routing", "round-robin", "--sequencer.consensus_delay_ms",
                           "300"});
    for (std::uint32_t id : {1u, 2u}) {
        cluster.start_pre_executor(
            id, {"--pre_executor.exec_threads", "2", "--pre_executor.hold", "on"});
    }
    cluster.wait_joined(1);
    cluster.wait_joined(2);
    node::LoadConfig config = load(cluster, 800, 3);
    config.workload.name = "amm";
    config.workload.accounts = 4;
    auto report = node::run_load(config);
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.stop_primary() == 0);
    for (std::uint32_t id : {1u, 2u}) REQUIRE(cluster.stop_pre_executor(id) == 0);
    check_replay_matches(cluster);
    std::uint64_t held = 0;
    std::uint64_t released = 0;
    for (std::uint32_t id : {1u, 2u}) {
        const nlohmann::json pre = pre_executor_stats(cluster, id);
        INFO(pre.dump());
        CHECK(pre["error"] == "");
        held += pre["held"].get<std::uint64_t>();
        released += pre["released_ready"].get<std::uint64_t>() +
                    pre["released_unready"].get<std::uint64_t>();
    }
    CHECK(held > 0);
    CHECK(released > 0);
    CHECK(cluster.primary_stats()["adopted"].get<std::uint64_t>() > 0);
}

TEST_CASE("pre_executor.exec_threads is bounded, and holding is allowed beside it", "[node]") {
    node::NodeConfig config;
    config.role = node::Role::kPreExecutor;
    config.dir = "unused";
    config.pre_executor.id = 1;
    config.net.primary = "127.0.0.1:7000";
    config.pre_executor.exec_threads = 4;
    CHECK(node::validate_node_config(config).is_ok());
    config.pre_executor.hold = true;
    CHECK(node::validate_node_config(config).is_ok());
    CHECK(node::effective_exec_threads(config.pre_executor) == 4);
    config.pre_executor.exec_threads = 65;
    CHECK_FALSE(node::validate_node_config(config).is_ok());
    // 0, the default: the machine's cores (at most 8), with holding or without.
    config.pre_executor.exec_threads = 0;
    CHECK(node::validate_node_config(config).is_ok());
    CHECK(node::effective_exec_threads(config.pre_executor) >= 1);
    CHECK(node::effective_exec_threads(config.pre_executor) <= node::kExecThreadsAuto);
    config.pre_executor.hold = false;
    CHECK(
        node::effective_exec_threads(config.pre_executor) ==
        std::clamp<std::uint32_t>(std::thread::hardware_concurrency(), 1, node::kExecThreadsAuto));
}

}  // namespace
}  // namespace remora::testing
