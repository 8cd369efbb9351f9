// `remora-testnet run --pre-executors P --workload W --duration SECONDS [--rate TPS] [--dir DIR]
// [--json]`: a local cluster of real processes, loaded, stopped and replayed.

#include <csignal>
#include <cstdio>

#include "common/format.h"
#include "node/testnet.h"
#include "tools/cli/interrupt.h"
#include "tools/testnet/testnet_command.h"

namespace remora::tools::testnet {
namespace {

using cli::ArgKind;
using common::Status;

class RunCommand final : public cli::Command {
public:
    const cli::CommandSpec& spec() const override { return m_spec; }

    Status check(const cli::Invocation& invocation) const override {
        auto config = make_config(invocation);
        if (!config) return config.status();
        if (auto s = node::validate_testnet_config(*config); !s)
            return cli::usage_error(s.message());
        return Status::ok();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        auto config = make_config(context.invocation);
        if (!config) return config.status();
        const std::atomic<bool>& interrupted = cli::interrupt_flag();
        const bool quiet = context.invocation.json && !context.progress;
        auto report = node::run_testnet(*config, interrupted, [quiet](const std::string& line) {
            if (!quiet) std::fprintf(stderr, "[testnet] %s\n", line.c_str());
        });
        if (!report) return report.status();
        return make_report(*config, *report);
    }

    static common::Result<node::TestnetConfig> make_config(const cli::Invocation& in) {
        node::TestnetConfig config;
        const std::uint64_t pre = *in.unsigned_option("pre-executors");
        if (pre > node::kTestnetPreExecutorsMax) {
            return cli::usage_error("--pre-executors is at most " +
                                    std::to_string(node::kTestnetPreExecutorsMax));
        }
        config.pre_executors = static_cast<std::uint32_t>(pre);
        config.workload = *in.text_option("workload");
        auto duration = cli::parse_positive_number(*in.text_option("duration"));
        if (!duration) return cli::usage_error("--duration must be a positive number of seconds");
        config.duration_s = *duration;
        if (auto rate = in.text_option("rate")) {
            auto value = cli::parse_positive_number(*rate);
            if (!value)
                return cli::usage_error(
                    "--rate must be a positive number of transactions per second");
            config.rate = *value;
        }
        if (auto bound = in.text_option("p99-bound-ms")) {
            auto value = cli::parse_positive_number(*bound);
            if (!value) return cli::usage_error("--p99-bound-ms must be a positive number");
            config.p99_bound_ms = *value;
        }
        if (auto dir = in.text_option("dir")) config.dir = *dir;
        config.keep = in.has_option("keep");
        config.plot = in.has_option("plot");
        if (auto seed = in.unsigned_option("seed")) config.seed = *seed;
        if (auto accounts = in.unsigned_option("accounts")) {
            if (*accounts == 0 || *accounts > 10'000'000) {
                return cli::usage_error("--accounts must be in 1..10000000");
            }
            config.accounts = static_cast<std::uint32_t>(*accounts);
        }
        if (auto ms = in.unsigned_option("batch-timeout-ms")) {
            if (*ms == 0 || *ms > 60'000)
                return cli::usage_error("--batch-timeout-ms must be in 1..60000");
            config.batch_timeout_ms = static_cast<std::uint32_t>(*ms);
        }
        if (auto ms = in.unsigned_option("consensus-delay-ms")) {
            if (*ms > 60'000) return cli::usage_error("--consensus-delay-ms is at most 60000");
            config.consensus_delay_ms = static_cast<std::uint32_t>(*ms);
        }
        if (auto us = in.unsigned_option("coalesce-us")) {
            if (*us > 1'000'000) return cli::usage_error("--coalesce-us is at most 1000000");
            config.coalesce_us = static_cast<std::uint32_t>(*us);
        }
        if (auto sync = in.text_option("sync")) {
            if (*sync != "on" && *sync != "off")
                return cli::usage_error("--sync must be on or off");
            config.sync = *sync == "on";
        }
        if (auto threads = in.unsigned_option("exec-threads")) {
            if (*threads == 0 || *threads > 64)
                return cli::usage_error("--exec-threads must be in 1..64");
            config.exec_threads = static_cast<std::uint32_t>(*threads);
        }
        for (const auto& [name, field] :
             {std::pair{"tentative-order", &node::TestnetConfig::tentative_order},
              std::pair{"relay-results", &node::TestnetConfig::relay_results},
              std::pair{"hold", &node::TestnetConfig::hold},
              std::pair{"peer-links", &node::TestnetConfig::peer_links}}) {
            if (auto value = in.text_option(name)) {
                if (*value != "on" && *value != "off") {
                    return cli::usage_error(std::string("--") + name + " must be on or off");
                }
                config.*field = *value == "on";
            }
        }
        return config;
    }

    static cli::Report make_report(const node::TestnetConfig& config,
                                   const node::TestnetReport& r) {
        cli::Report report;
        cli::Json misses = cli::Json::object();
        for (const auto& [cause, count] : r.misses_by_cause) misses[cause] = count;
        cli::Json rounds = cli::Json::array();
        for (const auto& round : r.rounds) {
            rounds.push_back(
                {{"rate", round.rate},
                 {"tps", round.tps},
                 {"latency_ms",
                  {{"p50", round.p50_ms}, {"p99", round.p99_ms}, {"max", round.max_ms}}},
                 {"committed", round.committed},
                 {"refused", round.refused},
                 {"unanswered", round.unanswered},
                 {"primary_cpu_us_per_tx", round.primary_cpu_us_per_tx},
                 {"hit_rate", round.hit_rate ? cli::Json(*round.hit_rate) : cli::Json()},
                 {"sustained", round.sustained}});
        }
        report.json = {
            {"mode", "testnet"},
            {"pre_executors", r.pre_executors},
            {"workload", config.workload},
            {"rate", r.best.rate},
            {"rate_searched", !config.rate.has_value()},
            {"duration", config.duration_s},
            {"tps", r.best.tps},
            {"latency_ms",
             {{"p50", r.best.p50_ms}, {"p99", r.best.p99_ms}, {"max", r.best.max_ms}}},
            {"transactions", r.transactions},
            {"commits", r.commits},
            {"hit_rate", r.best.hit_rate.value_or(r.hit_rate)},
            {"hit_rate_all_rounds", r.hit_rate},
            {"adopted", r.adopted},
            {"reexecuted", r.reexecuted},
            {"misses_by_cause", misses},
            {"primary_cpu_us_per_tx", r.primary_cpu_us_per_tx},
            {"digest", r.primary_digest},
            {"reference_digest", r.replay_digest},
            {"digest_match", r.digest_match},
            {"replay_seconds", r.replay_seconds},
            {"peer_mesh_ready", r.peer_mesh_ready ? cli::Json(*r.peer_mesh_ready) : cli::Json()},
            {"rounds", rounds},
            {"dir", r.dir},
        };
        std::string& text = report.text;
        cli::add_field(text, "cluster",
                       "1 primary + " + std::to_string(r.pre_executors) +
                           " pre-executors, workload " + config.workload);
        cli::add_field(text, "offered",
                       common::fixed(r.best.rate) + " tx/s" +
                           (config.rate ? "" : " (highest sustained, searched)"));
        cli::add_field(text, "throughput", common::fixed(r.best.tps) + " tx/s committed");
        cli::add_field(text, "latency",
                       "p50 " + common::fixed(r.best.p50_ms, 1) + " ms, p99 " +
                           common::fixed(r.best.p99_ms, 1) + " ms, max " +
                           common::fixed(r.best.max_ms, 1) + " ms");
        cli::add_field(text, "hit rate",
                       common::fixed(100 * r.best.hit_rate.value_or(r.hit_rate), 2) +
                           "% in the reported round; all rounds " +
                           common::fixed(100 * r.hit_rate, 2) + "% (" + std::to_string(r.adopted) +
                           " adopted, " + std::to_string(r.reexecuted) + " re-executed)");
        std::string causes;
        for (const auto& [cause, count] : r.misses_by_cause) {
            if (count > 0)
                causes += (causes.empty() ? "" : ", ") + cause + " " + std::to_string(count);
        }
        cli::add_field(text, "misses", causes.empty() ? "none" : causes);
        cli::add_field(text, "primary CPU",
                       common::fixed(r.primary_cpu_us_per_tx, 1) + " us per transaction");
        cli::add_field(text, "digest", r.primary_digest);
        cli::add_field(text, "replayed digest", r.replay_digest);
        cli::add_field(text, "digest match", r.digest_match ? "yes" : "NO");
        if (config.keep || config.plot || !config.dir.empty()) {
            cli::add_field(text, "directory", r.dir);
            cli::add_field(text, "time series",
                           r.dir + "/timeseries.csv" + (config.plot ? ", timeseries.png" : ""));
        }
        if (!r.digest_match) {
            report.verdict = Status{common::Code::kVerificationFailed,
                                    "the primary's digest " + r.primary_digest +
                                        " differs from the sequential replay's " + r.replay_digest};
        }
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "run",
        .summary = "run a local cluster of real processes under load, then replay it",
        .details =
            "Generates cluster credentials, starts a primary and P pre-executors (remora-node) on "
            "loopback, waits until every pre-executor has bootstrapped from the primary's "
            "snapshot, "
            "drives the workload with remora-loadgen, stops every process with SIGTERM, and "
            "replays the commits the primary persisted with the sequential reference "
            "(remora-inspect replay-verify). Without --rate it searches for the highest rate "
            "whose rounds of --duration seconds keep p99 under --p99-bound-ms with nothing "
            "refused or lost. Exit 65 when the replay's digest differs.",
        .options =
            {
                {"pre-executors", ArgKind::kUnsigned, "P", "pre-executors to start", true},
                {"workload", ArgKind::kText, "W", "transfer, counter, nft, amm, compute, mixed",
                 true},
                {"duration", ArgKind::kText, "SECONDS", "of load (per round when searching)", true},
                {"rate", ArgKind::kText, "TPS", "offered rate; absent: search", false},
                {"dir", ArgKind::kPath, "DIR", "where nodes, logs and reports go (kept)", false,
                 "a temporary directory, removed"},
                {"keep", ArgKind::kFlag, "", "keep the temporary directory", false},
                {"plot", ArgKind::kFlag, "",
                 "draw DIR/timeseries.png from DIR/timeseries.csv with gnuplot (keeps the "
                 "directory)",
                 false},
                {"seed", ArgKind::kUnsigned, "S", "workload seed", false, "1"},
                {"accounts", ArgKind::kUnsigned, "N", "workload accounts", false, "1000"},
                {"p99-bound-ms", ArgKind::kText, "MS", "the search's latency bound", false, "1000"},
                {"batch-timeout-ms", ArgKind::kUnsigned, "MS", "the sequencer's batch timeout",
                 false, "20"},
                {"consensus-delay-ms", ArgKind::kUnsigned, "MS", "batch cut to ordered commit",
                 false, "50"},
                {"sync", ArgKind::kText, "on|off", "the primary fsyncs every commit", false, "on"},
                {"tentative-order", ArgKind::kText, "on|off",
                 "the primary's sequencer.tentative_order (batch orders to pre-executors)", false,
                 "on"},
                {"relay-results", ArgKind::kText, "on|off",
                 "the primary's primary.relay_results (results relayed to the other "
                 "pre-executors)",
                 false, "on"},
                {"hold", ArgKind::kText, "on|off",
                 "every pre-executor's pre_executor.hold (hold transactions for inputs coming "
                 "from another)",
                 false, "off"},
                {"peer-links", ArgKind::kText, "on|off",
                 "every pre-executor's pre_executor.peer_links (results forwarded straight to "
                 "the other pre-executors, not relayed by the primary)",
                 false, "on"},
                {"exec-threads", ArgKind::kUnsigned, "N",
                 "every pre-executor's pre_executor.exec_threads (threads executing a batch)",
                 false, "the node's: the machine's cores, at most 8"},
                {"coalesce-us", ArgKind::kUnsigned, "US",
                 "every node's net.coalesce_us (cluster-link write coalescing; 0: off)", false,
                 "1000"},
            },
    };
};

}  // namespace

const cli::ToolSpec& testnet_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-testnet",
        .summary = "a local Remora cluster of real processes, under load, checked by replay",
        .docs_page = "docs/tools/remora-testnet.md",
    };
    return tool;
}

std::vector<std::unique_ptr<cli::Command>> make_testnet_commands() {
    std::vector<std::unique_ptr<cli::Command>> commands;
    commands.push_back(std::make_unique<RunCommand>());
    return commands;
}

}  // namespace remora::tools::testnet
