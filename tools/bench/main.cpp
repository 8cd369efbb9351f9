// remora-bench: benchmarks with a baseline measured in the same run (docs/tools/remora-bench.md).
// A thin main over the modes in tools/bench/<mode>/ and the shared layer (tools/cli/command.h).

#include <string>
#include <vector>

#include "tools/bench/bench_dir.h"
#include "tools/bench/mode.h"

int main(int argc, char** argv) {
    using namespace remora::tools;
    // First, before RocksDB or the simulation start threads: they must inherit the blocked mask.
    bench::install_interrupt_cleanup(bench::bench_tool().name.c_str());
    std::vector<std::string> args(argv + 1, argv + argc);
    return cli::run_tool(bench::bench_tool(), bench::make_modes(), args);
}
