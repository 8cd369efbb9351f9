// The one table of remora-node settings (tools/node/node_flags.cpp) against what is written about
// it: docs/configuration.md's table of keys is exactly the generated one, defaults parse back,
// units sit last in names, and the tool's specs are coherent.

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tools/node/node_commands.h"
#include "tools/node/node_flags.h"

namespace {

using remora::tools::node::node_flags;
using remora::tools::node::NodeFlag;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("docs/configuration.md lists exactly the keys of the flag table") {
    const std::string doc = read_file(std::string(REMORA_SOURCE_DIR) + "/docs/configuration.md");
    const std::string begin_marker = "<!-- keys:";
    const std::string end_marker = "<!-- end of keys -->";
    const auto begin = doc.find(begin_marker);
    const auto end = doc.find(end_marker);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    const auto table_start = doc.find("-->", begin) + 4;  // past the marker comment's end
    const std::string table = doc.substr(table_start, end - table_start);
    // On a mismatch, the expected table is printed: paste it into the docs.
    INFO("expected table:\n" << remora::tools::node::node_config_markdown_table());
    CHECK(table == remora::tools::node::node_config_markdown_table());
}

TEST_CASE("every key's default parses back, and units come last in names") {
    std::set<std::string> names;
    for (const NodeFlag& flag : node_flags()) {
        INFO(flag.spec.name);
        CHECK(names.insert(flag.spec.name).second);
        CHECK(flag.spec.name.find('.') != std::string::npos);
        CHECK_FALSE(flag.allowed.empty());
        CHECK_FALSE(flag.change.empty());
        const bool ms_name = flag.spec.name.size() > 3 &&
                             flag.spec.name.compare(flag.spec.name.size() - 3, 3, "_ms") == 0;
        CHECK(ms_name == (flag.unit == "ms"));
        if (!flag.spec.default_text.empty()) {
            remora::node::NodeConfig config;
            CHECK(flag.apply(config, flag.spec.default_text));
            CHECK(flag.get(config) == flag.spec.default_text);
        }
    }
}

TEST_CASE("remora-node's specs are coherent") {
    auto commands = remora::tools::node::make_node_commands();
    std::vector<const remora::tools::cli::CommandSpec*> specs;
    for (const auto& command : commands) specs.push_back(&command->spec());
    CHECK(remora::tools::cli::check_specs(remora::tools::node::node_tool(), specs));
}
