// remora-loadgen --target HOST:PORT --workload W --rate TPS --duration SECONDS [--json]: an
// open-loop client of a primary's ingress port (docs/tools/remora-loadgen.md).

#include <cmath>
#include <cstdio>

#include "node/load_generator.h"
#include "tools/loadgen/loadgen_command.h"

namespace remora::tools::loadgen {
namespace {

using cli::ArgKind;
using common::Status;

class LoadgenCommand final : public cli::Command {
public:
    const cli::CommandSpec& spec() const override { return m_spec; }

    Status check(const cli::Invocation& invocation) const override {
        auto config = make_config(invocation);
        if (!config) return config.status();
        if (auto s = node::validate_load_config(*config); !s) return cli::usage_error(s.message());
        return Status::ok();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        auto config = make_config(context.invocation);
        if (!config) return config.status();
        const bool progress = context.progress;
        auto report = node::run_load(*config, [progress](const node::LoadReport& so_far) {
            if (!progress) return;
            std::fprintf(stderr, "\rsubmitted %llu, committed %llu, waiting %llu   ",
                         static_cast<unsigned long long>(so_far.submitted),
                         static_cast<unsigned long long>(so_far.summaries),
                         static_cast<unsigned long long>(so_far.unanswered));
        });
        if (progress) std::fprintf(stderr, "\n");
        if (!report) return report.status();
        return make_report(*config, *report);
    }

    static common::Result<node::LoadConfig> make_config(const cli::Invocation& invocation) {
        node::LoadConfig config;
        const cli::HostPort target = *invocation.host_port_option("target");
        config.host = target.host;
        config.port = target.port;
        config.workload.name = *invocation.text_option("workload");
        auto rate = cli::parse_positive_number(*invocation.text_option("rate"));
        if (!rate)
            return cli::usage_error("--rate must be a positive number of transactions per second");
        config.rate = *rate;
        auto duration = cli::parse_positive_number(*invocation.text_option("duration"));
        if (!duration) return cli::usage_error("--duration must be a positive number of seconds");
        config.duration_s = *duration;
        if (auto seed = invocation.unsigned_option("workload.seed")) config.workload.seed = *seed;
        if (auto accounts = invocation.unsigned_option("workload.accounts")) {
            if (*accounts > UINT32_MAX) return cli::usage_error("--workload.accounts is too large");
            config.workload.accounts = static_cast<std::uint32_t>(*accounts);
        }
        if (auto skip = invocation.unsigned_option("workload.skip")) config.skip = *skip;
        if (auto drain = invocation.unsigned_option("drain-timeout-ms")) {
            if (*drain > 3'600'000)
                return cli::usage_error("--drain-timeout-ms is at most 3600000");
            config.drain_timeout_ms = static_cast<std::uint32_t>(*drain);
        }
        return config;
    }

    static cli::Report make_report(const node::LoadConfig& config, const node::LoadReport& r) {
        cli::Report report;
        cli::Json refused = cli::Json::object();
        std::uint64_t refused_total = 0;
        for (const auto& [reason, count] : r.refused) {
            refused[reason] = count;
            refused_total += count;
        }
        report.json = {
            {"target", config.host + ":" + std::to_string(config.port)},
            {"workload", config.workload.name},
            {"rate", config.rate},
            {"duration", config.duration_s},
            {"offered", r.offered},
            {"submitted", r.submitted},
            {"summaries", r.summaries},
            {"succeeded", r.succeeded},
            {"aborted", r.aborted},
            {"refused", refused},
            {"unanswered", r.unanswered},
            {"protocol_errors", r.protocol_errors},
            {"connection_error", r.connection_error},
            {"seconds", r.seconds},
            {"offered_tps", r.offered_tps},
            {"tps", r.committed_tps},
            {"latency_ms",
             {{"p50", r.latency_ms_p50},
              {"p90", r.latency_ms_p90},
              {"p99", r.latency_ms_p99},
              {"max", r.latency_ms_max}}},
        };
        cli::Json series = cli::Json::array();
        for (const node::LoadSecond& second : r.series) {
            series.push_back({{"submitted", second.submitted},
                              {"summaries", second.summaries},
                              {"p50_ms", second.latency_ms_p50},
                              {"p99_ms", second.latency_ms_p99}});
        }
        report.json["series"] = std::move(series);
        std::string& text = report.text;
        char line[160];
        cli::add_field(text, "target", config.host + ":" + std::to_string(config.port));
        std::snprintf(line, sizeof line, "%.0f tx/s for %.1f s (%llu transactions)", config.rate,
                      config.duration_s, static_cast<unsigned long long>(r.offered));
        cli::add_field(text, "offered", line);
        cli::add_field(text, "committed", r.summaries);
        cli::add_field(text, "  succeeded", r.succeeded);
        cli::add_field(text, "  aborted", r.aborted);
        cli::add_field(text, "refused", refused_total);
        cli::add_field(text, "unanswered", r.unanswered);
        std::snprintf(line, sizeof line, "%.0f tx/s", r.committed_tps);
        cli::add_field(text, "throughput", line);
        std::snprintf(line, sizeof line, "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                      r.latency_ms_p50, r.latency_ms_p90, r.latency_ms_p99, r.latency_ms_max);
        cli::add_field(text, "latency", line);
        if (!r.connection_error.empty()) cli::add_field(text, "connection", r.connection_error);
        if (r.unanswered > 0 || !r.connection_error.empty()) {
            report.verdict =
                Status{common::Code::kIoError,
                       std::to_string(r.unanswered) + " transactions got no answer" +
                           (r.connection_error.empty() ? "" : " (" + r.connection_error + ")")};
        }
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "",
        .summary = "submit a workload to a primary at a fixed rate and measure latency",
        .details =
            "Prepares rate x duration transactions of the workload (off the clock), then submits "
            "them over one connection at the given rate whatever the node answers (open loop), "
            "and reports throughput, latency from submission to ExecutionSummary (p50, p90, p99, "
            "max) and refusals by reason. The workload and its seed must be the ones the primary's "
            "genesis was made with. Exit 1 when some transactions got no answer.",
        .options =
            {
                {"target", ArgKind::kHostPort, "HOST:PORT", "the primary's ingress port", true},
                {"workload", ArgKind::kText, "W", "the workload (as the primary's genesis)", true},
                {"rate", ArgKind::kText, "TPS", "transactions per second", true},
                {"duration", ArgKind::kText, "SECONDS", "how long to submit", true},
                {"workload.seed", ArgKind::kUnsigned, "S", "the workload seed", false, "1"},
                {"workload.accounts", ArgKind::kUnsigned, "N", "the workload's accounts", false,
                 "1000"},
                {"workload.skip", ArgKind::kUnsigned, "N",
                 "transactions of the stream an earlier run already submitted", false, "0"},
                {"drain-timeout-ms", ArgKind::kUnsigned, "MS",
                 "after the last submission, wait this long for answers", false, "10000"},
            },
    };
};

}  // namespace

const cli::ToolSpec& loadgen_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-loadgen",
        .summary = "an open-loop client of a Remora primary",
        .docs_page = "docs/tools/remora-loadgen.md",
    };
    return tool;
}

std::vector<std::unique_ptr<cli::Command>> make_loadgen_commands() {
    std::vector<std::unique_ptr<cli::Command>> commands;
    commands.push_back(std::make_unique<LoadgenCommand>());
    return commands;
}

}  // namespace remora::tools::loadgen
