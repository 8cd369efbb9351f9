#include "tools/bench/remora_options.h"

#include "executor/protocol/limits.h"
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
namespace pl = executor::protocol::limits;

// A profile's pre-executor: a machine of 8 cores or more as the node runs it by default
// (pre_executor.exec_threads 0: the cores, at most 8; pre_executor.verify_threads 2).
constexpr std::uint32_t kProfileExecCores = 8;
constexpr std::uint32_t kProfileVerifyThreads = 2;

// The operating points of docs/tools/remora-bench.md, "Profiles": a profile sets what the
// command line does not (an explicit flag wins, in whatever order the two come).
Status apply_profile(RemoraBenchOptions& o, const std::string& value) {
    std::uint64_t interval_us = 0;
    if (value == "remora-default") {
        interval_us = 33;
    } else if (value == "100k") {
        interval_us = 10;
    } else {
        return usage_error("--profile expects remora-default or 100k");
    }
    o.profile = value;
    using G = RemoraBenchOptions::Given;
    if (!(o.given & G::kBatch)) o.batch = 1000;
    if (!(o.given & G::kConsensusDelay)) o.consensus_delay_ms = 300;
    if (!(o.given & G::kMessageDelay)) o.message_delay_us = 200;
    if (!(o.given & G::kTxInterval)) o.tx_interval_us = interval_us;
    // The pre-executor of a machine of 8 cores or more, as the node runs it by default
    // (docs/tools/remora-bench.md, "Profiles"): exec_threads 8 (the node's kExecThreadsAuto),
    // verify_threads 2, hold on (the node holds beside several exec threads).
    if (!(o.given & G::kCores)) o.pre_executor_cores = kProfileExecCores;
    if (!(o.given & G::kVerifyThreads)) o.pre_executor_verify_threads = kProfileVerifyThreads;
    if (!(o.given & G::kHold)) o.hold = true;
    return Status::ok();
}

Status apply(RemoraBenchOptions& o, const std::string& name, const std::string& value) {
    wl::WorkloadConfig& w = o.workload;
    if (auto handled = apply_workload_flag(w, name, value)) return *handled;
    using G = RemoraBenchOptions::Given;
    if (name == "--profile") return apply_profile(o, value);
    if (name == "--batch") o.given |= G::kBatch;
    if (name == "--consensus-delay-ms") o.given |= G::kConsensusDelay;
    if (name == "--message-delay-us") o.given |= G::kMessageDelay;
    if (name == "--tx-interval-us") o.given |= G::kTxInterval;
    if (name == "--pre-executor-cores") o.given |= G::kCores;
    if (name == "--pre-executor-verify-threads") o.given |= G::kVerifyThreads;
    if (name == "--hold") o.given |= G::kHold;
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
    if (name == "--placement") return set_on_off(o.placement, name, value);
    if (name == "--rebalance") return set_on_off(o.rebalance, name, value);
    if (name == "--load") {
        if (value != "count" && value != "cost") return usage_error("--load expects count or cost");
        o.load_cost = value == "cost";
        return Status::ok();
    }
    if (name == "--pre-executor-cores") {
        return set_integer(o.pre_executor_cores, name, value, 1, kRemoraCoresMax);
    }
    if (name == "--pre-executor-verify-threads") {
        return set_integer(o.pre_executor_verify_threads, name, value, 0, kRemoraCoresMax);
    }
    if (name == "--pre-executor-parallel-min-us") {
        return set_integer(o.pre_executor_parallel_min_us, name, value, 0, kRemoraParallelMinUsMax);
    }
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
    if (name == "--tentative-order") return set_on_off(o.tentative_order, name, value);
    if (name == "--handoff-fence") return set_on_off(o.handoff_fence, name, value);
    if (name == "--adopt-checks") {
        using Checks = RemoraBenchOptions::AdoptChecks;
        if (value == "on")
            o.adopt_checks = Checks::kOn;
        else if (value == "off")
            o.adopt_checks = Checks::kOff;
        else if (value == "ab")
            o.adopt_checks = Checks::kAb;
        else
            return usage_error("--adopt-checks expects on, off or ab");
        return Status::ok();
    }
    if (name == "--miss-threshold") {
        return set_integer(o.miss_threshold, name, value, 0, pl::kMissWindowTxsMax);
    }
    if (name == "--reexec-threads") {
        return set_integer(o.reexec_threads, name, value, 1, pl::kReexecThreadsMax);
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
    if (name == "--late-wait-ms")
        return set_number(o.late_wait_ms, name, value, 0, kRemoraDelayMsMax);
    return usage_error("unknown option " + name);
}

}  // namespace

RemoraBenchOptions::RemoraBenchOptions()
    : miss_threshold(pl::kMissThresholdDefault), miss_window(pl::kMissWindowTxsDefault) {}

namespace {

Status check(const RemoraBenchOptions& o) {
    Status knobs = wl::validate_workload_config(o.workload);
    if (!knobs) return usage_error(knobs.message());
    if (o.miss_threshold > o.miss_window) {
        return usage_error("--miss-threshold must not exceed --miss-window");
    }
    return Status::ok();
}

}  // namespace

const cli::CommandSpec& remora_spec() {
    static const cli::CommandSpec spec = [] {
        cli::CommandSpec s{
            .name = "remora",
            .summary =
                "an in-process Remora cluster on a workload, checked against the "
                "sequential reference: hit rate, misses, primary CPU per tx",
            .details =
                "Runs an in-process Remora cluster (a primary, an embedded sequencer, the load "
                "balancer and P pre-executors on a simulated clock, no faults) on N transactions "
                "of the workload, then the sequential reference over the same ordered commits in "
                "the same process, and compares every effect and the final digest. Exit 1 when "
                "they differ.",
            .options = workload_options("workload and simulation seed"),
        };
        s.options.insert(
            s.options.end(),
            {text_option("txs", "N", "transactions (a trace stops at its end)", true),
             text_option("pre-executors", "P", "0.." + std::to_string(kRemoraPreExecutorsMax),
                         true),
             db_option("the primary's store in DIR/primary (DIR absent or empty); default: a "
                       "temporary directory removed at the end"),
             text_option("affinity", "on|off", "route by object affinity, or round-robin", false,
                         "on"),
             text_option("placement", "on|off",
                         "with affinity: route a transaction where the in-flight transactions on "
                         "its objects went (contention-following; off: the affinity key's owner)",
                         false, "on"),
             text_option("rebalance", "on|off",
                         "with placement: a pre-executor that took more than 1.25 times its share "
                         "of the last 1,024 routes, and whose queue holds an eighth of the "
                         "consensus delay's work, hands a hot group to the one with the fewest",
                         false, "off"),
             text_option("load", "count|cost",
                         "what routing balances: transactions in flight, or their cost learned "
                         "per kind of call from the results",
                         false, "count"),
             text_option("pre-executor-cores", "N",
                         "simulated exec cores per pre-executor (the node's exec_threads): work "
                         "of at least 100 us sharing no object with unfinished work runs on a "
                         "free one, cheaper work one piece at a time, 1.." +
                             std::to_string(kRemoraCoresMax) + " (a profile: 8)",
                         false, "1"),
             text_option("pre-executor-verify-threads", "N",
                         "simulated threads per pre-executor checking authenticators before "
                         "execution (the node's verify_threads); 0: the exec core checks them, "
                         "0.." +
                             std::to_string(kRemoraCoresMax),
                         false, "2"),
             text_option("pre-executor-parallel-min-us", "US",
                         "simulated exec cost under which work runs one piece at a time (the "
                         "node's threshold for speculating a batch); 0: all work may run in "
                         "parallel (the model before session 10), 0.." +
                             std::to_string(kRemoraParallelMinUsMax),
                         false, std::to_string(pl::kBatchParallelMinUs)),
             text_option("state-updates", "on|off",
                         "push catch-up state updates past the miss threshold", false, "on"),
             text_option("routed-updates", "M",
                         "after each commit, push pre-executors the objects they are expected to "
                         "read next and did not produce: off, affinity (to the affinity owner) or "
                         "broadcast (owned objects to every pre-executor)",
                         false, "affinity"),
             text_option("peer-forwarding", "on|off",
                         "each pre-executor's effects go to the others, whose overlays take the "
                         "newer objects",
                         false, "on"),
             text_option("hold", "on|off",
                         "pre-executors hold a transaction whose owned input has not arrived, "
                         "when it will (peer forwarding or broadcast routed updates)",
                         false, "on"),
             text_option("tentative-order", "on|off",
                         "the sequencer sends each batch's order to the pre-executors when it "
                         "cuts it; they re-execute the results it contradicts and send "
                         "replacements",
                         false, "on"),
             text_option("handoff-fence", "on|off",
                         "a pre-executor that routing moves a group to holds the group's "
                         "transactions until it has the effects of the last one routed to the "
                         "old pre-executor (with --hold and --placement)",
                         false, "off"),
             text_option("adopt-checks", "on|off|ab",
                         "the primary's structural checks before adopting; ab alternates them per "
                         "commit and reports their cost per adoption (adopt_checks_ab)",
                         false, "on"),
             text_option("miss-threshold", "T", "state misses in the window that trigger an update",
                         false, std::to_string(pl::kMissThresholdDefault)),
             text_option("miss-window", "W", "transactions in the miss window", false,
                         std::to_string(pl::kMissWindowTxsDefault)),
             text_option("reexec-threads", "N",
                         "threads re-executing the primary's misses (speculated in parallel, "
                         "validated in order), 1.." +
                             std::to_string(pl::kReexecThreadsMax),
                         false, "1"),
             text_option("consensus-delay-ms", "D", "simulated batch cut -> ordered commit", false,
                         "1"),
             text_option("late-wait-ms", "L", "simulated bounded wait for missing results", false,
                         "0.5"),
             text_option("batch", "B", "sequencer batch size", false,
                         std::to_string(kRemoraBatchDefault)),
             text_option("batch-timeout-ms", "T",
                         "simulated: cut a batch T ms after its first tx (clients submit one "
                         "transaction per 50 us)",
                         false, "25"),
             text_option("tx-interval-us", "I", "simulated time between two client submissions",
                         false, "50"),
             text_option("message-delay-us", "M", "simulated one-way latency of every message",
                         false, "20"),
             text_option("sync", "on|off", "fsync the primary's WAL per commit", false, "on"),
             text_option("profile", "P",
                         "an operating point: remora-default (--batch 1000 --consensus-delay-ms "
                         "300 --message-delay-us 200 --tx-interval-us 33 --pre-executor-cores 8 "
                         "--pre-executor-verify-threads 2 --hold on) or 100k (the same with "
                         "--tx-interval-us 10); explicit flags override it",
                         false)});
        return s;
    }();
    return spec;
}

Result<RemoraBenchOptions> remora_options(const cli::Invocation& invocation) {
    return options_from<RemoraBenchOptions>(invocation, apply, check);
}

Result<RemoraCommand> parse_remora_args(const std::vector<std::string>& args) {
    return parse_mode_args<RemoraCommand>(remora_spec(), args, apply, check);
}

}  // namespace remora::tools::bench
