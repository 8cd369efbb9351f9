// `remora-crashtest --mode blackbox|whitebox|both --kills N --seed S [--json]`: kill -9 a running
// cluster at seeded instants and check, after every restart, that nothing acknowledged was lost
// or applied twice.

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdio>

#include "common/format.h"
#include "node/crashtest.h"
#include "tools/cli/interrupt.h"
#include "tools/crashtest/crashtest_command.h"

namespace remora::tools::crashtest {
namespace {

using cli::ArgKind;
using common::Status;

// The command line that replays a run: the same seed draws the same victims, instants and
// transactions (process scheduling still varies). With --kills-per-cluster, the cluster that
// broke: its seed and kills.
std::string replay_command(const node::CrashtestConfig& c, const node::CrashtestReport& r) {
    std::string line =
        "remora-crashtest --mode " + std::string(node::crash_mode_name(c.mode)) + " --kills " +
        std::to_string(r.replay_kills) + " --seed " + std::to_string(r.replay_seed) +
        " --pre-executors " + std::to_string(c.pre_executors) + " --workload " + c.workload +
        " --accounts " + std::to_string(c.accounts) + " --rate " + common::fixed(c.rate) +
        " --kill-min-ms " + std::to_string(c.kill_min_ms) + " --kill-max-ms " +
        std::to_string(c.kill_max_ms) + " --sync " + (c.sync ? "on" : "off");
    return line;
}

// At most 20 violations in the report: one bug usually breaks many transactions.
std::vector<std::string> first_violations(const std::vector<std::string>& all) {
    constexpr std::size_t kShown = 20;
    std::vector<std::string> shown(
        all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), kShown)));
    if (all.size() > kShown)
        shown.push_back("... and " + std::to_string(all.size() - kShown) + " more");
    return shown;
}

class CrashtestCommand final : public cli::Command {
public:
    const cli::CommandSpec& spec() const override { return m_spec; }

    Status check(const cli::Invocation& invocation) const override {
        auto config = make_config(invocation);
        if (!config) return config.status();
        if (auto s = node::validate_crashtest_config(*config); !s)
            return cli::usage_error(s.message());
        if (auto s = node::check_crash_mode_supported(config->mode); !s) {
            return cli::usage_error(s.message());
        }
        return Status::ok();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        auto config = make_config(context.invocation);
        if (!config) return config.status();
        const std::atomic<bool>& interrupted = cli::interrupt_flag();
        const bool quiet = context.invocation.json && !context.progress;
        auto report = node::run_crashtest(*config, interrupted, [quiet](const std::string& line) {
            if (!quiet) std::fprintf(stderr, "[crashtest] %s\n", line.c_str());
        });
        if (!report) {
            node::CrashtestReport whole;  // the whole run: the harness failure's cluster is named
            whole.replay_seed = config->seed;
            whole.replay_kills = config->kills;
            return report.status().with_context(
                "replay with: " + replay_command(*config, whole) +
                (config->kills_per_cluster > 0
                     ? " --kills-per-cluster " + std::to_string(config->kills_per_cluster)
                     : std::string()));
        }
        return make_report(*config, *report);
    }

    static common::Result<node::CrashtestConfig> make_config(const cli::Invocation& in) {
        node::CrashtestConfig config;
        const std::string mode = *in.text_option("mode");
        if (mode == "blackbox") {
            config.mode = node::CrashMode::kBlackbox;
        } else if (mode == "whitebox") {
            config.mode = node::CrashMode::kWhitebox;
        } else if (mode == "both") {
            config.mode = node::CrashMode::kBoth;
        } else {
            return cli::usage_error("--mode must be blackbox, whitebox or both");
        }
        const std::uint64_t kills = *in.unsigned_option("kills");
        if (kills == 0 || kills > node::kCrashtestKillsMax) {
            return cli::usage_error("--kills must be in 1.." +
                                    std::to_string(node::kCrashtestKillsMax));
        }
        config.kills = static_cast<std::uint32_t>(kills);
        config.seed = *in.unsigned_option("seed");
        if (auto pre = in.unsigned_option("pre-executors")) {
            if (*pre > node::kCrashtestPreExecutorsMax) {
                return cli::usage_error("--pre-executors is at most " +
                                        std::to_string(node::kCrashtestPreExecutorsMax));
            }
            config.pre_executors = static_cast<std::uint32_t>(*pre);
        }
        if (auto workload = in.text_option("workload")) config.workload = *workload;
        if (auto accounts = in.unsigned_option("accounts")) {
            if (*accounts == 0 || *accounts > 10'000'000) {
                return cli::usage_error("--accounts must be in 1..10000000");
            }
            config.accounts = static_cast<std::uint32_t>(*accounts);
        }
        if (auto rate = in.unsigned_option("rate")) {
            if (*rate == 0 || *rate > 100'000)
                return cli::usage_error("--rate must be in 1..100000");
            config.rate = static_cast<double>(*rate);
        }
        for (auto [name, field] : {std::pair{"kill-min-ms", &config.kill_min_ms},
                                   std::pair{"kill-max-ms", &config.kill_max_ms}}) {
            if (auto ms = in.unsigned_option(name)) {
                if (*ms > 600'000)
                    return cli::usage_error(std::string("--") + name + " is at most 600000");
                *field = static_cast<std::uint32_t>(*ms);
            }
        }
        if (config.kill_min_ms > config.kill_max_ms) {
            return cli::usage_error("--kill-min-ms must not exceed --kill-max-ms");
        }
        if (auto per = in.unsigned_option("kills-per-cluster")) {
            if (*per > node::kCrashtestKillsMax) {
                return cli::usage_error("--kills-per-cluster is at most " +
                                        std::to_string(node::kCrashtestKillsMax));
            }
            config.kills_per_cluster = static_cast<std::uint32_t>(*per);
        }
        if (auto dir = in.text_option("dir")) config.dir = *dir;
        config.keep = in.has_option("keep");
        if (auto sync = in.text_option("sync")) {
            if (*sync != "on" && *sync != "off")
                return cli::usage_error("--sync must be on or off");
            config.sync = *sync == "on";
        }
        return config;
    }

    static cli::Report make_report(const node::CrashtestConfig& config,
                                   const node::CrashtestReport& r) {
        cli::Report report;
        // The run removes its temporary directory unless told to keep it or a check failed.
        const bool kept = !r.violations.empty() || config.keep || !config.dir.empty();
        report.json = {
            {"mode", node::crash_mode_name(config.mode)},
            {"seed", config.seed},
            {"kills", r.kills},
            {"primary_kills", r.primary_kills},
            {"pre_executor_kills", r.pre_executor_kills},
            {"blackbox_kills", r.blackbox_kills},
            {"whitebox_kills", r.whitebox_kills},
            {"faults_fired", r.faults_fired},
            {"violations", r.violations.size()},
            {"violation_details", first_violations(r.violations)},
            {"recovery_ms_p50", r.recovery_ms_p50},
            {"recovery_ms_p99", r.recovery_ms_p99},
            {"recovery_ms_max", r.recovery_ms_max},
            {"submitted", r.submitted},
            {"acknowledged", r.acknowledged},
            {"resubmitted", r.resubmitted},
            {"refused", r.refused},
            {"ruled_out", r.ruled_out},
            {"client_reconnects", r.client_reconnects},
            {"logged_unapplied", r.logged_unapplied},
            {"commits", r.commits},
            {"clusters", r.clusters},
            {"digest", r.digest},
            {"sync", config.sync},
            {"pre_executors", config.pre_executors},
            {"workload", config.workload},
            {"dir", kept ? cli::Json(r.dir) : cli::Json(nullptr)},
        };
        std::string& text = report.text;
        cli::add_field(text, "kills",
                       std::to_string(r.kills) + " (" + std::to_string(r.primary_kills) +
                           " primary, " + std::to_string(r.pre_executor_kills) + " pre-executor; " +
                           std::to_string(r.blackbox_kills) + " blackbox, " +
                           std::to_string(r.whitebox_kills) + " at fault points)");
        std::string fired;
        for (const auto& [name, count] : r.faults_fired) {
            fired += (fired.empty() ? "" : ", ") + name + " " + std::to_string(count);
        }
        if (!fired.empty()) cli::add_field(text, "fault points", fired);
        cli::add_field(text, "violations", std::to_string(r.violations.size()));
        cli::add_field(text, "recovery",
                       "p50 " + common::fixed(r.recovery_ms_p50) + " ms, p99 " +
                           common::fixed(r.recovery_ms_p99) + " ms, max " +
                           common::fixed(r.recovery_ms_max) + " ms");
        cli::add_field(text, "acknowledged",
                       std::to_string(r.acknowledged) + " of " + std::to_string(r.submitted) +
                           " submitted (" + std::to_string(r.resubmitted) + " resubmissions)");
        cli::add_field(text, "replayed",
                       std::to_string(r.logged_unapplied) +
                           " batches ordered and logged but not applied at a kill, each applied "
                           "at its commit after the restart");
        if (r.client_reconnects > 0) {
            cli::add_field(text, "client reconnects",
                           std::to_string(r.client_reconnects) +
                               " (the primary dropped the oracle as a slow or silent client)");
        }
        cli::add_field(text, "commits", std::to_string(r.commits));
        cli::add_field(text, "digest", r.digest);
        cli::add_field(text, "seed", std::to_string(config.seed));
        if (kept) cli::add_field(text, "directory", r.dir);
        if (!r.violations.empty()) {
            report.json["replay_command"] = replay_command(config, r);
            std::string message = std::to_string(r.violations.size()) +
                                  " violation(s); the first: " + r.violations.front() +
                                  "\nreplay with: " + replay_command(config, r);
            report.verdict = Status{common::Code::kVerificationFailed, message};
        }
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "",
        .summary = "kill -9 a running cluster at seeded instants and check nothing is lost",
        .details =
            "Starts a primary and P pre-executors (remora-node) on loopback and submits the "
            "workload with its own client, which records every ExecutionSummary it is "
            "acknowledged. At instants drawn from the seed it kills the primary or a pre-executor "
            "with SIGKILL. After a primary kill it checks the store offline (it opens; "
            "remora-inspect "
            "digest --recompute and replay-verify match; every acknowledged transaction is in the "
            "store exactly once, where its summary says, with the same effects), restarts the "
            "primary on the same store and ports, and resubmits what was at risk: acknowledged "
            "transactions must come back with their original summary. A killed pre-executor is "
            "restarted and must rejoin. Recovery time is kill -9 to the restarted primary's first "
            "answer, without the offline checks. Whitebox mode instead starts every process armed "
            "with a fault point and hit count drawn from the seed (REMORA_FAULT), so that it dies "
            "by SIGKILL inside its own code; both arms half of them. Whitebox and both need the "
            "`faults` build (cmake --preset faults); any other build exits 2 saying so. Exit 65 "
            "on a violation, with the command that replays the seed.",
        .options =
            {
                {"mode", ArgKind::kText, "blackbox|whitebox|both", "how to crash", true},
                {"kills", ArgKind::kUnsigned, "N", "kills to make", true},
                {"seed", ArgKind::kUnsigned, "S", "seeds the victims, instants and workload", true},
                {"pre-executors", ArgKind::kUnsigned, "P", "pre-executors to start", false, "1"},
                {"workload", ArgKind::kText, "W", "transfer, counter, nft, amm, compute, mixed",
                 false, "transfer"},
                {"accounts", ArgKind::kUnsigned, "N", "workload accounts", false, "200"},
                {"rate", ArgKind::kUnsigned, "TPS", "transactions per second offered", false,
                 "300"},
                {"kill-min-ms", ArgKind::kUnsigned, "MS", "earliest kill after load resumes", false,
                 "50"},
                {"kill-max-ms", ArgKind::kUnsigned, "MS", "latest kill after load resumes", false,
                 "600"},
                {"kills-per-cluster", ArgKind::kUnsigned, "K",
                 "a fresh cluster every K kills, seeded S, S+1, ... (0: one cluster)", false, "0"},
                {"dir", ArgKind::kPath, "DIR", "where nodes and logs go (kept)", false,
                 "a temporary directory, removed unless a check or the harness failed"},
                {"keep", ArgKind::kFlag, "", "keep the temporary directory", false},
                {"sync", ArgKind::kText, "on|off", "the primary fsyncs every commit", false, "on"},
            },
    };
};

}  // namespace

const cli::ToolSpec& crashtest_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-crashtest",
        .summary = "crash recovery of a running Remora cluster, checked by an oracle",
        .docs_page = "docs/tools/remora-crashtest.md",
    };
    return tool;
}

std::vector<std::unique_ptr<cli::Command>> make_crashtest_commands() {
    std::vector<std::unique_ptr<cli::Command>> commands;
    commands.push_back(std::make_unique<CrashtestCommand>());
    return commands;
}

}  // namespace remora::tools::crashtest
