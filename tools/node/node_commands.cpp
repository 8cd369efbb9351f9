#include "tools/node/node_commands.h"

namespace remora::tools::node {

std::unique_ptr<cli::Command> make_run_command();
std::unique_ptr<cli::Command> make_print_config_command();
std::unique_ptr<cli::Command> make_init_command();
std::unique_ptr<cli::Command> make_keygen_command();

const cli::ToolSpec& node_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-node",
        .summary = "a Remora node: the primary executor or a pre-executor",
        .default_command = "run",
        .docs_page = "docs/tools/remora-node.md",
    };
    return tool;
}

std::vector<std::unique_ptr<cli::Command>> make_node_commands() {
    std::vector<std::unique_ptr<cli::Command>> commands;
    commands.push_back(make_run_command());
    commands.push_back(make_print_config_command());
    commands.push_back(make_init_command());
    commands.push_back(make_keygen_command());
    return commands;
}

}  // namespace remora::tools::node
