#include "tools/node/node_commands.h"

namespace remora::tools::node {

std::unique_ptr<cli::Command> make_run_command();
std::unique_ptr<cli::Command> make_keygen_command();

const cli::ToolSpec& node_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-node",
        .summary = "a Remora node: the primary executor or a pre-executor",
        .default_command = "run",
        .exit_codes_help =
            "  0   stopped cleanly (SIGTERM or SIGINT: a primary commits what it admitted first)\n"
            "  1   failure (a store failure stops the node; a port in use)\n"
            "  2   usage error (a flag out of range, a missing --node.dir or --tls.dir)\n"
            "  65  the store is damaged (docs/storage_format.md)\n"
            "  75  the store is locked by another process (another node on the same --node.dir)\n",
        .docs_page = "docs/tools/remora-node.md",
    };
    return tool;
}

std::vector<std::unique_ptr<cli::Command>> make_node_commands() {
    std::vector<std::unique_ptr<cli::Command>> commands;
    commands.push_back(make_run_command());
    commands.push_back(make_keygen_command());
    return commands;
}

}  // namespace remora::tools::node
