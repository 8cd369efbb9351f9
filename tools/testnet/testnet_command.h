#pragma once
// remora-testnet's commands (docs/tools/remora-testnet.md).

#include <memory>
#include <vector>

#include "tools/cli/command.h"

namespace remora::tools::testnet {

const cli::ToolSpec& testnet_tool();
std::vector<std::unique_ptr<cli::Command>> make_testnet_commands();

}  // namespace remora::tools::testnet
