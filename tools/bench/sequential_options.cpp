#include "tools/bench/sequential_options.h"

#include <set>

#include "executor/vm/limits.h"
#include "executor/workload/limits.h"
#include "tools/bench/arg_parse.h"
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

}  // namespace

Result<SequentialCommand> parse_sequential_args(const std::vector<std::string>& args) {
    static const std::set<std::string> kRequired = {"--workload", "--txs", "--seed"};
    auto parsed = parse_command<SequentialCommand>(args, kRequired, apply);
    if (!parsed || parsed->help) return parsed;
    SequentialCommand& command = parsed.value();
    Status knobs = wl::validate_workload_config(command.options.workload);
    if (!knobs) return usage_error(knobs.message());
    return parsed;
}

std::string sequential_usage() {
    const wl::WorkloadConfig d;
    return "usage: remora-bench sequential --workload W --txs N --seed S [--db DIR] [--json]\n"
           "                               [--accounts A] [--skew THETA] [--contention K]\n"
           "                               [--invalid-sig-rate R] [--batch B]\n"
           "                               [--compute-rounds C] [--sync on|off]\n"
           "                               [--breakdown on|off]\n"
           "\n"
           "Runs the sequential reference executor: commits the workload's genesis, executes N\n"
           "transactions in commits (the workload's boundaries: B transactions, or a trace's\n"
           "blocks), persists each commit in a store, verifies the final digest and reports\n"
           "throughput and where the time went.\n"
           "\n"
           "  --workload W          transfer, counter, nft, amm, compute, mixed, random\n"
           "                        or trace:<file>\n"
           "  --txs N               transactions to execute (1.." +
           std::to_string(kSequentialTxsMax) +
           "; a trace stops at its end)\n"
           "  --seed S              workload seed (printed; same seed, same digest)\n"
           "  --db DIR              keep the store in DIR/store (DIR absent or empty); default:\n"
           "                        a temporary directory removed at the end\n"
           "  --json                one JSON object on stdout\n"
           "  --accounts A          synthetic accounts (default " +
           std::to_string(d.accounts) +
           ")\n"
           "  --skew THETA          Zipf theta of senders and shared objects (default 0)\n"
           "  --contention K        counters, pools and collections, each, and random's hot\n"
           "                        parents (default " +
           std::to_string(d.shared_objects) +
           ")\n"
           "  --invalid-sig-rate R  fraction of transactions with a broken signature (default 0)\n"
           "  --batch B             transactions per commit, synthetic workloads (default " +
           std::to_string(d.batch_size) +
           ")\n"
           "  --compute-rounds C    iterated_hash rounds of a compute transaction (default " +
           std::to_string(d.compute_rounds) +
           ")\n"
           "  --sync on|off         fsync the WAL on every commit (default on)\n"
           "  --breakdown on|off    time the executor's phases and state reads (default on)\n";
}

}  // namespace remora::tools::bench
