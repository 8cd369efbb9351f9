// remora-node: a thin main over tools/node (docs/tools/remora-node.md).

#include <string>
#include <vector>

#include "tools/node/node_commands.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto commands = remora::tools::node::make_node_commands();
    return remora::tools::cli::run_tool(remora::tools::node::node_tool(), commands, args);
}
