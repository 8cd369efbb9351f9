// The operations port of a running node (docs/metrics.md): /metrics in the Prometheus text
// format with the documented names and values that follow the load, /health, /ready with its
// lag bound, and clear answers to anything else. Every metric a node serves is documented, and
// every documented metric is served by one of the roles.

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "node/http_server.h"
#include "node/load_generator.h"
#include "tests/node/node_cluster.h"

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

// The value of the sample `name{labels}` (exact text before the value), or -1.
double sample(const std::string& scrape, const std::string& series) {
    std::istringstream lines(scrape);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return -1;
}

// GET from a node's metrics port; status 0 when nothing answered.
node::HttpAnswer http_get(std::uint16_t port, const std::string& target) {
    auto answer = node::http_get("127.0.0.1", port, target, 10s);
    return answer.is_ok() ? *answer : node::HttpAnswer{0, "", answer.status().message()};
}

std::set<std::string> documented_metrics() {
    std::ifstream in(std::string(REMORA_SOURCE_DIR) + "/docs/metrics.md");
    std::stringstream text;
    text << in.rdbuf();
    std::set<std::string> names;
    const std::string doc = text.str();
    const std::regex row(R"(\n\| `(remora_[a-z_]+)` \|)");
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator();
         ++it) {
        names.insert((*it)[1]);
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

}  // namespace
}  // namespace remora::testing
