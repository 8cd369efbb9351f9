#include "tools/node/node_flags.h"

#include "executor/protocol/primary.h"

#include <limits>
#include <sstream>

#include "node/log.h"

namespace remora::tools::node {
namespace {

using common::Status;
using remora::node::NodeConfig;
using remora::node::Role;

Status bad_value(const std::string& allowed, const std::string& text) {
    return cli::usage_error("must be " + allowed + ", got '" + text + "'");
}

// An integer key in min..max (the field's type bounds max).
template <typename Field>
NodeFlag number(std::string name, std::uint64_t min, std::uint64_t max, std::string unit,
                std::string help, std::string change, Field field) {
    using T = std::remove_reference_t<decltype(field(std::declval<NodeConfig&>()))>;
    max = std::min<std::uint64_t>(max, std::numeric_limits<T>::max());
    std::string allowed = std::to_string(min) + ".." + std::to_string(max);
    NodeFlag flag;
    flag.spec = {std::move(name), cli::ArgKind::kUnsigned, "N", std::move(help)};
    flag.type = ValueType::kInteger;
    flag.allowed = allowed;
    flag.unit = std::move(unit);
    flag.change = std::move(change);
    flag.apply = [min, max, allowed, field](NodeConfig& config, const std::string& text) {
        auto value = cli::parse_unsigned(text);
        if (!value || *value < min || *value > max) {
            return bad_value("a whole number in " + allowed, text);
        }
        field(config) = static_cast<T>(*value);
        return Status::ok();
    };
    flag.get = [field](const NodeConfig& config) -> std::optional<std::string> {
        return std::to_string(field(const_cast<NodeConfig&>(config)));
    };
    return flag;
}

// A text key; `check` (optional) refuses values beyond the kind's own check.
template <typename Field>
NodeFlag text(std::string name, cli::ArgKind kind, std::string value_name, std::string help,
              std::string change, Field field,
              const std::function<Status(const std::string&)>& check = nullptr,
              std::string allowed = "") {
    if (allowed.empty()) {
        allowed =
            kind == cli::ArgKind::kHostPort ? "HOST:PORT with PORT in 1..65535" : "non-empty text";
    }
    NodeFlag flag;
    flag.spec = {std::move(name), kind, std::move(value_name), std::move(help)};
    flag.type = ValueType::kString;
    flag.allowed = allowed;
    flag.change = std::move(change);
    flag.apply = [kind, allowed, check, field](NodeConfig& config, const std::string& value) {
        if (value.empty() || (kind == cli::ArgKind::kHostPort && !cli::parse_host_port(value))) {
            return bad_value(allowed, value);
        }
        if (check) REMORA_RETURN_IF_ERROR(check(value));
        field(config) = value;
        return Status::ok();
    };
    flag.get = [field](const NodeConfig& config) -> std::optional<std::string> {
        const std::string& value = field(const_cast<NodeConfig&>(config));
        if (value.empty()) return std::nullopt;
        return value;
    };
    return flag;
}

NodeFlag boolean(std::string name, std::string help, std::string change,
                 const std::function<bool&(NodeConfig&)>& field) {
    NodeFlag flag;
    flag.spec = {std::move(name), cli::ArgKind::kText, "on|off", std::move(help)};
    flag.type = ValueType::kBool;
    flag.allowed = "on | off (true | false in the file)";
    flag.change = std::move(change);
    flag.apply = [allowed = flag.allowed, field](NodeConfig& config, const std::string& value) {
        if (value != "on" && value != "off") return bad_value(allowed, value);
        field(config) = value == "on";
        return Status::ok();
    };
    flag.get = [field](const NodeConfig& config) -> std::optional<std::string> {
        return field(const_cast<NodeConfig&>(config)) ? "on" : "off";
    };
    return flag;
}

Status one_of(const std::string& value, std::initializer_list<const char*> choices) {
    std::string allowed;
    for (const char* choice : choices) {
        if (value == choice) return Status::ok();
        allowed += (allowed.empty() ? "" : " | ") + std::string(choice);
    }
    return bad_value(allowed, value);
}

constexpr const char* kYes = "yes";

// The flags in table order (docs/configuration.md lists them in this order), in two parts to
// keep each function short: the node's identity and links, then its services.
void add_identity_and_link_flags(std::vector<NodeFlag>& flags) {
    {
        NodeFlag role;
        role.spec = {"node.role", cli::ArgKind::kText, "ROLE", "primary or pre-executor"};
        role.allowed = "primary | pre-executor";
        role.change = "no: a directory holds one role's data";
        role.apply = [](NodeConfig& config, const std::string& value) {
            REMORA_RETURN_IF_ERROR(one_of(value, {"primary", "pre-executor"}));
            config.role = value == "primary" ? Role::kPrimary : Role::kPreExecutor;
            return Status::ok();
        };
        role.get = [](const NodeConfig& config) -> std::optional<std::string> {
            return config.role == Role::kPrimary ? "primary" : "pre-executor";
        };
        flags.push_back(std::move(role));
    }
    flags.push_back(text("node.dir", cli::ArgKind::kPath, "DIR",
                         "the node's directory: its store, node.json, node-stats.json",
                         "no: another directory is another store (an empty one starts over)",
                         [](NodeConfig& c) -> std::string& { return c.dir; }));
    flags.push_back(number("node.id", 1, UINT32_MAX, "", "pre-executor id",
                           "no: the primary knows a pre-executor by its id (and its credential "
                           "pre-executor-ID)",
                           [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.id; }));
    flags.back().get = [](const NodeConfig& c) -> std::optional<std::string> {
        if (c.pre_executor.id == 0) return std::nullopt;  // a primary has none
        return std::to_string(c.pre_executor.id);
    };
    flags.push_back(text("net.listen", cli::ArgKind::kText, "IP", "address both ports bind", kYes,
                         [](NodeConfig& c) -> std::string& { return c.net.listen; }));
    flags.push_back(number("net.cluster_port", 0, 65535, "",
                           "primary: cluster port (0: any free one, see node.json)",
                           "yes (pre-executors must be told the new port)",
                           [](NodeConfig& c) -> std::uint16_t& { return c.net.cluster_port; }));
    flags.push_back(number("net.ingress_port", 0, 65535, "",
                           "primary: client port (0: any free one)",
                           "yes (clients must be told the new port)",
                           [](NodeConfig& c) -> std::uint16_t& { return c.net.ingress_port; }));
    flags.push_back(text("net.primary", cli::ArgKind::kHostPort, "HOST:PORT",
                         "pre-executor: the primary's cluster port", kYes,
                         [](NodeConfig& c) -> std::string& { return c.net.primary; }));
    flags.push_back(number("net.io_threads", 1, 64, "threads", "threads running the sockets", kYes,
                           [](NodeConfig& c) -> std::uint32_t& { return c.net.io_threads; }));
    flags.push_back(
        number("net.handshake_timeout_ms", 1, UINT32_MAX, "ms", "connect + TLS handshake bound",
               kYes, [](NodeConfig& c) -> std::uint32_t& { return c.net.handshake_timeout_ms; }));
    flags.push_back(number("net.idle_timeout_ms", 100, UINT32_MAX, "ms",
                           "a connection silent this long closes (> cluster.heartbeat_ms)", kYes,
                           [](NodeConfig& c) -> std::uint32_t& { return c.net.idle_timeout_ms; }));
    flags.push_back(number("net.coalesce_us", 0, 1'000'000, "us",
                           "cluster links: how long a frame waits for others to share its write "
                           "(0: written at once)",
                           kYes,
                           [](NodeConfig& c) -> std::uint32_t& { return c.net.coalesce_us; }));
    flags.push_back(
        number("net.ingress_read_delay_us", 0, 1'000'000, "us",
               "primary: how long a client connection's reader waits before its next read, so that "
               "submissions share a read (0: at once; below net.idle_timeout_ms)",
               kYes, [](NodeConfig& c) -> std::uint32_t& { return c.net.ingress_read_delay_us; }));
    flags.push_back(number(
        "net.max_client_connections", 1, 1'000'000, "connections",
        "primary: client connections open at once; one more is closed as it is accepted (logged, "
        "counted in remora_ingress_connections_refused_total)",
        kYes, [](NodeConfig& c) -> std::uint32_t& { return c.net.max_client_connections; }));
}

void add_balancer_flags(std::vector<NodeFlag>& flags) {
    flags.push_back(text(
        "balancer.routing", cli::ArgKind::kText, "MODE",
        "primary: route by the in-flight placement of a transaction's objects (contention), by "
        "its first shared input or sender (affinity), or in turn (round-robin)",
        kYes, [](NodeConfig& c) -> std::string& { return c.balancer.routing; },
        [](const std::string& value) {
            return one_of(value, {"contention", "affinity", "round-robin"});
        },
        "contention | affinity | round-robin"));
    flags.push_back(boolean("balancer.rebalance",
                            "primary, contention routing: move a hot group off a pre-executor "
                            "that took over 1.25 times its share of the last routes",
                            kYes, [](NodeConfig& c) -> bool& { return c.balancer.rebalance; }));
    flags.push_back(
        number("balancer.rebalance_window", 1, UINT32_MAX, "routes",
               "primary: the routes balancer.rebalance compares shares over", kYes,
               [](NodeConfig& c) -> std::uint32_t& { return c.balancer.rebalance_window; }));
    flags.push_back(
        number("balancer.overload_slack", 0, UINT64_MAX, "transactions",
               "primary: a pre-executor is overloaded past 2 x the mean outstanding + this (0: "
               "half the consensus delay's worth at 64 us each, at least 64)",
               kYes, [](NodeConfig& c) -> std::uint64_t& { return c.balancer.overload_slack; }));
}

void add_service_flags(std::vector<NodeFlag>& flags) {
    flags.push_back(text("tls.dir", cli::ArgKind::kPath, "DIR",
                         "cluster credentials (remora-node keygen or init)",
                         "yes (with credentials signed by the same cluster CA)",
                         [](NodeConfig& c) -> std::string& { return c.tls.dir; }));
    flags.push_back(text("tls.name", cli::ArgKind::kText, "NAME",
                         "this node's credential name (default: primary / pre-executor-ID)",
                         "yes (a pre-executor's must stay pre-executor-ID)",
                         [](NodeConfig& c) -> std::string& { return c.tls.name; }));
    flags.push_back(number("cluster.heartbeat_ms", 1, UINT32_MAX, "ms",
                           "heartbeat period on cluster links", kYes,
                           [](NodeConfig& c) -> std::uint32_t& { return c.cluster.heartbeat_ms; }));
    flags.push_back(
        number("cluster.peer_timeout_ms", 2, UINT32_MAX, "ms",
               "a peer silent this long is gone (> cluster.heartbeat_ms)", kYes,
               [](NodeConfig& c) -> std::uint32_t& { return c.cluster.peer_timeout_ms; }));
    flags.push_back(number("sequencer.batch_txs", 1, 100'000, "transactions",
                           "cut a batch at this many transactions", kYes,
                           [](NodeConfig& c) -> std::uint32_t& { return c.sequencer.batch_txs; }));
    flags.push_back(number(
        "sequencer.batch_timeout_ms", 1, UINT32_MAX, "ms", "... or this long after its first", kYes,
        [](NodeConfig& c) -> std::uint32_t& { return c.sequencer.batch_timeout_ms; }));
    flags.push_back(
        number("sequencer.consensus_delay_ms", 0, UINT32_MAX, "ms",
               "from a cut batch to its ordered commit", kYes,
               [](NodeConfig& c) -> std::uint32_t& { return c.sequencer.consensus_delay_ms; }));
    flags.push_back(boolean(
        "sequencer.tentative_order",
        "send each batch's order to the pre-executors when it is cut (they re-execute in it)", kYes,
        [](NodeConfig& c) -> bool& { return c.sequencer.tentative_order; }));
    flags.push_back(number("primary.late_wait_ms", 0, UINT32_MAX, "ms",
                           "wait for missing results before re-executing", kYes,
                           [](NodeConfig& c) -> std::uint32_t& { return c.primary.late_wait_ms; }));
    flags.push_back(
        number("primary.pending_txs_max", 1, UINT64_MAX, "transactions",
               "admitted, uncommitted transactions", kYes,
               [](NodeConfig& c) -> std::uint64_t& { return c.primary.pending_txs_max; }));
    flags.push_back(
        boolean("primary.sync", "fsync every commit and every ordered batch",
                "yes, but while off a power failure loses the last commits and ordered batches",
                [](NodeConfig& c) -> bool& { return c.primary.sync; }));
    flags.push_back(
        number("primary.summaries_cached", 0, UINT64_MAX, "summaries",
               "recent summaries kept for duplicates", kYes,
               [](NodeConfig& c) -> std::uint64_t& { return c.primary.summaries_cached; }));
    flags.push_back(text(
        "primary.routed_updates", cli::ArgKind::kText, "MODE",
        "push committed objects to their next reader: off, affinity, broadcast", kYes,
        [](NodeConfig& c) -> std::string& { return c.primary.routed_updates; },
        [](const std::string& value) {
            return executor::protocol::parse_routed_updates(value)
                       ? common::Status::ok()
                       : cli::usage_error("must be off, affinity or broadcast");
        },
        "off|affinity|broadcast"));
    flags.push_back(number(
        "primary.reexec_threads", 1, 64, "threads",
        "threads re-executing a commit's misses (speculated in parallel, validated in order)", kYes,
        [](NodeConfig& c) -> std::uint32_t& { return c.primary.reexec_threads; }));
    flags.push_back(
        boolean("primary.relay_results",
                "send each successful result on to the other pre-executors (peer forwarding)", kYes,
                [](NodeConfig& c) -> bool& { return c.primary.relay_results; }));
    add_balancer_flags(flags);
    flags.push_back(
        number("snapshot.every_commits", 0, UINT64_MAX, "commits",
               "primary: take a snapshot every N commits (0: off; SIGUSR1 takes one at any time)",
               kYes, [](NodeConfig& c) -> std::uint64_t& { return c.snapshot.every_commits; }));
    flags.push_back(number("snapshot.keep", 1, UINT32_MAX, "snapshots",
                           "primary: keep the newest N snapshots, remove older ones",
                           "yes (a lower value removes the oldest at the next snapshot)",
                           [](NodeConfig& c) -> std::uint32_t& { return c.snapshot.keep; }));
    flags.push_back(text("snapshot.dir", cli::ArgKind::kPath, "DIR",
                         "primary: where snapshots go (default: DIR/store/snapshots)",
                         "yes (snapshots in the old directory are no longer counted or removed)",
                         [](NodeConfig& c) -> std::string& { return c.snapshot.dir; }));
    flags.push_back(
        boolean("snapshot.prune",
                "primary: after each snapshot, prune object versions behind the "
                "oldest kept snapshot",
                "yes, but pruned versions are gone: older commits can no longer be read",
                [](NodeConfig& c) -> bool& { return c.snapshot.prune; }));
    flags.push_back(number(
        "pre_executor.verify_threads", 0, 64, "threads", "authenticator-checking threads", kYes,
        [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.verify_threads; }));
    flags.push_back(number(
        "pre_executor.exec_threads", 0, 64, "threads",
        "threads that execute each batch of queued transactions (speculated in parallel, results "
        "taken in arrival order; with pre_executor.hold, a transaction that waits for an input "
        "leaves its batch); 1: one at a time; 0: the machine's cores, at most 8",
        kYes, [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.exec_threads; }));
    flags.push_back(
        number("pre_executor.reconnect_ms", 1, UINT32_MAX, "ms", "retry period towards the primary",
               kYes, [](NodeConfig& c) -> std::uint32_t& { return c.pre_executor.reconnect_ms; }));
    flags.push_back(boolean("pre_executor.hold",
                            "hold a transaction whose owned input another pre-executor produces "
                            "until it arrives (relayed or by a state update)",
                            kYes, [](NodeConfig& c) -> bool& { return c.pre_executor.hold; }));
    flags.push_back(
        boolean("pre_executor.peer_links",
                "forward each successful result's effects straight to the other pre-executors over "
                "mutual-TLS peer links (the primary relays none between two that take them)",
                "yes (the primary relays to and from a pre-executor without them)",
                [](NodeConfig& c) -> bool& { return c.pre_executor.peer_links; }));
    flags.push_back(
        number("pre_executor.peer_port", 0, 65535, "",
               "the peer-link port on net.listen (0: any free one, see node.json)", kYes,
               [](NodeConfig& c) -> std::uint16_t& { return c.pre_executor.peer_port; }));
    flags.push_back(boolean("metrics.enabled", "serve /metrics, /health and /ready over HTTP", kYes,
                            [](NodeConfig& c) -> bool& { return c.metrics.enabled; }));
    flags.push_back(number("metrics.port", 0, 65535, "",
                           "the HTTP port on net.listen (0: any free one, see node.json)",
                           "yes (scrapers must be told the new port)",
                           [](NodeConfig& c) -> std::uint16_t& { return c.metrics.port; }));
    flags.push_back(text("workload.name", cli::ArgKind::kText, "W",
                         "primary: genesis of a new store (transfer, counter, nft, amm, compute, "
                         "mixed, random, trace:FILE)",
                         "yes: only a new store reads it (its genesis)",
                         [](NodeConfig& c) -> std::string& { return c.workload.name; }));
    flags.push_back(number("workload.seed", 0, UINT64_MAX, "", "primary: genesis seed",
                           "yes: only a new store reads it",
                           [](NodeConfig& c) -> std::uint64_t& { return c.workload.seed; }));
    flags.push_back(number("workload.accounts", 0, UINT32_MAX, "accounts",
                           "primary: genesis accounts", "yes: only a new store reads it",
                           [](NodeConfig& c) -> std::uint32_t& { return c.workload.accounts; }));
    flags.push_back(text(
        "log.level", cli::ArgKind::kText, "LEVELS",
        "LEVEL or COMPONENT=LEVEL,... (components: node, primary, pre-executor; levels: debug, "
        "info, warn, error, off)",
        kYes, [](NodeConfig& c) -> std::string& { return c.log.level; },
        [](const std::string& value) { return remora::node::parse_log_levels(value).status(); },
        "LEVEL or COMPONENT=LEVEL,..."));
    flags.push_back(text(
        "log.format", cli::ArgKind::kText, "FORMAT",
        "text (one line per event) or json (one JSON object per line)", kYes,
        [](NodeConfig& c) -> std::string& { return c.log.format; },
        [](const std::string& value) {
            return one_of(value, {"text", "json"});
        },
        "text | json"));
}

std::vector<NodeFlag> make_flags() {
    std::vector<NodeFlag> flags;
    add_identity_and_link_flags(flags);
    add_service_flags(flags);
    // The defaults shown in help and docs are the ones a NodeConfig starts with.
    const NodeConfig defaults;
    for (NodeFlag& flag : flags) {
        if (flag.spec.name == "tls.name") continue;  // derived from the role, said in its help
        flag.spec.default_text = flag.get(defaults).value_or("");
        if (flag.spec.name == "node.role") flag.spec.default_text = "";  // required
    }
    return flags;
}

}  // namespace

const std::vector<NodeFlag>& node_flags() {
    static const std::vector<NodeFlag> flags = make_flags();
    return flags;
}

const NodeFlag* find_node_flag(const std::string& name) {
    for (const NodeFlag& flag : node_flags()) {
        if (flag.spec.name == name) return &flag;
    }
    return nullptr;
}

std::vector<std::string> node_sections() {
    std::vector<std::string> sections;
    for (const NodeFlag& flag : node_flags()) {
        if (sections.empty() || sections.back() != flag.section())
            sections.push_back(flag.section());
    }
    return sections;
}

void add_config_options(cli::CommandSpec& spec) {
    spec.options.push_back(
        {"config", cli::ArgKind::kPath, "FILE",
         "the TOML configuration (docs/configuration.md); flags override its keys"});
    for (const NodeFlag& flag : node_flags()) spec.options.push_back(flag.spec);
}

}  // namespace remora::tools::node
