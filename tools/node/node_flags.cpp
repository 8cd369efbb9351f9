#include "tools/node/node_flags.h"

#include <limits>

namespace remora::tools::node {
namespace {

using remora::node::NodeConfig;
using remora::node::Role;
using common::Status;

template <typename T>
Status to_unsigned(const std::string& name, const std::string& text, T& out) {
    auto value = cli::parse_unsigned(text);
    if (!value || *value > std::numeric_limits<T>::max()) {
        return cli::usage_error("--" + name + " must be a whole number up to " +
                                std::to_string(std::numeric_limits<T>::max()) + ", got '" + text +
                                "'");
    }
    out = static_cast<T>(*value);
    return Status::ok();
}

template <typename Field>
NodeFlag number(std::string name, std::string help, std::string default_text, Field field) {
    cli::OptionSpec spec{name, cli::ArgKind::kUnsigned, "N", std::move(help), false,
                         std::move(default_text)};
    return {spec, [name, field](NodeConfig& config, const std::string& text) {
                return to_unsigned(name, text, field(config));
            }};
}

template <typename Field>
NodeFlag text(std::string name, cli::ArgKind kind, std::string value_name, std::string help,
              std::string default_text, Field field) {
    cli::OptionSpec spec{name, kind, std::move(value_name), std::move(help), false,
                         std::move(default_text)};
    return {spec, [field](NodeConfig& config, const std::string& value) {
                field(config) = value;
                return Status::ok();
            }};
}

NodeFlag boolean(std::string name, std::string help, std::string default_text,
                 std::function<bool&(NodeConfig&)> field) {
    cli::OptionSpec spec{name, cli::ArgKind::kText, "on|off", std::move(help), false,
                         std::move(default_text)};
    return {spec, [name, field](NodeConfig& config, const std::string& value) {
                if (value != "on" && value != "off") {
                    return cli::usage_error("--" + name + " must be on or off, got '" + value + "'");
                }
                field(config) = value == "on";
                return Status::ok();
            }};
}

std::vector<NodeFlag> make_flags() {
    std::vector<NodeFlag> flags;
    flags.push_back({{"node.role", cli::ArgKind::kText, "ROLE", "primary or pre-executor", true},
                     [](NodeConfig& config, const std::string& value) {
                         if (value == "primary") {
                             config.role = Role::kPrimary;
                         } else if (value == "pre-executor") {
                             config.role = Role::kPreExecutor;
                         } else {
                             return cli::usage_error(
                                 "--node.role must be primary or pre-executor, got '" + value + "'");
                         }
                         return Status::ok();
                     }});
    flags.push_back(text("node.dir", cli::ArgKind::kPath, "DIR",
                         "the node's directory: its store, node.json, node-stats.json", "",
                         [](NodeConfig& c) -> std::string& { return c.dir; }));
    flags.push_back(number("node.id", "pre-executor id, 1..", "",
                           [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.id; }));
    flags.push_back(text("net.listen", cli::ArgKind::kText, "IP", "address both ports bind",
                         "127.0.0.1", [](NodeConfig& c) -> std::string& { return c.net.listen; }));
    flags.push_back(number("net.cluster_port", "primary: cluster port (0: any free one, see node.json)",
                           "0", [](NodeConfig& c) -> std::uint16_t& { return c.net.cluster_port; }));
    flags.push_back(number("net.ingress_port", "primary: client port (0: any free one)", "0",
                           [](NodeConfig& c) -> std::uint16_t& { return c.net.ingress_port; }));
    flags.push_back(text("net.primary", cli::ArgKind::kHostPort, "HOST:PORT",
                         "pre-executor: the primary's cluster port", "",
                         [](NodeConfig& c) -> std::string& { return c.net.primary; }));
    flags.push_back(number("net.io_threads", "threads running the sockets", "2",
                           [](NodeConfig& c) -> std::uint32_t& { return c.net.io_threads; }));
    flags.push_back(number("net.handshake_timeout_ms", "connect + TLS handshake bound", "5000",
                           [](NodeConfig& c) -> std::uint32_t& { return c.net.handshake_timeout_ms; }));
    flags.push_back(number("net.idle_timeout_ms", "a connection silent this long closes", "30000",
                           [](NodeConfig& c) -> std::uint32_t& { return c.net.idle_timeout_ms; }));
    flags.push_back(text("tls.dir", cli::ArgKind::kPath, "DIR",
                         "cluster credentials (remora-node keygen)", "",
                         [](NodeConfig& c) -> std::string& { return c.tls.dir; }));
    flags.push_back(text("tls.name", cli::ArgKind::kText, "NAME",
                         "this node's credential name", "primary / pre-executor-ID",
                         [](NodeConfig& c) -> std::string& { return c.tls.name; }));
    flags.push_back(number("cluster.heartbeat_ms", "heartbeat period on cluster links", "500",
                           [](NodeConfig& c) -> std::uint32_t& { return c.cluster.heartbeat_ms; }));
    flags.push_back(number("cluster.peer_timeout_ms", "a peer silent this long is gone", "2000",
                           [](NodeConfig& c) -> std::uint32_t& { return c.cluster.peer_timeout_ms; }));
    flags.push_back(number("sequencer.batch_txs", "cut a batch at this many transactions", "1000",
                           [](NodeConfig& c) -> std::uint32_t& { return c.sequencer.batch_txs; }));
    flags.push_back(number("sequencer.batch_timeout_ms", "... or this long after its first", "20",
                           [](NodeConfig& c) -> std::uint32_t& { return c.sequencer.batch_timeout_ms; }));
    flags.push_back(number("sequencer.consensus_delay_ms", "from a cut batch to its ordered commit",
                           "50", [](NodeConfig& c) -> std::uint32_t& {
                               return c.sequencer.consensus_delay_ms;
                           }));
    flags.push_back(number("primary.late_wait_ms", "wait for missing results before re-executing",
                           "20", [](NodeConfig& c) -> std::uint32_t& { return c.primary.late_wait_ms; }));
    flags.push_back(number("primary.pending_txs_max", "admitted, uncommitted transactions", "200000",
                           [](NodeConfig& c) -> std::uint64_t& { return c.primary.pending_txs_max; }));
    flags.push_back(boolean("primary.sync", "fsync every commit", "on",
                            [](NodeConfig& c) -> bool& { return c.primary.sync; }));
    flags.push_back(number("primary.summaries_cached", "recent summaries kept for duplicates",
                           "1000000", [](NodeConfig& c) -> std::uint64_t& {
                               return c.primary.summaries_cached;
                           }));
    flags.push_back(number("pre_executor.verify_threads", "authenticator-checking threads", "2",
                           [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.verify_threads; }));
    flags.push_back(number("pre_executor.reconnect_ms", "retry period towards the primary", "500",
                           [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.reconnect_ms; }));
    flags.push_back(boolean("metrics.enabled", "serve /metrics, /health and /ready over HTTP",
                            "on", [](NodeConfig& c) -> bool& { return c.metrics.enabled; }));
    flags.push_back(number("metrics.port", "the HTTP port on net.listen (0: any free one, see node.json)",
                           "0", [](NodeConfig& c) -> std::uint16_t& { return c.metrics.port; }));
    flags.push_back(text("workload.name", cli::ArgKind::kText, "W",
                         "primary: genesis of a new store (transfer, counter, nft, amm, compute, "
                         "mixed, random, trace:FILE)",
                         "transfer", [](NodeConfig& c) -> std::string& { return c.workload.name; }));
    flags.push_back(number("workload.seed", "primary: genesis seed", "1",
                           [](NodeConfig& c) -> std::uint64_t& { return c.workload.seed; }));
    flags.push_back(number("workload.accounts", "primary: genesis accounts", "1000",
                           [](NodeConfig& c) -> std::uint32_t& { return c.workload.accounts; }));
    return flags;
}

}  // namespace

const std::vector<NodeFlag>& node_flags() {
    static const std::vector<NodeFlag> flags = make_flags();
    return flags;
}

Status apply_node_flags(const cli::Invocation& invocation, NodeConfig& config) {
    for (const NodeFlag& flag : node_flags()) {
        if (auto value = invocation.text_option(flag.spec.name)) {
            REMORA_RETURN_IF_ERROR(flag.apply(config, *value));
        }
    }
    if (config.tls.name.empty()) {
        config.tls.name = config.role == remora::node::Role::kPrimary
                              ? "primary"
                              : "pre-executor-" + std::to_string(config.pre_executor.id);
    }
    return Status::ok();
}

}  // namespace remora::tools::node
