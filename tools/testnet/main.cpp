// remora-testnet: a thin main over tools/testnet (docs/tools/remora-testnet.md).

#include <string>
#include <vector>

#include "tools/testnet/testnet_command.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto commands = remora::tools::testnet::make_testnet_commands();
    return remora::tools::cli::run_tool(remora::tools::testnet::testnet_tool(), commands, args);
}
