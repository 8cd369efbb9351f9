#pragma once
// The metric names docs/metrics.md documents (its table rows "| `remora_...` |"), for the tests
// that check what a node serves and what the dashboard queries against it. Header-only: it
// needs REMORA_SOURCE_DIR, which every test executable defines.

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace remora::testing {

// Name -> type ("counter", "gauge", "histogram") of every documented metric.
inline std::map<std::string, std::string> documented_metric_types() {
    std::ifstream in(std::string(REMORA_SOURCE_DIR) + "/docs/metrics.md");
    std::stringstream text;
    text << in.rdbuf();
    std::map<std::string, std::string> types;
    const std::string doc = text.str();
    const std::regex row(R"(\n\| `(remora_[a-z_]+)` \| ([a-z]+) \|)");
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator();
         ++it) {
        types[(*it)[1]] = (*it)[2];
    }
    return types;
}

inline std::set<std::string> documented_metrics() {
    std::set<std::string> names;
    for (const auto& [name, type] : documented_metric_types()) names.insert(name);
    return names;
}

}  // namespace remora::testing
