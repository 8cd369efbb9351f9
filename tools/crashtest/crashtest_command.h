#pragma once
// remora-crashtest's command (docs/tools/remora-crashtest.md).

#include <memory>
#include <vector>

#include "tools/cli/command.h"

namespace remora::tools::crashtest {

const cli::ToolSpec& crashtest_tool();
std::vector<std::unique_ptr<cli::Command>> make_crashtest_commands();

}  // namespace remora::tools::crashtest
