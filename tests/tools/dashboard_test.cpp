// docs/grafana/remora-dashboard.json against docs/metrics.md: the file is a Grafana dashboard
// whose every panel query names at least one metric, and only metrics the node documents (a
// histogram's _bucket, _sum and _count series count as the histogram). The node scrape test
// (tests/node/node_metrics_test.cpp) checks that the documented names are the served ones.

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/metrics_docs.h"

namespace remora::testing {
namespace {

// The remora_* names in a PromQL expression that are not documented metrics.
std::vector<std::string> undocumented_names(const std::string& expr,
                                            const std::map<std::string, std::string>& documented,
                                            std::size_t& named) {
    std::vector<std::string> unknown;
    static const std::regex identifier(R"([A-Za-z_:][A-Za-z0-9_:]*)");
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), identifier);
         it != std::sregex_iterator(); ++it) {
        const std::string name = it->str();
        if (name.rfind("remora_", 0) != 0) continue;
        ++named;
        std::string base = name;
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string s = suffix;
            if (base.size() <= s.size() || base.compare(base.size() - s.size(), s.size(), s) != 0) {
                continue;
            }
            auto histogram = documented.find(base.substr(0, base.size() - s.size()));
            if (histogram != documented.end() && histogram->second == "histogram") {
                base = base.substr(0, base.size() - s.size());
                break;
            }
        }
        if (documented.count(base) == 0) unknown.push_back(name);
    }
    return unknown;
}

TEST_CASE("every dashboard query names documented metrics only", "[docs][metrics]") {
    std::ifstream in(std::string(REMORA_SOURCE_DIR) + "/docs/grafana/remora-dashboard.json");
    REQUIRE(in.good());
    const nlohmann::json dashboard = nlohmann::json::parse(in);  // throws (fails) when not JSON
    const std::map<std::string, std::string> documented = documented_metric_types();
    REQUIRE(documented.size() > 30);
    CHECK(documented.at("remora_primary_commit_seconds") == "histogram");

    REQUIRE(dashboard.at("panels").is_array());
    std::size_t queries = 0;
    std::set<std::string> queried;
    for (const nlohmann::json& panel : dashboard.at("panels")) {
        INFO("panel " << panel.at("title").get<std::string>());
        REQUIRE(panel.at("targets").is_array());
        CHECK(!panel.at("targets").empty());
        for (const nlohmann::json& target : panel.at("targets")) {
            const std::string expr = target.at("expr").get<std::string>();
            INFO("query " << expr);
            std::size_t named = 0;
            CHECK(undocumented_names(expr, documented, named).empty());
            CHECK(named >= 1);
            ++queries;
            static const std::regex metric(R"(remora_[a-z_]+)");
            for (auto it = std::sregex_iterator(expr.begin(), expr.end(), metric);
                 it != std::sregex_iterator(); ++it) {
                queried.insert(it->str());
            }
        }
    }
    CHECK(queries >= 20);
    // What the issue asks the dashboard to show is there.
    for (const char* name :
         {"remora_primary_transactions_total", "remora_primary_adopted_total",
          "remora_primary_reexecuted_total", "remora_primary_misses_total",
          "remora_primary_commit_seconds_bucket", "remora_primary_pending_transactions",
          "remora_primary_pre_executors", "remora_store_memtable_bytes",
          "remora_store_pending_compaction_bytes", "remora_store_live_sst_bytes",
          "remora_process_cpu_seconds_total", "remora_process_resident_memory_bytes",
          "remora_tls_certificate_expiry_timestamp_seconds"}) {
        INFO(name);
        CHECK(queried.count(name) == 1);
    }
}

TEST_CASE("the dashboard check refuses a name the docs do not have", "[docs][metrics]") {
    const std::map<std::string, std::string> documented = {
        {"remora_primary_commit_seconds", "histogram"},
        {"remora_primary_commits_total", "counter"}};
    std::size_t named = 0;
    CHECK(undocumented_names("rate(remora_primary_commits_total[1m])", documented, named).empty());
    CHECK(undocumented_names("histogram_quantile(0.5, sum by (le) "
                             "(rate(remora_primary_commit_seconds_bucket[1m])))",
                             documented, named)
              .empty());
    CHECK(undocumented_names("rate(remora_primary_commit_total[1m])", documented, named) ==
          std::vector<std::string>{"remora_primary_commit_total"});
    CHECK(undocumented_names("remora_primary_commits_total_bucket", documented, named) ==
          std::vector<std::string>{"remora_primary_commits_total_bucket"});
    CHECK(named == 4);
}

}  // namespace
}  // namespace remora::testing
