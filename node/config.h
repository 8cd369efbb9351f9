#pragma once
// What a node is told at start (docs/configuration.md). Every field is one key of the TOML
// configuration and the `--section.key` flag of the same name (tools/node/node_flags.cpp holds
// the one table of them, with ranges, units and defaults).

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "executor/protocol/load_balancer.h"
#include "executor/workload/workload.h"

namespace remora::node {

struct NetConfig {
    std::string listen = "127.0.0.1";  // net.listen: the address both ports bind
    std::uint16_t cluster_port = 0;    // net.cluster_port: 0 picks a free port (see node.json)
    std::uint16_t ingress_port = 0;    // net.ingress_port (primary only)
    std::string primary;               // net.primary: HOST:PORT of the primary's cluster port
    std::uint32_t io_threads = 2;      // net.io_threads: threads running the sockets, 1..64
    std::uint32_t handshake_timeout_ms = 5000;  // net.handshake_timeout_ms
    std::uint32_t idle_timeout_ms = 30'000;     // net.idle_timeout_ms: a silent connection closes
    // net.coalesce_us: on cluster links, how long a frame waits for others before a write
    // starts on an idle connection (net::SessionOptions::coalesce_delay); 0 writes at once.
    std::uint32_t coalesce_us = 1000;
    // net.ingress_read_delay_us: on the primary's client connections, how long the reader waits
    // after a read before the next (net::SessionOptions::read_delay), so that submissions
    // arriving meanwhile share one wake-up and one read; 0 (the default) reads at once. It
    // saves system calls when other timers wake the engine anyway (pre-executors' links) and
    // adds wake-ups when nothing else does (docs/BENCHMARKS.md).
    std::uint32_t ingress_read_delay_us = 0;
    // net.max_client_connections: client connections the primary keeps open at once; one more
    // is accepted and closed at once (logged, counted), so a crowd of clients cannot take every
    // descriptor and the memory of their buffers. 1..1000000.
    std::uint32_t max_client_connections = 4096;
};

struct TlsConfig {
    std::string dir;   // tls.dir: the credentials remora-node keygen wrote
    std::string name;  // tls.name: this node's credential name ("primary", "pre-executor-1")
};

struct ClusterConfig {
    std::uint32_t heartbeat_ms = 500;      // cluster.heartbeat_ms
    std::uint32_t peer_timeout_ms = 2000;  // cluster.peer_timeout_ms: silent this long = gone
};

struct SequencerConfig {
    std::uint32_t batch_txs = 1000;  // sequencer.batch_txs: cut a batch at this size
    std::uint32_t batch_timeout_ms =
        20;  // sequencer.batch_timeout_ms: ... or this long after its first
    std::uint32_t consensus_delay_ms = 50;  // sequencer.consensus_delay_ms: cut -> ordered
    // sequencer.tentative_order: send each batch's order to the pre-executors when it is cut
    // (docs/remora_protocol.md, "Convergence: the tentative order").
    bool tentative_order = true;
};

struct PrimaryConfig {
    std::uint32_t late_wait_ms = 20;             // primary.late_wait_ms: wait for missing results
    std::uint64_t pending_txs_max = 200'000;     // primary.pending_txs_max: admitted, not committed
    bool sync = true;                            // primary.sync: fsync every commit
    std::uint64_t summaries_cached = 1'000'000;  // primary.summaries_cached: for duplicates
    // primary.routed_updates: off | affinity | broadcast (docs/remora_protocol.md)
    std::string routed_updates = "affinity";
    // primary.reexec_threads: threads re-executing a commit's misses (docs/remora_protocol.md).
    // 1: on 2 cores a second thread gains only where most transactions miss (docs/BENCHMARKS.md,
    // "Parallel re-execution of misses"), and the pass that picks the misses costs every commit.
    std::uint32_t reexec_threads = 1;
    // primary.relay_results: send each successful result on to the other pre-executors
    // (peer forwarding through the primary, docs/remora_protocol.md, "Convergence").
    bool relay_results = true;
};

// How the primary routes transactions to pre-executors (executor/protocol/load_balancer.h,
// docs/remora_protocol.md, "The load balancer" and "Contention-following routing").
struct BalancerConfig {
    // balancer.routing: contention | affinity | round-robin
    std::string routing = "contention";
    // balancer.rebalance: with contention routing, move hot groups off a pre-executor that took
    // more than 1.25 times its share of the last balancer.rebalance_window routes.
    bool rebalance = false;
    std::uint32_t rebalance_window = 1024;  // balancer.rebalance_window: routes
    // balancer.overload_slack: an owner is overloaded past 2 x mean + this many outstanding
    // transactions; 0: deadline-aware, half the consensus delay's worth of typical transactions.
    std::uint64_t overload_slack = 0;
};

// The primary's snapshot policy (docs/node.md, "Snapshots").
struct SnapshotConfig {
    std::uint64_t every_commits = 0;  // snapshot.every_commits: take one every N commits; 0: off
    std::uint32_t keep = 2;           // snapshot.keep: the newest N are kept, older ones removed
    std::string dir;                  // snapshot.dir: "" = DIR/store/snapshots
    bool prune = false;  // snapshot.prune: prune object versions behind the oldest kept one
};

// pre_executor.exec_threads 0 uses the machine's cores, at most this many.
inline constexpr std::uint32_t kExecThreadsAuto = 8;

struct PreExecutorNodeConfig {
    std::uint32_t id = 0;              // node.id: 1.. (pre-executor only)
    std::uint32_t verify_threads = 2;  // pre_executor.verify_threads: authenticator checks
    std::uint32_t reconnect_ms = 500;  // pre_executor.reconnect_ms: retry period to the primary
    // pre_executor.exec_threads: threads that execute a batch of the transactions queued since
    // the engine's last turn (speculated in parallel, taken in arrival order:
    // PreExecutor::execute_or_hold_batch, which holds as `hold` says); 1 executes them one at
    // a time; 0: the machine's cores, at most kExecThreadsAuto.
    std::uint32_t exec_threads = 0;
    // pre_executor.hold: hold a transaction whose owned input another pre-executor is producing
    // until its relayed result or a state update brings it (PreExecutor::execute_or_hold).
    bool hold = true;
    // pre_executor.peer_links: forward each successful result's effects straight to the other
    // pre-executors over peer links (docs/node.md, "Peer links"); the primary relays none
    // between two pre-executors that both take them. Off: the primary relays
    // (primary.relay_results).
    bool peer_links = true;
    std::uint16_t peer_port = 0;  // pre_executor.peer_port: on net.listen; 0 picks a free one
};

struct LogConfig {
    std::string level = "info";   // log.level: LEVEL or COMPONENT=LEVEL,... (node/log.h)
    std::string format = "text";  // log.format: text | json
};

struct MetricsConfig {
    bool enabled = true;     // metrics.enabled: serve /metrics, /health, /ready
    std::uint16_t port = 0;  // metrics.port: on net.listen; 0 picks one (see node.json)
};

enum class Role : std::uint8_t { kPrimary, kPreExecutor };

struct NodeConfig {
    Role role = Role::kPrimary;  // node.role: primary | pre-executor
    std::string dir;             // node.dir: the node's directory (store, node.json, stats)
    NetConfig net;
    TlsConfig tls;
    ClusterConfig cluster;
    SequencerConfig sequencer;
    PrimaryConfig primary;
    BalancerConfig balancer;
    SnapshotConfig snapshot;
    PreExecutorNodeConfig pre_executor;
    MetricsConfig metrics;
    LogConfig log;
    // workload.*: the genesis a new primary store is created with (ignored once it exists).
    executor::workload::WorkloadConfig workload;
};

// kInvalidArgument naming the first flag outside its range or missing for the role.
common::Status validate_node_config(const NodeConfig& config);

// pre_executor.exec_threads as the node uses it: 0 is the machine's cores, at most
// kExecThreadsAuto.
std::uint32_t effective_exec_threads(const PreExecutorNodeConfig& config);

// balancer.routing's values: "contention", "affinity", "round-robin"; nullopt for another.
std::optional<executor::protocol::RoutingMode> parse_routing_mode(const std::string& text);
// The primary's load balancer options from balancer.* (and, for the deadline-aware overload
// slack, sequencer.consensus_delay_ms).
executor::protocol::LoadBalancerOptions balancer_options(const NodeConfig& config);

// The file a running node writes once it listens: DIR/node.json with its role, pid and ports.
std::string node_info_path(const std::string& dir);
// The file a node writes when it stops cleanly: DIR/node-stats.json (counters, CPU time).
std::string node_stats_path(const std::string& dir);
// The marker a primary writes when it stopped cleanly (every admitted transaction committed, the
// store closed): DIR/clean-shutdown. Removed at start, so its absence at the next start means the
// last run ended otherwise (crash, kill, power loss: recovery made the store consistent).
std::string clean_shutdown_path(const std::string& dir);
// Where a primary keeps its policy's snapshots: snapshot.dir, else DIR/store/snapshots (the
// store's own snapshot directory, which remora-inspect snapshot list and prune read).
std::string snapshot_dir_of(const NodeConfig& config);

}  // namespace remora::node
