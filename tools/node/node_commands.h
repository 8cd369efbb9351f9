#pragma once
// remora-node's commands (docs/tools/remora-node.md): `run` (the default: the node itself),
// `print-config` (the effective configuration), `init` (a commented configuration and the
// credentials of one node) and `keygen` (the cluster CA and node credentials).

#include <memory>
#include <vector>

#include "tools/cli/command.h"

namespace remora::tools::node {

const cli::ToolSpec& node_tool();
std::vector<std::unique_ptr<cli::Command>> make_node_commands();

}  // namespace remora::tools::node
