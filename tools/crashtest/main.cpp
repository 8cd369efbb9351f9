// remora-crashtest: a thin main over tools/crashtest (docs/tools/remora-crashtest.md).

#include <string>
#include <vector>

#include "tools/crashtest/crashtest_command.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto commands = remora::tools::crashtest::make_crashtest_commands();
    return remora::tools::cli::run_tool(remora::tools::crashtest::crashtest_tool(), commands, args);
}
