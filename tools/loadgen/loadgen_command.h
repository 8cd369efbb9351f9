#pragma once
// remora-loadgen's one mode (docs/tools/remora-loadgen.md).

#include <memory>
#include <vector>

#include "tools/cli/command.h"

namespace remora::tools::loadgen {

const cli::ToolSpec& loadgen_tool();
std::vector<std::unique_ptr<cli::Command>> make_loadgen_commands();

}  // namespace remora::tools::loadgen
