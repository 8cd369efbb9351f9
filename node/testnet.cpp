#include "node/testnet.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/format.h"
#include "net/tls.h"
#include "node/cluster_launch.h"
#include "node/config.h"
#include "node/http_server.h"
#include "node/node_files.h"
#include "node/process.h"
#include "recovery/file_io.h"

namespace remora::node {

using common::Code;
using common::Result;
using common::Status;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
// How long the testnet waits for the pre-executors' peer mesh before the load (wait_for_peer_mesh).
constexpr std::chrono::seconds kPeerMeshWait{15};

namespace {

Status interrupted_status() { return {Code::kUnsupported, "interrupted"}; }

// CPU time (user + system) of a process, in microseconds; nullopt when it is gone.
std::optional<std::uint64_t> process_cpu_us(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return std::nullopt;
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    std::uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    const long ticks = ::sysconf(_SC_CLK_TCK);
    return (utime + stime) * 1'000'000u / static_cast<std::uint64_t>(ticks > 0 ? ticks : 100);
}

class Testnet {
public:
    Testnet(const TestnetConfig& config, const std::atomic<bool>& interrupted,
            const TestnetProgress& progress)
        : m_config(config), m_interrupted(interrupted), m_progress(progress) {}

    Result<TestnetReport> run();

private:
    void say(const std::string& line) {
        if (m_progress) m_progress(line);
    }
    Status find_tools();
    Status prepare_dir();
    Status start_primary();
    Status start_pre_executor(std::uint32_t id);
    Status wait_for_json(const std::string& path, const char* key, ChildProcess& child,
                         const std::string& log, std::chrono::seconds limit, nlohmann::json& out);
    Result<LoadRound> run_round(double rate, double duration_s);
    Status stop_all();
    Status read_primary_stats();
    Status replay();
    Status child_failed(ChildProcess& child, const std::string& what, const std::string& log);
    // With peer links (the default) and 2 or more pre-executors: waits, at most
    // kPeerMeshWait, until each pre-executor's /metrics counts a ready link to every other, so
    // the load meets the steady state (forwards sent before a link is up are not relayed).
    // Says which are short if the wait runs out, and goes on.
    Status wait_for_peer_mesh();
    void add_coalesce_flag(std::vector<std::string>& argv) const {
        if (!m_config.coalesce_us) return;
        argv.insert(argv.end(), {"--net.coalesce_us", std::to_string(*m_config.coalesce_us)});
    }

    const TestnetConfig& m_config;
    const std::atomic<bool>& m_interrupted;
    const TestnetProgress& m_progress;
    std::string m_node_bin, m_loadgen_bin, m_inspect_bin;
    std::string m_dir;
    std::optional<ChildProcess> m_primary;
    std::vector<ChildProcess> m_pre_executors;
    std::uint16_t m_cluster_port = 0;
    std::uint16_t m_ingress_port = 0;
    std::uint16_t m_metrics_port = 0;
    // One row per second of load, all rounds (timeseries.csv).
    struct SeriesRow {
        std::size_t round = 0;
        std::size_t second = 0;
        double rate = 0;
        std::uint64_t submitted = 0, summaries = 0;
        double p50_ms = 0, p99_ms = 0;
        double primary_tps = 0, hit_rate = -1, primary_cpu_share = 0;  // hit_rate -1: none decided
        double pending = 0, ordered_batches = 0;
    };
    std::vector<SeriesRow> m_series;
    Status write_series();
    Status plot_series();
    std::uint64_t m_skip = 0;  // transactions of the workload's stream already offered
    TestnetReport m_report;
};

Status Testnet::find_tools() {
    auto node = find_tool("remora-node", "node");
    if (!node) return node.status();
    auto loadgen = find_tool("remora-loadgen", "loadgen");
    if (!loadgen) return loadgen.status();
    auto inspect = find_tool("remora-inspect", "inspect");
    if (!inspect) return inspect.status();
    m_node_bin = *node;
    m_loadgen_bin = *loadgen;
    m_inspect_bin = *inspect;
    return Status::ok();
}

Status Testnet::prepare_dir() {
    auto dir = prepare_run_dir(m_config.dir, "remora-testnet");
    if (!dir) return dir.status();
    m_dir = std::move(dir).value();
    return Status::ok();
}

Status Testnet::child_failed(ChildProcess& child, const std::string& what, const std::string& log) {
    const auto code = child.poll();
    return {Code::kIoError, what +
                                (code ? " exited with code " + std::to_string(*code) : " failed") +
                                "; the end of " + log + ":\n" + log_tail(log)};
}

Status Testnet::wait_for_json(const std::string& path, const char* key, ChildProcess& child,
                              const std::string& log, std::chrono::seconds limit,
                              nlohmann::json& out) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (m_interrupted) return interrupted_status();
        if (!child.running()) return child_failed(child, child.name(), log);
        if (auto json = read_json_file(path); json && json->contains(key)) {
            out = std::move(json).value();
            return Status::ok();
        }
        std::this_thread::sleep_for(50ms);
    }
    return {Code::kIoError, path + " did not say '" + key + "' within " +
                                std::to_string(limit.count()) + " s; the end of " + log + ":\n" +
                                log_tail(log)};
}

Status Testnet::wait_for_peer_mesh() {
    const std::uint32_t n = m_config.pre_executors;
    if (n < 2 || (m_config.peer_links && !*m_config.peer_links)) return Status::ok();
    const auto deadline = Clock::now() + kPeerMeshWait;
    std::vector<std::uint16_t> ports(n, 0);
    std::vector<double> links(n, -1);
    for (;;) {
        if (m_interrupted) return interrupted_status();
        bool all = true;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (links[i] >= n - 1) continue;
            const std::string name = "pre-executor-" + std::to_string(i + 1);
            if (!m_pre_executors[i].running()) {
                return child_failed(m_pre_executors[i], name, m_dir + "/" + name + ".log");
            }
            if (ports[i] == 0) {
                auto info = read_json_file(node_info_path(m_dir + "/" + name));
                if (info && info->contains("metrics_port")) {
                    ports[i] = (*info)["metrics_port"].get<std::uint16_t>();
                }
            }
            if (ports[i] != 0) {
                auto answer = http_get("127.0.0.1", ports[i], "/metrics", 500ms);
                if (answer && answer->status == 200) {
                    const std::string series = "\nremora_pre_executor_peer_links ";
                    const std::size_t at = answer->body.find(series);
                    if (at != std::string::npos) {
                        links[i] = std::strtod(answer->body.c_str() + at + series.size(), nullptr);
                    }
                }
            }
            all = all && links[i] >= n - 1;
        }
        if (all) {
            m_report.peer_mesh_ready = true;
            say("peer links: each pre-executor linked to its " + std::to_string(n - 1) +
                (n == 2 ? " peer" : " peers"));
            return Status::ok();
        }
        if (Clock::now() >= deadline) break;
        std::this_thread::sleep_for(50ms);
    }
    std::string short_of;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (links[i] >= n - 1) continue;
        short_of += (short_of.empty() ? "" : ", ") + std::string("pre-executor-") +
                    std::to_string(i + 1) + " (" +
                    (links[i] < 0 ? std::string("no figure") : common::fixed(links[i], 0)) + ")";
    }
    m_report.peer_mesh_ready = false;
    say("peer links: not all up after " + std::to_string(kPeerMeshWait.count()) +
        " s, short: " + short_of + "; starting the load anyway");
    return Status::ok();
}

Status Testnet::start_primary() {
    const std::string log = m_dir + "/primary.log";
    PrimaryLaunch launch;
    launch.node_bin = m_node_bin;
    launch.node_dir = m_dir + "/primary";
    launch.tls_dir = m_dir + "/tls";
    launch.workload = m_config.workload;
    launch.seed = m_config.seed;
    launch.accounts = m_config.accounts;
    launch.batch_timeout_ms = m_config.batch_timeout_ms;
    launch.consensus_delay_ms = m_config.consensus_delay_ms;
    launch.sync = m_config.sync;
    std::vector<std::string> argv = primary_command(launch);
    add_coalesce_flag(argv);
    if (m_config.tentative_order) {
        argv.insert(argv.end(),
                    {"--sequencer.tentative_order", *m_config.tentative_order ? "on" : "off"});
    }
    if (m_config.relay_results) {
        argv.insert(argv.end(),
                    {"--primary.relay_results", *m_config.relay_results ? "on" : "off"});
    }
    auto child = ChildProcess::spawn(argv, log, log);
    if (!child) return child.status();
    m_primary.emplace(std::move(child).value());
    auto ports = wait_for_ports(launch.node_dir, *m_primary, log, 120s, m_interrupted);
    if (!ports) return ports.status();
    m_cluster_port = ports->cluster;
    m_ingress_port = ports->ingress;
    m_metrics_port = ports->metrics;
    say("primary up (pid " + std::to_string(m_primary->pid()) +
        "): cluster 127.0.0.1:" + std::to_string(m_cluster_port) +
        " (mutual TLS), ingress 127.0.0.1:" + std::to_string(m_ingress_port));
    return Status::ok();
}

Status Testnet::start_pre_executor(std::uint32_t id) {
    const std::string name = "pre-executor-" + std::to_string(id);
    const std::string log = m_dir + "/" + name + ".log";
    PreExecutorLaunch launch;
    launch.node_bin = m_node_bin;
    launch.node_dir = m_dir + "/" + name;
    launch.tls_dir = m_dir + "/tls";
    launch.id = id;
    launch.primary_port = m_cluster_port;
    std::vector<std::string> argv = pre_executor_command(launch);
    add_coalesce_flag(argv);
    if (m_config.hold)
        argv.insert(argv.end(), {"--pre_executor.hold", *m_config.hold ? "on" : "off"});
    if (m_config.peer_links) {
        argv.insert(argv.end(), {"--pre_executor.peer_links", *m_config.peer_links ? "on" : "off"});
    }
    if (m_config.exec_threads) {
        argv.insert(argv.end(),
                    {"--pre_executor.exec_threads", std::to_string(*m_config.exec_threads)});
    }
    auto child = ChildProcess::spawn(argv, log, log);
    if (!child) return child.status();
    m_pre_executors.push_back(std::move(child).value());
    return Status::ok();
}

Result<LoadRound> Testnet::run_round(double rate, double duration_s) {
    const std::size_t index = m_report.rounds.size() + 1;
    const std::string out = m_dir + "/loadgen-" + std::to_string(index) + ".json";
    const std::string log = m_dir + "/loadgen.log";
    std::vector<std::string> argv = {m_loadgen_bin,
                                     "--target",
                                     "127.0.0.1:" + std::to_string(m_ingress_port),
                                     "--workload",
                                     m_config.workload,
                                     "--workload.seed",
                                     std::to_string(m_config.seed),
                                     "--workload.accounts",
                                     std::to_string(m_config.accounts),
                                     "--workload.skip",
                                     std::to_string(m_skip),
                                     "--rate",
                                     common::fixed(rate, 3),
                                     "--duration",
                                     common::fixed(duration_s, 3),
                                     "--json"};
    say("load: " + common::fixed(rate) + " tx/s for " + common::fixed(duration_s, 1) + " s");
    const auto cpu_before = process_cpu_us(m_primary->pid());
    auto child = ChildProcess::spawn(argv, out, log);
    if (!child) return child.status();
    const auto start = Clock::now();
    const auto limit = std::chrono::duration<double>(duration_s + 120);
    std::optional<int> code;
    auto last_say = start;
    // The primary's own counters, scraped every second while the load runs.
    struct Sample {
        double transactions = 0, adopted = 0, reexecuted = 0, pending = 0, ordered = 0, cpu = 0;
    };
    std::vector<Sample> samples;
    std::optional<double> round_hit_rate;
    auto next_sample = start;
    auto scrape = [&] {
        if (m_metrics_port == 0) return;
        auto answer = http_get("127.0.0.1", m_metrics_port, "/metrics", 500ms);
        if (!answer || answer->status != 200) return;
        const std::string& text = answer->body;
        auto value = [&text](const std::string& series) {
            const std::size_t at = text.find("\n" + series + " ");
            return at == std::string::npos
                       ? 0.0
                       : std::strtod(text.c_str() + at + series.size() + 2, nullptr);
        };
        samples.push_back(
            {value("remora_primary_transactions_total"), value("remora_primary_adopted_total"),
             value("remora_primary_reexecuted_total"), value("remora_primary_pending_transactions"),
             value("remora_primary_ordered_batches"), value("remora_process_cpu_seconds_total")});
    };
    while (!(code = child->poll())) {
        if (Clock::now() >= next_sample) {
            scrape();
            next_sample += 1s;
        }
        if (m_interrupted) return interrupted_status();
        if (!m_primary->running())
            return child_failed(*m_primary, "the primary", m_dir + "/primary.log");
        const auto now = Clock::now();
        if (now - start > limit) {
            child->stop(5s);
            return Status{Code::kIoError, "remora-loadgen did not finish in time"};
        }
        if (now - last_say >= 5s) {
            last_say = now;
            say("  ... " + common::fixed(std::chrono::duration<double>(now - start).count()) +
                " s");
        }
        std::this_thread::sleep_for(20ms);
    }
    const auto cpu_after = process_cpu_us(m_primary->pid());
    scrape();  // the round's last figures: its hit rate is between the first and this one
    if (samples.size() >= 2) {
        const double adopted = samples.back().adopted - samples.front().adopted;
        const double decided = adopted + samples.back().reexecuted - samples.front().reexecuted;
        round_hit_rate = decided > 0 ? adopted / decided : 0;
    }
    auto json = read_json_file(out);
    if (!json || !json->contains("summaries")) {
        return Status{Code::kIoError, "remora-loadgen (exit " + std::to_string(*code) +
                                          ") gave no report; the end of " + log + ":\n" +
                                          log_tail(log)};
    }
    const nlohmann::json& r = *json;
    LoadRound round;
    round.rate = rate;
    round.tps = r["tps"].get<double>();
    round.p50_ms = r["latency_ms"]["p50"].get<double>();
    round.p99_ms = r["latency_ms"]["p99"].get<double>();
    round.max_ms = r["latency_ms"]["max"].get<double>();
    round.submitted = r["submitted"].get<std::uint64_t>();
    round.committed = r["summaries"].get<std::uint64_t>();
    round.unanswered = r["unanswered"].get<std::uint64_t>();
    for (const auto& [reason, count] : r["refused"].items())
        round.refused += count.get<std::uint64_t>();
    if (cpu_before && cpu_after && round.committed > 0) {
        round.primary_cpu_us_per_tx =
            static_cast<double>(*cpu_after - *cpu_before) / static_cast<double>(round.committed);
    }
    round.hit_rate = round_hit_rate;
    round.sustained = round.unanswered == 0 && round.refused == 0 &&
                      round.p99_ms < m_config.p99_bound_ms && round.tps >= 0.9 * rate;
    m_skip += r["offered"].get<std::uint64_t>();
    // Per-second rows: the client's view (loadgen's series) beside the primary's (deltas of
    // its counters between scrapes).
    const nlohmann::json& series = r.contains("series") ? r["series"] : nlohmann::json::array();
    const std::size_t seconds =
        std::max<std::size_t>(series.size(), samples.empty() ? 0 : samples.size() - 1);
    for (std::size_t i = 0; i < seconds; ++i) {
        SeriesRow row;
        row.round = index;
        row.second = i;
        row.rate = rate;
        if (i < series.size()) {
            row.submitted = series[i]["submitted"].get<std::uint64_t>();
            row.summaries = series[i]["summaries"].get<std::uint64_t>();
            row.p50_ms = series[i]["p50_ms"].get<double>();
            row.p99_ms = series[i]["p99_ms"].get<double>();
        }
        if (i + 1 < samples.size()) {
            const Sample& a = samples[i];
            const Sample& b = samples[i + 1];
            row.primary_tps = b.transactions - a.transactions;
            const double decided = (b.adopted - a.adopted) + (b.reexecuted - a.reexecuted);
            row.hit_rate = decided > 0 ? (b.adopted - a.adopted) / decided : -1;
            row.primary_cpu_share = b.cpu - a.cpu;
            row.pending = b.pending;
            row.ordered_batches = b.ordered;
        }
        m_series.push_back(row);
    }
    say("  " + common::fixed(round.tps) + " tx/s committed, p50 " + common::fixed(round.p50_ms, 1) +
        " ms, p99 " + common::fixed(round.p99_ms, 1) + " ms" +
        (round.sustained ? "" : " (not sustained)"));
    m_report.rounds.push_back(round);
    return round;
}

Status Testnet::stop_all() {
    Status status;
    for (auto& pre : m_pre_executors) pre.signal(SIGTERM);
    for (std::size_t i = 0; i < m_pre_executors.size(); ++i) {
        // Signalled once above: a second SIGTERM would make a draining node exit at once (143).
        const std::optional<int> exited = m_pre_executors[i].wait_for(10s);
        const int code = exited ? *exited : m_pre_executors[i].stop(std::chrono::milliseconds(0));
        if (code != 0 && status.is_ok()) {
            const std::string log = m_dir + "/pre-executor-" + std::to_string(i + 1) + ".log";
            status = {Code::kIoError, "pre-executor " + std::to_string(i + 1) +
                                          " exited with code " + std::to_string(code) +
                                          "; the end of " + log + ":\n" + log_tail(log)};
        }
    }
    if (m_primary) {
        const int code = m_primary->stop(120s);
        if (code != 0) {
            return {Code::kIoError, "the primary exited with code " + std::to_string(code) +
                                        "; the end of " + m_dir + "/primary.log:\n" +
                                        log_tail(m_dir + "/primary.log")};
        }
    }
    return status;
}

Status Testnet::read_primary_stats() {
    auto stats = read_json_file(node_stats_path(m_dir + "/primary"));
    if (!stats) return stats.status().with_context("the primary's stats");
    const nlohmann::json& s = *stats;
    m_report.transactions = s["transactions"].get<std::uint64_t>();
    m_report.adopted = s["adopted"].get<std::uint64_t>();
    m_report.reexecuted = s["reexecuted"].get<std::uint64_t>();
    m_report.commits = s["commits"].get<std::uint64_t>();
    m_report.primary_digest = s["state_digest"].get<std::string>();
    for (const auto& [cause, count] : s["misses_by_cause"].items()) {
        m_report.misses_by_cause[cause] = count.get<std::uint64_t>();
    }
    const std::uint64_t decided = m_report.adopted + m_report.reexecuted;
    m_report.hit_rate =
        decided == 0 ? 0 : static_cast<double>(m_report.adopted) / static_cast<double>(decided);
    return Status::ok();
}

Status Testnet::replay() {
    say("replaying the primary's " + std::to_string(m_report.commits) +
        " commits with the sequential reference");
    const std::string out = m_dir + "/replay.json";
    const std::string log = m_dir + "/replay.log";
    const auto start = Clock::now();
    auto child = ChildProcess::spawn(
        {m_inspect_bin, "--db", m_dir + "/primary/store", "replay-verify", "--json"}, out, log);
    if (!child) return child.status();
    while (!child->poll()) {
        if (m_interrupted) return interrupted_status();
        std::this_thread::sleep_for(20ms);
    }
    m_report.replay_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    auto json = read_json_file(out);
    if (!json || !json->contains("match")) {
        return {Code::kIoError, "remora-inspect replay-verify gave no report; the end of " + log +
                                    ":\n" + log_tail(log)};
    }
    m_report.replay_digest = (*json)["replayed_digest"].get<std::string>();
    m_report.digest_match =
        (*json)["match"].get<bool>() && m_report.replay_digest == m_report.primary_digest;
    return Status::ok();
}

Status Testnet::write_series() {
    std::string csv =
        "round,second,offered_rate,submitted,committed,latency_p50_ms,latency_p99_ms,"
        "primary_tps,hit_rate,primary_cpu_cores,pending,ordered_batches\n";
    for (const SeriesRow& row : m_series) {
        csv += std::to_string(row.round) + "," + std::to_string(row.second) + "," +
               common::fixed(row.rate) + "," + std::to_string(row.submitted) + "," +
               std::to_string(row.summaries) + "," + common::fixed(row.p50_ms, 2) + "," +
               common::fixed(row.p99_ms, 2) + "," + common::fixed(row.primary_tps) + "," +
               (row.hit_rate < 0 ? std::string() : common::fixed(row.hit_rate, 4)) + "," +
               common::fixed(row.primary_cpu_share, 3) + "," + common::fixed(row.pending) + "," +
               common::fixed(row.ordered_batches) + "\n";
    }
    const std::string path = m_dir + "/timeseries.csv";
    (void)recovery::remove_tree(path);
    return recovery::write_file_synced(path, csv);
}

// timeseries.png with gnuplot: throughput and hit rate above, latency below.
Status Testnet::plot_series() {
    const std::string script = m_dir + "/timeseries.gnuplot";
    const std::string png = m_dir + "/timeseries.png";
    const std::string text =
        "set terminal pngcairo size 1000,700 noenhanced\n"
        "set output '" +
        png +
        "'\n"
        "set datafile separator ','\n"
        "set key bottom center horizontal\n"
        "set multiplot layout 2,1 title 'remora-testnet: " +
        std::to_string(m_config.pre_executors) + " pre-executors, " + m_config.workload +
        "'\n"
        "set ylabel 'transactions per second'\n"
        "set y2label 'hit rate'\n"
        "set y2range [0:1.05]\n"
        "set y2tics\n"
        "set xlabel 'second of load'\n"
        "plot '" +
        m_dir +
        "/timeseries.csv' using 0:4 every ::1 with lines title 'submitted', "
        "'' using 0:5 every ::1 with lines title 'committed (client)', "
        "'' using 0:9 every ::1 axes x1y2 with lines title 'hit rate'\n"
        "unset y2label\nunset y2tics\n"
        "set ylabel 'latency, ms'\n"
        "plot '" +
        m_dir +
        "/timeseries.csv' using 0:6 every ::1 with lines title 'p50', "
        "'' using 0:7 every ::1 with lines title 'p99'\n"
        "unset multiplot\n";
    (void)recovery::remove_tree(script);
    REMORA_RETURN_IF_ERROR(recovery::write_file_synced(script, text));
    auto gnuplot = ChildProcess::spawn({"/usr/bin/gnuplot", script}, m_dir + "/gnuplot.log",
                                       m_dir + "/gnuplot.log");
    if (!gnuplot) return gnuplot.status();
    auto code = gnuplot->wait_for(60s);
    if (!code || *code != 0 || !recovery::path_exists(png)) {
        return {Code::kIoError, "gnuplot did not draw " + png + " (install gnuplot-nox; its log: " +
                                    log_tail(m_dir + "/gnuplot.log", 400) + ")"};
    }
    say("plot: " + png);
    return Status::ok();
}

Result<TestnetReport> Testnet::run() {
    REMORA_RETURN_IF_ERROR(validate_testnet_config(m_config));
    REMORA_RETURN_IF_ERROR(find_tools());
    REMORA_RETURN_IF_ERROR(prepare_dir());
    m_report.dir = m_dir;
    m_report.pre_executors = m_config.pre_executors;
    say("testnet in " + m_dir + ": a primary and " + std::to_string(m_config.pre_executors) +
        " pre-executors, workload " + m_config.workload);
    std::vector<std::string> names = {"primary"};
    for (std::uint32_t i = 1; i <= m_config.pre_executors; ++i) {
        names.push_back("pre-executor-" + std::to_string(i));
    }
    REMORA_RETURN_IF_ERROR(net::write_cluster_credentials(m_dir + "/tls", names, 24h));

    Status status = [&]() -> Status {
        REMORA_RETURN_IF_ERROR(start_primary());
        for (std::uint32_t id = 1; id <= m_config.pre_executors; ++id) {
            REMORA_RETURN_IF_ERROR(start_pre_executor(id));
        }
        for (std::uint32_t id = 1; id <= m_config.pre_executors; ++id) {
            const std::string name = "pre-executor-" + std::to_string(id);
            nlohmann::json info;
            REMORA_RETURN_IF_ERROR(wait_for_json(node_info_path(m_dir + "/" + name),
                                                 "joined_commit", m_pre_executors[id - 1],
                                                 m_dir + "/" + name + ".log", 120s, info));
            say(name + " joined at commit " +
                std::to_string(info["joined_commit"].get<std::uint64_t>()));
        }
        REMORA_RETURN_IF_ERROR(wait_for_peer_mesh());
        if (m_config.rate) {
            auto round = run_round(*m_config.rate, m_config.duration_s);
            if (!round) return round.status();
            m_report.best = *round;
            return Status::ok();
        }
        // The highest sustained rate: double until a round fails, then bisect a few times.
        double low = 0, high = 0, rate = 1000;
        for (int i = 0; i < 8; ++i) {
            auto round = run_round(rate, m_config.duration_s);
            if (!round) return round.status();
            if (round->sustained) {
                if (round->tps > m_report.best.tps) m_report.best = *round;
                low = rate;
            } else {
                high = rate;
            }
            if (high == 0) {
                rate *= 2;
            } else if (low == 0) {
                rate /= 2;
                if (rate < 50) break;
            } else {
                if (high - low <= 0.1 * low) break;
                rate = (low + high) / 2;
            }
        }
        if (low == 0) m_report.best = m_report.rounds.back();
        return Status::ok();
    }();
    Status stopped = stop_all();
    if (!status.is_ok()) return status;
    REMORA_RETURN_IF_ERROR(stopped);
    REMORA_RETURN_IF_ERROR(read_primary_stats());
    REMORA_RETURN_IF_ERROR(write_series());
    if (m_config.plot) REMORA_RETURN_IF_ERROR(plot_series());
    REMORA_RETURN_IF_ERROR(replay());
    m_report.primary_cpu_us_per_tx = m_report.best.primary_cpu_us_per_tx;
    if (m_config.dir.empty() && !m_config.keep && !m_config.plot) {
        if (Status s = recovery::remove_tree(m_dir); !s)
            say("could not remove " + m_dir + ": " + s.message());
    }
    return m_report;
}

}  // namespace

Status validate_testnet_config(const TestnetConfig& config) {
    if (config.pre_executors > kTestnetPreExecutorsMax) {
        return {Code::kInvalidArgument,
                "--pre-executors is at most " + std::to_string(kTestnetPreExecutorsMax)};
    }
    if (!(config.duration_s > 0) || config.duration_s > 86'400) {
        return {Code::kInvalidArgument, "--duration must be in (0, 86400] seconds"};
    }
    if (config.rate && (!(*config.rate > 0) || *config.rate > 10'000'000)) {
        return {Code::kInvalidArgument, "--rate must be in (0, 10000000]"};
    }
    if (!(config.p99_bound_ms > 0)) return {Code::kInvalidArgument, "--p99-bound-ms must be > 0"};
    return Status::ok();
}

Result<TestnetReport> run_testnet(const TestnetConfig& config, const std::atomic<bool>& interrupted,
                                  const TestnetProgress& progress) {
    Testnet testnet(config, interrupted, progress);
    return testnet.run();
}

}  // namespace remora::node
