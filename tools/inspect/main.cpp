// remora-inspect: a thin main over tools/inspect (docs/tools/remora-inspect.md).

#include <string>
#include <vector>

#include "tools/inspect/driver.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return remora::tools::inspect::run_inspect(args);
}
