// remora-loadgen: a thin main over tools/loadgen (docs/tools/remora-loadgen.md).

#include <csignal>
#include <string>
#include <vector>

#include "tools/loadgen/loadgen_command.h"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    auto commands = remora::tools::loadgen::make_loadgen_commands();
    return remora::tools::cli::run_tool(remora::tools::loadgen::loadgen_tool(), commands, args);
}
