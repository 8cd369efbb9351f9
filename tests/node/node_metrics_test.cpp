// The operations port of a running node (docs/metrics.md): /metrics in the Prometheus text
// format with the documented names and values that follow the load, /health, /ready with its
// lag bound, and clear answers to anything else. Every metric a node serves is documented, and
// every documented metric is served by one of the roles.

#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "node/http_server.h"
#include "node/load_generator.h"
#include "tests/node/node_cluster.h"
#include "tests/support/metrics_docs.h"

namespace remora::testing {
namespace {

using namespace std::chrono_literals;

// The metric families a scrape serves (from its "# TYPE name kind" lines).
std::set<std::string> families(const std::string& scrape) {
    std::set<std::string> names;
    std::istringstream lines(scrape);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) names.insert(line.substr(7, line.find(' ', 7) - 7));
    }
    return names;
}

TEST_CASE("a running node serves its documented metrics, health and readiness",
          "[node][metrics][integration]") {
    TestCluster cluster("node-metrics");
    cluster.start_primary();
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    const std::uint16_t primary_port = metrics_port_of(cluster.primary_dir());
    const std::uint16_t pre_port = metrics_port_of(cluster.dir() + "/pre-executor-1");

    node::LoadConfig load;
    load.port = cluster.ingress_port();
    load.workload.accounts = 200;
    load.rate = 300;
    load.duration_s = 1;
    auto report = node::run_load(load);
    REQUIRE(report.is_ok());
    REQUIRE(report->summaries == 300);

    const node::HttpAnswer primary = http_get(primary_port, "/metrics");
    REQUIRE(primary.status == 200);
    CHECK(sample(primary.body, "remora_primary_transactions_total") == 300);
    CHECK(sample(primary.body, "remora_ingress_admitted_total") == 300);
    CHECK(sample(primary.body, "remora_primary_adopted_total") +
              sample(primary.body, "remora_primary_reexecuted_total") ==
          300);
    CHECK(sample(primary.body, "remora_primary_pre_executors") == 1);
    CHECK(sample(primary.body, "remora_primary_commit_seconds_count") > 0);
    CHECK(sample(primary.body, "remora_primary_misses_total{cause=\"missing_result\"}") >= 0);
    CHECK(sample(primary.body, "remora_process_cpu_seconds_total") > 0);
    const node::HttpAnswer pre = http_get(pre_port, "/metrics");
    REQUIRE(pre.status == 200);
    CHECK(sample(pre.body, "remora_pre_executor_joined") == 1);
    CHECK(sample(pre.body, "remora_pre_executor_executed_total") > 0);

    // Documented both ways.
    const std::set<std::string> documented = documented_metrics();
    REQUIRE(documented.size() > 20);
    std::set<std::string> served = families(primary.body);
    for (const std::string& name : families(pre.body)) served.insert(name);
    for (const std::string& name : served) {
        INFO(name);
        CHECK(documented.count(name) == 1);
    }
    for (const std::string& name : documented) {
        INFO(name);
        CHECK(served.count(name) == 1);
    }

    for (std::uint16_t port : {primary_port, pre_port}) {
        CHECK(http_get(port, "/health").status == 200);
        CHECK(http_get(port, "/ready").status == 200);
        CHECK(http_get(port, "/ready?max_lag_ms=5000").status == 200);
        CHECK(http_get(port, "/ready?max_lag_ms=soon").status == 400);
        CHECK(http_get(port, "/elsewhere").status == 404);
    }
    // A pre-executor that lost its primary is not ready (and says why), though healthy.
    REQUIRE(cluster.stop_primary() == 0);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    node::HttpAnswer ready;
    while (std::chrono::steady_clock::now() < deadline) {
        ready = http_get(pre_port, "/ready");
        if (ready.status == 503) break;
        std::this_thread::sleep_for(50ms);
    }
    CHECK(ready.status == 503);
    CHECK_THAT(ready.body, Catch::Contains("not ready"));
    CHECK(http_get(pre_port, "/health").status == 200);
}

// `remora-node ARGS`, waited for; its exit code.
int run_node_tool(const TestCluster& cluster, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {REMORA_NODE_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child =
        node::ChildProcess::spawn(argv, cluster.dir() + "/tool.log", cluster.dir() + "/tool.log");
    REQUIRE(child.is_ok());
    const std::optional<int> code = child->wait_for(60s);
    REQUIRE(code.has_value());
    return *code;
}

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void replace_file(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to + ".new",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::rename(to + ".new", to);  // as an operator replaces credentials: whole
}

TEST_CASE("a node reloads renewed credentials on SIGHUP without a restart",
          "[node][metrics][tls][integration]") {
    TestCluster cluster("node-credentials");
    cluster.start_primary();
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    const std::uint16_t port = metrics_port_of(cluster.primary_dir());
    const std::string expiry = "remora_tls_certificate_expiry_timestamp_seconds";
    const std::string reloads_ok = "remora_tls_reloads_total{result=\"ok\"}";
    const std::string reloads_failed = "remora_tls_reloads_total{result=\"failed\"}";

    // The cluster's credentials are valid for an hour (TestCluster).
    const double first = scrape(port, expiry);
    CHECK(first > unix_now() + 3000);
    CHECK(first < unix_now() + 3700);
    CHECK(scrape(port, "remora_tls_ca_expiry_timestamp_seconds") > unix_now() + 3000);
    const double pre_expiry = scrape(metrics_port_of(cluster.dir() + "/pre-executor-1"), expiry);
    CHECK(pre_expiry > unix_now() + 3000);

    // Renewed for 30 days by keygen, then SIGHUP: the metric follows, the process is the same.
    REQUIRE(run_node_tool(cluster, {"keygen", "--dir", cluster.tls_dir(), "--names", "primary",
                                    "--days", "30", "--renew"}) == 0);
    const pid_t pid = cluster.primary().pid();
    cluster.primary().signal(SIGHUP);
    REQUIRE(cluster.wait_for_log("primary", "credentials reloaded", 10s));
    CHECK(cluster.primary().pid() == pid);
    CHECK(cluster.primary().running());
    const double renewed = scrape(port, expiry);
    CHECK(renewed > unix_now() + 29.0 * 86400);
    CHECK(renewed < unix_now() + 31.0 * 86400);
    CHECK(scrape(port, reloads_ok) == 1);
    CHECK(scrape(port, reloads_failed) == 0);
    // A new connection is made with the renewed certificate: a pre-executor joins.
    cluster.start_pre_executor(2);
    cluster.wait_joined(2);

    // A reload that fails keeps what the node has: a key that does not match its certificate.
    const net::TlsFiles primary_files = net::cluster_files(cluster.tls_dir(), "primary");
    replace_file(net::cluster_files(cluster.tls_dir(), "pre-executor-4").key, primary_files.key);
    cluster.primary().signal(SIGHUP);
    const std::string failure =
        cluster.log_line_with("primary", "reloading the credentials failed", 10s);
    CHECK_THAT(failure, Catch::Contains("the current ones stay in use"));
    CHECK_THAT(failure, Catch::Contains(primary_files.key));
    CHECK(scrape(port, reloads_failed) == 1);
    CHECK(scrape(port, expiry) == renewed);
    cluster.start_pre_executor(3);
    cluster.wait_joined(3);

    // A new cluster CA: once reloaded, a peer holding the old CA's credentials is refused, one
    // with the new CA's joins, and the pre-executors already connected stay.
    const std::string old_ca = cluster.dir() + "/old-ca";
    std::filesystem::create_directories(old_ca);
    for (const char* file : {"ca.pem", "pre-executor-4.pem", "pre-executor-4.key"}) {
        std::filesystem::copy_file(cluster.tls_dir() + "/" + file, old_ca + "/" + file);
    }
    const std::string new_ca = cluster.dir() + "/new-ca";
    REQUIRE(run_node_tool(cluster, {"keygen", "--dir", new_ca, "--names", "primary,pre-executor-4",
                                    "--days", "7"}) == 0);
    for (const char* file :
         {"primary.key", "primary.pem", "ca.pem", "pre-executor-4.pem", "pre-executor-4.key"}) {
        replace_file(new_ca + "/" + file, cluster.tls_dir() + "/" + file);
    }
    cluster.primary().signal(SIGHUP);
    REQUIRE(cluster.wait_for_log("primary", "credentials reloaded", 10s, 2));
    CHECK(scrape(port, reloads_ok) == 2);
    CHECK(scrape(port, expiry) < unix_now() + 8.0 * 86400);
    const double refused_before = scrape(port, "remora_cluster_links_refused_total");
    {
        TestClient old_peer(cluster.cluster_port(), net::cluster_files(old_ca, "pre-executor-4"));
        CHECK((!old_peer.handshake_status().is_ok() || old_peer.closed_within(10s)));
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (scrape(port, "remora_cluster_links_refused_total") == refused_before &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    CHECK(scrape(port, "remora_cluster_links_refused_total") > refused_before);
    cluster.start_pre_executor(4);
    cluster.wait_joined(4);
    // The pre-executor writes that it joined when it has caught up; the primary's gauge follows
    // on its own strand, so it may lag the file by a moment (seen under load: 3 == 4).
    const auto joined_deadline = std::chrono::steady_clock::now() + 10s;
    while (scrape(port, "remora_primary_pre_executors") != 4 &&
           std::chrono::steady_clock::now() < joined_deadline) {
        std::this_thread::sleep_for(50ms);
    }
    CHECK(scrape(port, "remora_primary_pre_executors") == 4);
}

}  // namespace
}  // namespace remora::testing
