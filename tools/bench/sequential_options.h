#pragma once
// Options of `remora-bench sequential` and their parser (docs/tools/remora-bench.md).

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/workload/workload.h"
#include "tools/cli/args.h"

namespace remora::tools::bench {

// --- Bounds of the sequential benchmark (docs/style.md §3: a limit on everything) ------------
inline constexpr std::uint64_t kSequentialTxsMax = 100'000'000;

struct SequentialBenchOptions {
    // The workload's name, seed and knobs; `txs` transactions of it are executed.
    executor::workload::WorkloadConfig workload;
    std::uint64_t txs = 0;
    // Where the store goes: DIR/store, kept; empty for a temporary directory removed at the end.
    std::string db_dir;
    bool json = false;
    bool sync = true;       // StoreOptions::sync: fsync the WAL on every commit
    bool breakdown = true;  // time the executor's phases and state reads (an observer)
};

// What the command line asked for: options to run, or the help text.
struct SequentialCommand {
    bool help = false;
    SequentialBenchOptions options;
};

// Parses the arguments after `sequential`: the flags' syntax, their bounds, the workload name
// and the knobs' bounds (validate_workload_config). Any error is kInvalidArgument with a message
// naming the flag (the caller exits with the usage code). A trace file is not opened here.
common::Result<SequentialCommand> parse_sequential_args(const std::vector<std::string>& args);

// The mode's spec (its help is generated from it) and its options from a parsed invocation.
const cli::CommandSpec& sequential_spec();
common::Result<SequentialBenchOptions> sequential_options(const cli::Invocation& invocation);

}  // namespace remora::tools::bench
