// Peer links (docs/node.md, "Peer links"): pre-executors forward their results' effects to each
// other directly, over mutual-TLS links whose addresses the primary's membership gives (wire
// version 5), and the primary relays none between them. Real remora-node processes on loopback.

#include <csignal>
#include <cstdio>

#include <catch2/catch.hpp>

#include "net/message_codec.h"
#include "node/config.h"
#include "node/node_files.h"
#include "tests/node/node_cluster.h"
#include "tests/support/temp_dir.h"

namespace remora::testing {
namespace {

using namespace std::chrono_literals;

std::string pre_dir(const TestCluster& cluster, std::uint32_t id) {
    return cluster.dir() + "/pre-executor-" + std::to_string(id);
}

nlohmann::json pre_stats(const TestCluster& cluster, std::uint32_t id) {
    auto stats = node::read_json_file(node::node_stats_path(pre_dir(cluster, id)));
    REQUIRE(stats.is_ok());
    return *stats;
}

std::uint16_t peer_port_of(const TestCluster& cluster, std::uint32_t id) {
    auto info = node::read_json_file(node::node_info_path(pre_dir(cluster, id)));
    REQUIRE(info.is_ok());
    return (*info)["peer_port"].template get<std::uint16_t>();
}

std::string link_up(std::uint32_t id) {
    return "peer link with pre-executor " + std::to_string(id) + " up";
}

// Waits until pre-executors 1..n have a link with each other (each end logs it).
void wait_for_mesh(TestCluster& cluster, std::uint32_t n) {
    for (std::uint32_t a = 1; a <= n; ++a) {
        for (std::uint32_t b = 1; b <= n; ++b) {
            if (a == b) continue;
            const std::string name = "pre-executor-" + std::to_string(a);
            INFO(name << " has no link with " << b << ":\n" << cluster.log_of(name));
            REQUIRE(cluster.wait_for_log(name, link_up(b), 20s));
        }
    }
}

// Counters on round-robin routing: most transactions read what the other wrote last, so every
// forward matters.
void start(TestCluster& cluster, std::uint32_t n, const std::vector<std::string>& pre_extra = {}) {
    cluster.start_primary({"--workload.name", "counter", "--balancer.routing", "round-robin",
                           "--sequencer.consensus_delay_ms", "200"});
    for (std::uint32_t id = 1; id <= n; ++id) cluster.start_pre_executor(id, pre_extra);
    for (std::uint32_t id = 1; id <= n; ++id) cluster.wait_joined(id);
}

void run_counters(TestCluster& cluster, double rate, double seconds, std::uint64_t skip = 0) {
    node::LoadConfig config = load(cluster, rate, seconds, skip);
    config.workload.name = "counter";
    auto report = node::run_load(config);
    REQUIRE(report.is_ok());
    check_all_committed(*report);
}

struct Forwarding {
    std::uint64_t relayed = 0;    // by the primary
    std::uint64_t forwarded = 0;  // over peer links, all pre-executors
    std::uint64_t applied = 0;    // taken from peer links, all pre-executors
    std::uint64_t relays_applied = 0;
};

Forwarding stop_all(TestCluster& cluster, std::uint32_t n) {
    REQUIRE(cluster.stop_primary() == 0);
    for (std::uint32_t id = 1; id <= n; ++id) REQUIRE(cluster.stop_pre_executor(id) == 0);
    check_replay_matches(cluster);
    Forwarding f;
    f.relayed = cluster.primary_stats()["results_relayed"].get<std::uint64_t>();
    for (std::uint32_t id = 1; id <= n; ++id) {
        const nlohmann::json stats = pre_stats(cluster, id);
        f.forwarded += stats["results_forwarded"].get<std::uint64_t>();
        f.applied += stats["forwarded_results_applied"].get<std::uint64_t>();
        f.relays_applied += stats["relayed_results"].get<std::uint64_t>();
        CHECK(stats["forwarded_results_refused"].get<std::uint64_t>() == 0);
    }
    return f;
}

common::Bytes hello_as(std::uint32_t id, std::uint32_t version = net::kWireProtocolVersion) {
    net::Hello hello;
    hello.role = net::NodeRole::kPreExecutor;
    hello.node_id = id;
    hello.protocol_version = version;
    return net::encode_hello(hello);
}

// The connection is closed by the pre-executor, and its log says why after byte `from`.
void check_refused(TestCluster& cluster, TestClient& client, std::uint32_t at,
                   const std::string& reason, std::size_t from) {
    CHECK(client.closed_within(10s));
    const std::string name = "pre-executor-" + std::to_string(at);
    INFO(cluster.log_of(name));
    CHECK_THAT(cluster.log_line_with(name, reason, 5s, from), Catch::Contains(reason));
}

}  // namespace

TEST_CASE("results are forwarded over direct peer links and the primary relays none",
          "[node][integration]") {
    TestCluster cluster("node-peer");
    start(cluster, 3);
    wait_for_mesh(cluster, 3);
    run_counters(cluster, 300, 3);
    // The pre-executors' /metrics say the same (docs/metrics.md).
    for (std::uint32_t id = 1; id <= 3; ++id) {
        const node::HttpAnswer scrape = http_get(
            metrics_port_of(cluster.dir() + "/pre-executor-" + std::to_string(id)), "/metrics");
        REQUIRE(scrape.status == 200);
        INFO("pre-executor " << id << ":\n" << scrape.body);
        CHECK(sample(scrape.body, "remora_pre_executor_peer_links") == 2);
        CHECK(sample(scrape.body, "remora_pre_executor_peer_links_opened_total") >= 2);
        CHECK(sample(scrape.body, "remora_pre_executor_forwards_sent_total") > 0);
        CHECK(sample(scrape.body,
                     "remora_pre_executor_forwards_received_total{result=\"applied\"}") > 0);
        CHECK(sample(scrape.body,
                     "remora_pre_executor_forwards_received_total{result=\"refused\"}") == 0);
    }
    const Forwarding direct = stop_all(cluster, 3);
    INFO("forwarded " << direct.forwarded << ", applied " << direct.applied);
    CHECK(direct.relayed == 0);
    CHECK(direct.relays_applied == 0);
    CHECK(direct.forwarded > 0);
    CHECK(direct.applied > 0);
    // Each successful result goes to both others: at most as many applied as sent.
    CHECK(direct.applied <= direct.forwarded);

    // pre_executor.peer_links off: the primary relays as before.
    TestCluster relay("node-peer-off");
    start(relay, 2, {"--pre_executor.peer_links", "off"});
    run_counters(relay, 300, 2);
    const Forwarding relayed = stop_all(relay, 2);
    CHECK(relayed.forwarded == 0);
    CHECK(relayed.relayed > 0);
    CHECK(relayed.relays_applied > 0);
}

TEST_CASE("a pre-executor killed and restarted rejoins the peer links", "[node][integration]") {
    TestCluster cluster("node-peer-restart");
    start(cluster, 2);
    wait_for_mesh(cluster, 2);
    const std::uint16_t first_port = peer_port_of(cluster, 2);
    cluster.pre_executor(2).signal(SIGKILL);
    REQUIRE(cluster.pre_executor(2).wait_for(10s).has_value());
    // Pre-executor 1 learns from the primary's membership that 2 left.
    {
        INFO(cluster.log_of("pre-executor-1"));
        CHECK(cluster.wait_for_log("pre-executor-1", "peer link with pre-executor 2 closed", 20s));
    }
    std::remove(node::node_info_path(pre_dir(cluster, 2)).c_str());
    cluster.start_pre_executor(2);
    cluster.wait_joined(2);
    {
        INFO(cluster.log_of("pre-executor-1"));
        REQUIRE(cluster.wait_for_log("pre-executor-1", link_up(2), 20s, 2));
    }
    REQUIRE(cluster.wait_for_log("pre-executor-2", link_up(1), 20s));
    CHECK(peer_port_of(cluster, 2) != first_port);  // a new port: the membership moved it
    run_counters(cluster, 300, 2);
    const Forwarding f = stop_all(cluster, 2);
    CHECK(f.relayed == 0);
    // The restarted one's counters are its own run's: it sent and took forwards after the
    // restart.
    const nlohmann::json second = pre_stats(cluster, 2);
    CHECK(second["results_forwarded"].get<std::uint64_t>() > 0);
    CHECK(second["forwarded_results_applied"].get<std::uint64_t>() > 0);
}

// SIGSTOP keeps pre-executor 2's sockets open: only the primary's membership, which drops it
// once it is silent past cluster.peer_timeout_ms, closes pre-executor 1's link to it
// (pre-executor 1's own silence bound is set far beyond the test).
TEST_CASE(
    "a pre-executor the membership drops has its peer link closed, and relinked when it "
    "rejoins",
    "[node][integration]") {
    TestCluster cluster("node-peer-drop");
    cluster.start_primary({"--workload.name", "counter"});
    cluster.start_pre_executor(
        1, {"--cluster.peer_timeout_ms", "600000", "--net.idle_timeout_ms", "600000"});
    cluster.start_pre_executor(2);
    cluster.wait_joined(1);
    cluster.wait_joined(2);
    wait_for_mesh(cluster, 2);
    cluster.pre_executor(2).signal(SIGSTOP);
    {
        INFO(cluster.log_of("pre-executor-1") << cluster.log_of("primary"));
        CHECK(cluster.wait_for_log("pre-executor-1",
                                   "closing the peer link with pre-executor 2: the membership no "
                                   "longer lists it",
                                   20s));
    }
    cluster.pre_executor(2).signal(SIGCONT);
    {
        INFO(cluster.log_of("pre-executor-1") << cluster.log_of("pre-executor-2"));
        CHECK(cluster.wait_for_log("pre-executor-1", link_up(2), 30s, 2));
    }
    run_counters(cluster, 200, 2);
    const Forwarding f = stop_all(cluster, 2);
    CHECK(f.relayed == 0);
    CHECK(f.applied > 0);
}

TEST_CASE(
    "a peer link with wrong credentials, a wrong claimed id or an old version is refused, and "
    "garbage closes only its connection",
    "[node][integration]") {
    TestCluster cluster("node-peer-bad");
    start(cluster, 2);
    wait_for_mesh(cluster, 2);
    // Pre-executor 2 accepts (the lower id dials).
    const std::uint16_t port = peer_port_of(cluster, 2);
    std::size_t from = 0;  // the log's size before each case's connection
    const auto files = [&](const std::string& name) {
        return net::cluster_files(cluster.tls_dir(), name);
    };
    {
        from = cluster.log_of("pre-executor-2").size();
        INFO("plain TCP garbage instead of a TLS handshake");
        TestClient client(port, false);
        client.send_raw(common::Bytes(300, '\x5a'));
        CHECK(client.closed_within(10s));
        CHECK_FALSE(cluster.log_line_with("pre-executor-2", "peer link refused", 5s, from).empty());
    }
    {
        from = cluster.log_of("pre-executor-2").size();
        INFO("a certificate of another cluster's CA");
        TempDir other("node-peer-other-ca");
        const std::vector<std::string> names{"pre-executor-1"};
        REQUIRE(net::write_cluster_credentials(other.path().string(), names, std::chrono::hours(1))
                    .is_ok());
        net::TlsFiles foreign = net::cluster_files(other.path().string(), "pre-executor-1");
        foreign.ca_cert =
            files("pre-executor-1").ca_cert;  // it trusts the cluster: only it is refused
        TestClient client(port, foreign);
        client.send_frame(net::MessageType::kHello, hello_as(1));
        check_refused(cluster, client, 2, "certificate", from);
    }
    {
        from = cluster.log_of("pre-executor-2").size();
        INFO("pre-executor-3's certificate claiming id 1");
        TestClient client(port, files("pre-executor-3"));
        REQUIRE(client.handshake_status().is_ok());
        client.send_frame(net::MessageType::kHello, hello_as(1));
        check_refused(cluster, client, 2, "may not speak as pre-executor 1", from);
    }
    {
        from = cluster.log_of("pre-executor-2").size();
        INFO("an id the membership does not list");
        TestClient client(port, files("pre-executor-3"));
        client.send_frame(net::MessageType::kHello, hello_as(3));
        check_refused(cluster, client, 2, "membership does not list", from);
    }
    {
        from = cluster.log_of("pre-executor-2").size();
        INFO("a peer of wire version 4");
        TestClient client(port, files("pre-executor-1"));
        client.send_frame(net::MessageType::kHello, hello_as(1, 4));
        check_refused(cluster, client, 2, "peer links need wire protocol 5", from);
    }
    {
        from = cluster.log_of("pre-executor-2").size();
        INFO("garbage after a valid TLS handshake");
        TestClient client(port, files("pre-executor-1"));
        client.send_raw(common::Bytes(300, '\x5a'));
        check_refused(cluster, client, 2, "refused", from);
    }
    // The real link was never touched, and everything keeps serving.
    const std::string pre2 = cluster.log_of("pre-executor-2");
    std::size_t ups = 0;
    for (auto at = pre2.find(link_up(1)); at != std::string::npos;
         at = pre2.find(link_up(1), at + 1))
        ++ups;
    CHECK(ups == 1);
    run_counters(cluster, 300, 2);
    const Forwarding f = stop_all(cluster, 2);
    CHECK(f.relayed == 0);
    CHECK(f.applied > 0);
    CHECK(pre_stats(cluster, 2)["peer_links_refused"].get<std::uint64_t>() >= 6);
}

// The dialler may learn the membership before the pre-executor it dials: a hello naming an id
// not listed yet waits (up to net.handshake_timeout_ms) for the membership that lists it.
TEST_CASE("a peer hello that comes before the membership listing its id is let in once it does",
          "[node][integration]") {
    TestCluster cluster("node-peer-early");
    cluster.start_primary({"--workload.name", "counter"});
    cluster.start_pre_executor(3, {"--net.handshake_timeout_ms", "60000"});
    cluster.wait_joined(3);
    // Pre-executor 1's credentials, before pre-executor 1 exists: held, not refused.
    TestClient early(peer_port_of(cluster, 3),
                     net::cluster_files(cluster.tls_dir(), "pre-executor-1"));
    REQUIRE(early.handshake_status().is_ok());
    early.send_frame(net::MessageType::kHello, hello_as(1));
    CHECK_FALSE(early.next_frame(1s).has_value());
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    // The membership that lists 1 lets the held hello in: pre-executor 3 answers it.
    auto reply = early.next_frame(10s);
    REQUIRE(reply.has_value());
    CHECK(reply->type == net::wire_type(net::MessageType::kHello));
    INFO(cluster.log_of("pre-executor-3"));
    CHECK(cluster.wait_for_log("pre-executor-3", link_up(1), 10s));
    CHECK(cluster.stop_primary() == 0);
}

}  // namespace remora::testing
