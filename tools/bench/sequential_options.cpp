#include "tools/bench/sequential_options.h"

#include "executor/vm/limits.h"
#include "executor/workload/limits.h"
#include "tools/bench/mode.h"
#include "tools/bench/option_values.h"
#include "tools/bench/workload_flags.h"

namespace remora::tools::bench {
namespace {

using common::Result;
using common::Status;
namespace wl = executor::workload;

// Applies one `--name value` pair; an unknown name or a bad value is a usage error.
Status apply(SequentialBenchOptions& o, const std::string& name, const std::string& value) {
    wl::WorkloadConfig& w = o.workload;
    if (auto handled = apply_workload_flag(w, name, value)) return *handled;
    if (name == "--db") {
        if (value.empty()) return usage_error("--db expects a directory");
        o.db_dir = value;
        return Status::ok();
    }
    if (name == "--txs") return set_integer(o.txs, name, value, 1, kSequentialTxsMax);
    if (name == "--batch")
        return set_integer(w.batch_size, name, value, 1, wl::limits::kBatchSizeMax);
    if (name == "--sync") return set_on_off(o.sync, name, value);
    if (name == "--breakdown") return set_on_off(o.breakdown, name, value);
    return usage_error("unknown option " + name);
}

Status check(const SequentialBenchOptions& o) {
    Status knobs = wl::validate_workload_config(o.workload);
    return knobs ? Status::ok() : usage_error(knobs.message());
}

}  // namespace

const cli::CommandSpec& sequential_spec() {
    static const cli::CommandSpec spec = [] {
        const wl::WorkloadConfig d;
        cli::CommandSpec s{
            .name = "sequential",
            .summary =
                "the sequential reference executor on a workload: tx/s and where the time "
                "goes",
            .details =
                "Runs the sequential reference executor: commits the workload's genesis, "
                "executes N transactions in commits (the workload's boundaries: B transactions, "
                "or a trace's blocks), persists each commit in a store, verifies the final digest "
                "and reports throughput and where the time went.",
            .options = workload_options("workload seed (printed; same seed, same digest)"),
        };
        s.options.insert(
            s.options.end(),
            {text_option("txs", "N",
                         "transactions to execute (1.." + std::to_string(kSequentialTxsMax) +
                             "; a trace stops at its end)",
                         true),
             db_option("keep the store in DIR/store (DIR absent or empty); default: a temporary "
                       "directory removed at the end"),
             text_option("batch", "B", "transactions per commit, synthetic workloads", false,
                         std::to_string(d.batch_size)),
             text_option("sync", "on|off", "fsync the WAL on every commit", false, "on"),
             text_option("breakdown", "on|off", "time the executor's phases and state reads", false,
                         "on")});
        return s;
    }();
    return spec;
}

Result<SequentialBenchOptions> sequential_options(const cli::Invocation& invocation) {
    return options_from<SequentialBenchOptions>(invocation, apply, check);
}

Result<SequentialCommand> parse_sequential_args(const std::vector<std::string>& args) {
    return parse_mode_args<SequentialCommand>(sequential_spec(), args, apply, check);
}

}  // namespace remora::tools::bench
