#include "node/config.h"

#include <algorithm>
#include <thread>

#include "executor/protocol/primary.h"
#include "recovery/snapshot.h"

namespace remora::node {

using common::Code;
using common::Status;

namespace {

Status bad(const std::string& message) { return {Code::kInvalidArgument, message}; }

}  // namespace

std::uint32_t effective_exec_threads(const PreExecutorNodeConfig& config) {
    if (config.exec_threads != 0) return config.exec_threads;
    return std::clamp<std::uint32_t>(std::thread::hardware_concurrency(), 1, kExecThreadsAuto);
}

Status validate_node_config(const NodeConfig& config) {
    if (config.dir.empty()) return bad("--node.dir is required");
    if (config.net.io_threads < 1 || config.net.io_threads > 64) {
        return bad("--net.io_threads must be in 1..64");
    }
    if (config.net.handshake_timeout_ms == 0) return bad("--net.handshake_timeout_ms must be > 0");
    if (config.net.idle_timeout_ms < 100) return bad("--net.idle_timeout_ms must be >= 100");
    if (config.net.coalesce_us > 1'000'000) return bad("--net.coalesce_us must be in 0..1000000");
    if (config.net.ingress_read_delay_us > 1'000'000) {
        return bad("--net.ingress_read_delay_us must be in 0..1000000");
    }
    if (std::uint64_t{config.net.ingress_read_delay_us} >=
        std::uint64_t{config.net.idle_timeout_ms} * 1000) {
        return bad("--net.ingress_read_delay_us must be below --net.idle_timeout_ms");
    }
    if (config.cluster.heartbeat_ms == 0) return bad("--cluster.heartbeat_ms must be > 0");
    if (config.cluster.peer_timeout_ms <= config.cluster.heartbeat_ms) {
        return bad("--cluster.peer_timeout_ms must exceed --cluster.heartbeat_ms");
    }
    if (config.net.idle_timeout_ms <= config.cluster.heartbeat_ms) {
        return bad("--net.idle_timeout_ms must exceed --cluster.heartbeat_ms");
    }
    if (config.role == Role::kPrimary) {
        if (config.sequencer.batch_txs < 1 || config.sequencer.batch_txs > 100'000) {
            return bad("--sequencer.batch_txs must be in 1..100000");
        }
        if (config.sequencer.batch_timeout_ms == 0) {
            return bad("--sequencer.batch_timeout_ms must be > 0");
        }
        if (!executor::protocol::parse_routed_updates(config.primary.routed_updates)) {
            return bad("--primary.routed_updates must be off, affinity or broadcast");
        }
        if (!parse_routing_mode(config.balancer.routing)) {
            return bad("--balancer.routing must be contention, affinity or round-robin");
        }
        if (config.balancer.rebalance_window == 0) {
            return bad("--balancer.rebalance_window must be > 0");
        }
        if (config.primary.reexec_threads < 1 || config.primary.reexec_threads > 64) {
            return bad("--primary.reexec_threads must be in 1..64");
        }
        if (config.primary.pending_txs_max == 0) {
            return bad("--primary.pending_txs_max must be > 0");
        }
        if (config.snapshot.keep == 0) return bad("--snapshot.keep must be >= 1");
        REMORA_RETURN_IF_ERROR(executor::workload::validate_workload_config(config.workload));
    } else {
        if (config.pre_executor.id == 0) return bad("--node.id must be >= 1 for a pre-executor");
        if (config.net.primary.empty()) return bad("--net.primary HOST:PORT is required");
        if (config.pre_executor.verify_threads > 64) {
            return bad("--pre_executor.verify_threads must be in 0..64");
        }
        if (config.pre_executor.exec_threads > 64) {
            return bad("--pre_executor.exec_threads must be in 0..64");
        }
        if (config.pre_executor.reconnect_ms == 0)
            return bad("--pre_executor.reconnect_ms must be > 0");
    }
    return Status::ok();
}

std::optional<executor::protocol::RoutingMode> parse_routing_mode(const std::string& text) {
    using executor::protocol::RoutingMode;
    if (text == "contention") return RoutingMode::kContention;
    if (text == "affinity") return RoutingMode::kAffinity;
    if (text == "round-robin") return RoutingMode::kRoundRobin;
    return std::nullopt;
}

executor::protocol::LoadBalancerOptions balancer_options(const NodeConfig& config) {
    // A simple transaction's pre-execution: 6,000 gas at the 10.6 ns per gas the simulation's
    // clock is calibrated with (docs/simulation.md, "The clock").
    constexpr std::uint64_t kTypicalTxUs = 64;
    executor::protocol::LoadBalancerOptions options;
    options.mode = parse_routing_mode(config.balancer.routing)
                       .value_or(executor::protocol::RoutingMode::kContention);
    // Deadline-aware: an owner is overloaded only when its backlog would pass half the
    // consensus delay; a fixed small slack splits hot groups long before any deadline
    // (docs/remora_protocol.md, "Convergence").
    options.overload_slack =
        config.balancer.overload_slack != 0
            ? config.balancer.overload_slack
            : std::max<std::uint64_t>(
                  options.overload_slack,
                  std::uint64_t{config.sequencer.consensus_delay_ms} * 1000 / 2 / kTypicalTxUs);
    if (config.balancer.rebalance) options.rebalance_window = config.balancer.rebalance_window;
    return options;
}

std::string node_info_path(const std::string& dir) { return dir + "/node.json"; }
std::string node_stats_path(const std::string& dir) { return dir + "/node-stats.json"; }
std::string clean_shutdown_path(const std::string& dir) { return dir + "/clean-shutdown"; }
std::string snapshot_dir_of(const NodeConfig& config) {
    return config.snapshot.dir.empty() ? recovery::snapshots_dir(config.dir + "/store")
                                       : config.snapshot.dir;
}

}  // namespace remora::node
