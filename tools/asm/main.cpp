// remora-asm: a thin main over tools/asm (docs/vm.md, "remora-asm").

#include <string>
#include <vector>

#include "tools/asm/asm_commands.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return remora::tools::asm_tool::run_asm(args);
}
