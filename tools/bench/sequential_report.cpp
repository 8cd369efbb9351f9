#include "tools/bench/sequential_report.h"

#include <cstdio>
#include <utility>
#include <vector>

namespace remora::tools::bench {
namespace {

using executor::abort_code_name;
using executor::AbortCode;
using executor::ExecutionPhase;
using Json = nlohmann::ordered_json;

// The breakdown's parts with their names, in report order.
std::vector<std::pair<const char*, double>> breakdown_parts(const TimeBreakdown& b) {
    return {{"authenticators", b.authenticators},
            {"state_reads", b.state_reads},
            {"program_load", b.program_load},
            {"vm", b.vm},
            {"persist", b.persist},
            {"other", b.other}};
}

double per_tx_us(double seconds, std::uint64_t txs) {
    return txs > 0 ? seconds * 1e6 / static_cast<double>(txs) : 0;
}

Json status_counts_json(const SequentialBenchResult& r) {
    Json counts = Json::object();
    for (std::size_t code = 0; code < r.status_counts.size(); ++code) {
        if (r.status_counts[code] == 0) continue;
        counts[abort_code_name(static_cast<AbortCode>(code))] = r.status_counts[code];
    }
    return counts;
}

Json first_unexpected_json(const SequentialBenchResult& r) {
    if (!r.first_unexpected) return nullptr;
    const UnexpectedStatus& u = *r.first_unexpected;
    return {{"tx", u.tx_index},
            {"expected", abort_code_name(u.expected)},
            {"got", abort_code_name(u.got)},
            {"detail", u.detail}};
}

void add_breakdown_json(const SequentialBenchResult& r, Json& j) {
    if (!r.phases) {
        j["breakdown_s"] = nullptr;
        j["per_tx_us"] = nullptr;
        j["phases_s"] = nullptr;
        j["state_reads"] = nullptr;
        return;
    }
    Json seconds = Json::object();
    Json micros = Json::object();
    for (const auto& [name, value] : breakdown_parts(time_breakdown(r))) {
        seconds[name] = value;
        micros[name] = per_tx_us(value, r.txs);
    }
    micros["total"] = per_tx_us(r.seconds, r.txs);
    j["breakdown_s"] = std::move(seconds);
    j["per_tx_us"] = std::move(micros);
    Json phases = Json::object();
    for (std::size_t p = 0; p < executor::kExecutionPhaseCount; ++p) {
        phases[executor::execution_phase_name(static_cast<ExecutionPhase>(p))] =
            r.phases->phase_seconds[p];
    }
    j["phases_s"] = std::move(phases);
    j["state_reads"] = r.phases->reads;
}

std::string format(const char* pattern, double a, double b = 0, double c = 0) {
    char line[160];
    std::snprintf(line, sizeof(line), pattern, a, b, c);
    return line;
}

std::string breakdown_text(const SequentialBenchResult& r) {
    if (!r.phases) {
        return "  time: execute " + format("%.3f s", r.execute_s) + ", persist " +
               format("%.3f s", r.persist_s) + " (breakdown off)\n";
    }
    std::string out = "  where the time went (wall clock, inside execute_commit):\n";
    char line[160];
    std::snprintf(line, sizeof(line), "    %-16s %10s %8s %10s\n", "part", "seconds", "share",
                  "us/tx");
    out += line;
    for (const auto& [name, value] : breakdown_parts(time_breakdown(r))) {
        double share = r.seconds > 0 ? 100.0 * value / r.seconds : 0;
        std::snprintf(line, sizeof(line), "    %-16s %10.3f %7.1f%% %10.2f\n", name, value, share,
                      per_tx_us(value, r.txs));
        out += line;
    }
    std::snprintf(line, sizeof(line), "    %-16s %10.3f %7.1f%% %10.2f\n", "total", r.seconds,
                  100.0, per_tx_us(r.seconds, r.txs));
    out += line;
    out += "    (" + std::to_string(r.phases->reads) + " state reads)\n";
    return out;
}

}  // namespace

Json sequential_report_json(const SequentialBenchResult& r) {
    const SequentialBenchOptions& o = r.options;
    const executor::workload::WorkloadConfig& w = o.workload;
    Json j;
    j["mode"] = "sequential";
    j["workload"] = r.workload_name;
    j["txs"] = r.txs;
    j["txs_requested"] = o.txs;
    j["workload_exhausted"] = r.workload_exhausted;
    j["commits"] = r.commits;
    j["seed"] = w.seed;
    j["seconds"] = r.seconds;
    j["tps"] = tps(r);
    j["cpu_s"] = r.cpu_s;
    j["cpu_tps"] = r.cpu_s > 0 ? static_cast<double>(r.txs) / r.cpu_s : 0;
    j["digest"] = r.digest_hex;
    j["digest_verified"] = r.digest_verified;
    j["live_objects"] = r.live_objects;
    j["status_counts"] = status_counts_json(r);
    j["unexpected_status"] = r.unexpected_status;
    j["first_unexpected"] = first_unexpected_json(r);
    j["gas_used"] = r.gas_used;
    add_breakdown_json(r, j);
    j["execute_s"] = r.execute_s;
    j["persist_s"] = r.persist_s;
    j["genesis_objects"] = r.genesis_objects;
    j["genesis_commits"] = r.genesis_commits;
    j["genesis_s"] = r.genesis_s;
    j["generate_s"] = r.generate_s;
    j["verify_s"] = r.verify_s;
    j["run_seconds"] = r.run_seconds;
    j["sync"] = o.sync;
    j["accounts"] = w.accounts;
    j["skew"] = w.zipf_theta;
    j["contention"] = w.shared_objects;
    j["invalid_sig_rate"] = w.invalid_signature_rate;
    j["batch"] = w.batch_size;
    j["compute_rounds"] = w.compute_rounds;
    j["db"] = o.db_dir.empty() ? Json(nullptr) : Json(o.db_dir);
    return j;
}

std::string sequential_report_text(const SequentialBenchResult& r) {
    const SequentialBenchOptions& o = r.options;
    std::string out = "remora-bench sequential: workload " + r.workload_name + ", seed " +
                      std::to_string(o.workload.seed) + ", sync " + (o.sync ? "on" : "off") + "\n";
    out += "  " + std::to_string(r.txs) + " transactions in " + std::to_string(r.commits) +
           " commits after a genesis of " + std::to_string(r.genesis_objects) + " objects";
    out += r.workload_exhausted ? " (the trace ended before --txs " + std::to_string(o.txs) + ")\n"
                                : "\n";
    out += format("  throughput: %.1f tx/s (%.3f s); per thread-CPU second: %.1f tx\n", tps(r),
                  r.seconds, r.cpu_s > 0 ? static_cast<double>(r.txs) / r.cpu_s : 0);
    out += "  statuses:";
    for (std::size_t code = 0; code < r.status_counts.size(); ++code) {
        if (r.status_counts[code] == 0) continue;
        out += std::string(" ") + abort_code_name(static_cast<AbortCode>(code)) + " " +
               std::to_string(r.status_counts[code]);
    }
    out += "; unexpected: " + std::to_string(r.unexpected_status) + "\n";
    if (r.first_unexpected) {
        const UnexpectedStatus& u = *r.first_unexpected;
        out += "    first: tx " + std::to_string(u.tx_index) + " expected " +
               abort_code_name(u.expected) + ", got " + abort_code_name(u.got) + " (" + u.detail +
               ")\n";
    }
    out += breakdown_text(r);
    out += format("  not timed: genesis %.3f s, generating and signing %.3f s, verify %.3f s\n",
                  r.genesis_s, r.generate_s, r.verify_s);
    out += "  digest: " + r.digest_hex +
           (r.digest_verified ? " (verified by recompute)\n"
                              : " (MISMATCH with recompute " + r.recomputed_digest_hex + ")\n");
    out += o.db_dir.empty() ? "  store: temporary, removed\n"
                            : "  store: " + r.store_dir + " (kept; remora-inspect --db " +
                                  r.store_dir + " replay-verify)\n";
    return out;
}

}  // namespace remora::tools::bench
