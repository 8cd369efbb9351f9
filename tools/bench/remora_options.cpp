#include "tools/bench/remora_options.h"

#include <set>

#include "executor/protocol/limits.h"
#include "executor/vm/limits.h"
#include "executor/workload/limits.h"
#include "tools/bench/arg_parse.h"
#include "tools/bench/workload_flags.h"

namespace remora::tools::bench {
namespace {

using common::Result;
using common::Status;
namespace wl = executor::workload;
namespace pl = executor::protocol::limits;

Status apply(RemoraBenchOptions& o, const std::string& name, const std::string& value) {
    wl::WorkloadConfig& w = o.workload;
    if (auto handled = apply_workload_flag(w, name, value)) return *handled;
    if (name == "--db") {
        if (value.empty()) return usage_error("--db expects a directory");
        o.db_dir = value;
        return Status::ok();
    }
    if (name == "--txs") return set_integer(o.txs, name, value, 1, kRemoraTxsMax);
    if (name == "--pre-executors") {
        return set_integer(o.pre_executors, name, value, 0, kRemoraPreExecutorsMax);
    }
    if (name == "--batch") return set_integer(o.batch, name, value, 1, kRemoraBatchMax);
    if (name == "--affinity") return set_on_off(o.affinity, name, value);
    if (name == "--state-updates") return set_on_off(o.state_updates, name, value);
    if (name == "--routed-updates") {
        auto mode = executor::protocol::parse_routed_updates(value);
        if (!mode) return usage_error("--routed-updates expects off, affinity or broadcast");
        o.routed_updates = *mode;
        return Status::ok();
    }
    if (name == "--sync") return set_on_off(o.sync, name, value);
    if (name == "--peer-forwarding") return set_on_off(o.peer_forwarding, name, value);
    if (name == "--hold") return set_on_off(o.hold, name, value);
    if (name == "--adopt-checks") {
        using Checks = RemoraBenchOptions::AdoptChecks;
        if (value == "on") o.adopt_checks = Checks::kOn;
        else if (value == "off") o.adopt_checks = Checks::kOff;
        else if (value == "ab") o.adopt_checks = Checks::kAb;
        else return usage_error("--adopt-checks expects on, off or ab");
        return Status::ok();
    }
    if (name == "--miss-threshold") {
        return set_integer(o.miss_threshold, name, value, 0, pl::kMissWindowTxsMax);
    }
    if (name == "--miss-window") {
        return set_integer(o.miss_window, name, value, 1, pl::kMissWindowTxsMax);
    }
    if (name == "--consensus-delay-ms") {
        return set_number(o.consensus_delay_ms, name, value, 0, kRemoraDelayMsMax);
    }
    if (name == "--batch-timeout-ms") {
        return set_number(o.batch_timeout_ms, name, value, 0.001, kRemoraDelayMsMax);
    }
    if (name == "--tx-interval-us") {
        return set_integer(o.tx_interval_us, name, value, 1, kRemoraIntervalUsMax);
    }
    if (name == "--message-delay-us") {
        return set_integer(o.message_delay_us, name, value, 0, kRemoraIntervalUsMax);
    }
    if (name == "--late-wait-ms") return set_number(o.late_wait_ms, name, value, 0, kRemoraDelayMsMax);
    return usage_error("unknown option " + name);
}

}  // namespace

RemoraBenchOptions::RemoraBenchOptions()
    : miss_threshold(pl::kMissThresholdDefault), miss_window(pl::kMissWindowTxsDefault) {}

Result<RemoraCommand> parse_remora_args(const std::vector<std::string>& args) {
    static const std::set<std::string> kRequired = {"--workload", "--txs", "--seed",
                                                    "--pre-executors"};
    auto parsed = parse_command<RemoraCommand>(args, kRequired, apply);
    if (!parsed || parsed->help) return parsed;
    RemoraCommand& command = parsed.value();
    Status knobs = wl::validate_workload_config(command.options.workload);
    if (!knobs) return usage_error(knobs.message());
    if (command.options.miss_threshold > command.options.miss_window) {
        return usage_error("--miss-threshold must not exceed --miss-window");
    }
    return parsed;
}

std::string remora_usage() {
    return "usage: remora-bench remora --workload W --txs N --seed S --pre-executors P\n"
           "                           [--db DIR] [--json] [--affinity on|off]\n"
           "                           [--state-updates on|off]\n"
           "                           [--routed-updates off|affinity|broadcast]\n"
           "                           [--peer-forwarding on|off] [--hold on|off]\n"
           "                           [--adopt-checks on|off|ab] [--miss-threshold T]\n"
           "                           [--miss-window W] [--consensus-delay-ms D]\n"
           "                           [--late-wait-ms L] [--batch B]\n"
           "                           [--batch-timeout-ms T] [--tx-interval-us I]\n"
           "                           [--message-delay-us M] [--accounts A]\n"
           "                           [--contention K] [--skew THETA]\n"
           "                           [--invalid-sig-rate R] [--compute-rounds C]\n"
           "                           [--sync on|off]\n"
           "\n"
           "Runs an in-process Remora cluster (a primary, an embedded sequencer, the load\n"
           "balancer and P pre-executors on a simulated clock, no faults) on N transactions of\n"
           "the workload, then the sequential reference over the same ordered commits in the\n"
           "same process, and compares every effect and the final digest. Exit 1 when they\n"
           "differ.\n"
           "\n"
           "  --workload W            transfer, counter, nft, amm, compute, mixed, random,\n"
           "                          trace:<file>\n"
           "  --txs N                 transactions (a trace stops at its end)\n"
           "  --seed S                workload and simulation seed\n"
           "  --pre-executors P       0.." + std::to_string(kRemoraPreExecutorsMax) + "\n"
           "  --db DIR                the primary's store in DIR/primary (DIR absent or empty);\n"
           "                          default: a temporary directory removed at the end\n"
           "  --affinity on|off       route by object affinity (default) or round-robin\n"
           "  --state-updates on|off  push catch-up state updates past the miss threshold\n"
           "                          (default on)\n"
           "  --routed-updates M      after each commit, push pre-executors the objects they\n"
           "                          are expected to read next and did not produce: off,\n"
           "                          affinity (to the affinity owner; default) or broadcast\n"
           "                          (owned objects to every pre-executor)\n"
           "  --peer-forwarding on|off each pre-executor's effects go to the others, whose\n"
           "                          overlays take the newer objects (default on)\n"
           "  --hold on|off           pre-executors hold a transaction whose owned input has\n"
           "                          not arrived, when it will (peer forwarding or broadcast\n"
           "                          routed updates; default on)\n"
           "  --adopt-checks on|off|ab the primary's structural checks before adopting (default\n"
           "                          on); ab alternates them per commit and reports their\n"
           "                          cost per adoption (adopt_checks_ab)\n"
           "  --miss-threshold T      state misses in the window that trigger an update\n"
           "                          (default " + std::to_string(pl::kMissThresholdDefault) + ")\n"
           "  --miss-window W         transactions in the miss window (default " +
           std::to_string(pl::kMissWindowTxsDefault) + ")\n"
           "  --consensus-delay-ms D  simulated batch cut -> ordered commit (default 1)\n"
           "  --late-wait-ms L        simulated bounded wait for missing results (default 0.5)\n"
           "  --batch B               sequencer batch size (default " +
           std::to_string(kRemoraBatchDefault) + ")\n"
           "  --batch-timeout-ms T    simulated: cut a batch T ms after its first tx (default 25;\n"
           "                          clients submit one transaction per 50 us)\n"
           "  --tx-interval-us I      simulated time between two client submissions (default 50)\n"
           "  --message-delay-us M    simulated one-way latency of every message (default 20)\n"
           "  --accounts, --contention, --skew, --invalid-sig-rate, --compute-rounds:\n"
           "                          workload knobs, as for `remora-bench sequential`\n"
           "  --sync on|off           fsync the primary's WAL per commit (default on)\n"
           "  --json                  one JSON object on stdout\n";
}

}  // namespace remora::tools::bench
