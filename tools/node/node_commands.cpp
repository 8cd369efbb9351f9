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
        .exit_codes_help =
            "Exit codes:\n"
            "  0   ok; run: stopped cleanly on SIGTERM or SIGINT\n"
            "  1   failure (a store failure stops the node; a port in use)\n"
            "  2   usage error, including every configuration error (key, value, FILE:LINE:COL)\n"
            "  65  verification failed (a damaged store)\n"
            "  70  a transaction made execution fail fatally (the node stops, naming it), or\n"
            "      DIR/poison.json refuses the start until deleted (docs/node.md)\n"
            "  75  the store is locked by another process (which one, when DIR/node.json says)\n"
            "  130, 143  a second SIGINT, SIGTERM while stopping: left at once (the next start "
            "recovers)\n",
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
