// Convergence in the real node (docs/remora_protocol.md, "Convergence: the tentative order"):
// the primary sends each batch's order to its pre-executors when the sequencer cuts it (wire
// version 4), they re-check their results in it and supersede those that state updates show
// to be stale, and the primary keeps the newest. Real remora-node processes on loopback.

#include <catch2/catch.hpp>

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

// Round-robin routing over counters: nearly every transaction reads a counter that the other
// pre-executor wrote last, so results go stale; the catch-up updates that the misses trigger
// reveal the other's writes while later batches still wait out the consensus delay, and the
// results of those batches are re-checked in their order and superseded.
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
                           tentative_order});
    cluster.start_pre_executor(1);
    cluster.start_pre_executor(2);
    cluster.wait_joined(1);
    cluster.wait_joined(2);
    node::LoadConfig config = load(cluster, 400, 3);
    config.workload.name = "counter";
    auto report = node::run_load(config);
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.stop_primary() == 0);
    REQUIRE(cluster.stop_pre_executor(1) == 0);
    REQUIRE(cluster.stop_pre_executor(2) == 0);
    check_replay_matches(cluster);
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
    CHECK(stats["routing"]["routed"].get<std::uint64_t>() == report->offered);
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

}  // namespace
}  // namespace remora::testing
