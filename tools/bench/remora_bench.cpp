#include "tools/bench/remora_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "executor/protocol/miss_stats.h"
#include "executor/simulation/reference.h"
#include "storage/store.h"
#include "tools/bench/bench_dir.h"

namespace remora::tools::bench {
namespace {

using common::Result;
using common::Status;
namespace sim = executor::simulation;
namespace protocol = executor::protocol;

// A simple transaction's gas (transfer, counter, amm, the trace: 5,000-6,500).
constexpr std::uint64_t kTypicalGas = 6000;
// Routes over which --rebalance compares pre-executors' shares: 10 ms at 100k tx/s.
constexpr std::size_t kRebalanceWindow = 1024;

double elapsed_s(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double per_tx_us(std::uint64_t ns, std::uint64_t txs) {
    return txs == 0 ? 0.0 : static_cast<double>(ns) / 1000.0 / static_cast<double>(txs);
}

sim::SimulationConfig simulation_config(const RemoraBenchOptions& o) {
    sim::SimulationConfig config;
    config.seed = o.workload.seed;
    config.pre_executors = o.pre_executors;
    config.batch_txs = static_cast<std::uint32_t>(o.batch);
    config.batch_timeout_us =
        std::max<sim::SimTimeUs>(1, static_cast<sim::SimTimeUs>(o.batch_timeout_ms * 1000));
    config.consensus_delay_us = static_cast<sim::SimTimeUs>(o.consensus_delay_ms * 1000);
    config.late_wait_us = static_cast<sim::SimTimeUs>(o.late_wait_ms * 1000);
    config.state_updates = o.state_updates;
    config.primary.routed_updates = o.routed_updates;
    config.peer_forwarding = o.peer_forwarding;
    config.tx_interval_us = static_cast<sim::SimTimeUs>(o.tx_interval_us);
    config.base_delay_us = static_cast<sim::SimTimeUs>(o.message_delay_us);
    config.hold_txs = o.hold;
    config.tentative_order = o.tentative_order;
    config.handoff_fence = o.handoff_fence;
    // Deadline-aware affinity: an owner counts as overloaded only when its backlog would pass
    // half the consensus delay (at a typical transaction's simulated cost), not at the fixed
    // 64 transactions meant for a 1 ms delay; splitting an amm pool or a hot trace object over
    // pre-executors long before any deadline was what forked them (docs/remora_protocol.md,
    // "Convergence").
    const sim::SimTimeUs typical_us = std::max<sim::SimTimeUs>(1, config.cost.exec_us(kTypicalGas));
    config.routing.overload_slack = std::max<std::uint64_t>(
        config.routing.overload_slack, config.consensus_delay_us / 2 / typical_us);
    config.pre_executor_cores = o.pre_executor_cores;
    config.pre_executor_verify_threads = o.pre_executor_verify_threads;
    config.pre_executor_parallel_min_us = o.pre_executor_parallel_min_us;
    if (o.load_cost) {
        // The same deadline in simulated µs of queued work per core, the reported unit.
        config.routing.load = protocol::LoadMeasure::kCost;
        config.routing.default_cost = typical_us;
        config.routing.overload_slack = std::max<std::uint64_t>(
            config.routing.overload_slack * typical_us, config.consensus_delay_us / 2);
    }
    config.measure_cpu = true;
    config.primary.adopt_checks = o.adopt_checks == RemoraBenchOptions::AdoptChecks::kOn;
    config.adopt_checks_ab = o.adopt_checks == RemoraBenchOptions::AdoptChecks::kAb;
    config.routing.mode = !o.affinity   ? protocol::RoutingMode::kRoundRobin
                          : o.placement ? protocol::RoutingMode::kContention
                                        : protocol::RoutingMode::kAffinity;
    if (o.rebalance) {
        config.routing.rebalance_window = kRebalanceWindow;
        // Only off a pre-executor whose queue holds an eighth of the consensus delay's work.
        config.routing.rebalance_min_outstanding =
            config.routing.load == protocol::LoadMeasure::kCost
                ? config.consensus_delay_us / 8
                : config.consensus_delay_us / 8 / typical_us;
    }
    config.primary.miss_threshold = o.miss_threshold;
    config.primary.miss_window_txs = o.miss_window;
    config.primary.reexec_threads = o.reexec_threads;
    return config;
}

}  // namespace

Result<RemoraBenchResult> run_remora_bench(const RemoraBenchOptions& options) {
    auto made = executor::workload::make_workload(options.workload);
    if (!made) return made.status();
    auto& load = *made.value();
    sim::SimulationInput input{load.name(), load.genesis_objects(), {}};
    while (input.txs.size() < options.txs) {
        auto next = load.next();
        if (!next) break;
        input.txs.push_back(std::move(next->tx));
    }

    std::optional<TempBenchDir> temp;
    std::string dir = options.db_dir;
    if (dir.empty()) {
        auto created = TempBenchDir::create(kRemoraTempPrefix);
        if (!created) return created.status();
        temp.emplace(std::move(created).value());
        dir = temp->path();
    } else if (Status s = prepare_empty_dir(dir); !s) {
        return s;
    }
    storage::StoreOptions store_options;
    store_options.create_if_missing = true;
    store_options.sync = options.sync;
    auto store = storage::Store::open((std::filesystem::path(dir) / "primary").string(),
                                      storage::OpenMode::kReadWrite, store_options);
    if (!store) return store.status();

    RemoraBenchResult result;
    result.options = options;
    result.workload_name = input.workload;
    result.txs = input.txs.size();
    auto start = std::chrono::steady_clock::now();
    auto run = sim::run_simulation(simulation_config(options), input, std::move(store).value());
    result.seconds = elapsed_s(start);
    if (!run) return run.status();
    result.run = std::move(run).value();
    result.commits = result.run.commits.size();

    start = std::chrono::steady_clock::now();
    auto reference = sim::run_reference(input, result.run.commits);
    result.reference_seconds = elapsed_s(start);
    if (!reference) return reference.status();
    result.first_difference = sim::first_difference(result.run, reference.value());
    result.digest_match = !result.first_difference.has_value();
    if (!result.run.digests.empty()) result.digest_hex = result.run.digests.back().hex();
    if (!reference->digests.empty()) {
        result.reference_digest_hex = reference->digests.back().hex();
    }
    return result;
}

nlohmann::ordered_json remora_report_json(const RemoraBenchResult& r) {
    const auto& o = r.options;
    const auto& p = r.run.primary;
    const auto& cpu = r.run.cpu;
    const auto& c = r.run.counters;
    nlohmann::ordered_json j;
    j["mode"] = "remora";
    j["workload"] = r.workload_name;
    j["txs"] = r.txs;
    j["commits"] = r.commits;
    j["seed"] = o.workload.seed;
    j["pre_executors"] = o.pre_executors;
    j["seconds"] = r.seconds;
    j["tps"] = r.seconds > 0 ? static_cast<double>(r.txs) / r.seconds : 0;
    j["digest"] = r.digest_hex;
    j["reference_digest"] = r.reference_digest_hex;
    j["digest_match"] = r.digest_match;
    if (r.first_difference) j["first_difference"] = *r.first_difference;
    j["hit_rate"] = p.transactions == 0
                        ? 0.0
                        : static_cast<double>(p.adopted) / static_cast<double>(p.transactions);
    j["adopted"] = p.adopted;
    j["reexecuted"] = p.reexecuted;
    j["reexec_speculated"] = p.reexec_speculated;
    j["reexec_validated"] = p.reexec_validated;
    j["reexec_conflicts"] = p.reexec_conflicts;
    nlohmann::ordered_json misses;
    for (std::size_t i = 0; i < protocol::kMissCauseCount; ++i) {
        misses[protocol::miss_cause_name(static_cast<protocol::MissCause>(i))] =
            p.misses.by_cause[i];
    }
    j["misses_by_cause"] = std::move(misses);
    j["primary_cpu_us_per_tx"] = {
        {"adopt", per_tx_us(cpu.adopt_ns, cpu.adopt_txs)},
        {"reexec", per_tx_us(cpu.reexec_ns, cpu.reexec_txs)},
        // Every transaction, misses and the commit write included.
        {"all",
         per_tx_us(cpu.adopt_ns + cpu.adopt_unchecked_ns + cpu.reexec_ns + cpu.persist_ns, r.txs)}};
    j["persist_cpu_us_per_tx"] = per_tx_us(cpu.persist_ns, r.txs);
    j["primary_cpu_s"] = {{"adopt", static_cast<double>(cpu.adopt_ns) / 1e9},
                          {"reexec", static_cast<double>(cpu.reexec_ns) / 1e9},
                          {"persist", static_cast<double>(cpu.persist_ns) / 1e9}};
    j["adopted_tps"] = cpu.adopt_ns == 0 ? 0.0
                                         : static_cast<double>(cpu.adopt_txs) /
                                               (static_cast<double>(cpu.adopt_ns) / 1e9);
    if (o.adopt_checks == RemoraBenchOptions::AdoptChecks::kAb) {
        const double on = per_tx_us(cpu.adopt_ns, cpu.adopt_txs);
        const double off = per_tx_us(cpu.adopt_unchecked_ns, cpu.adopt_unchecked_txs);
        j["adopt_checks_ab"] = {{"checked_us_per_adopt", on},
                                {"unchecked_us_per_adopt", off},
                                {"cost_us_per_adopt", on - off},
                                {"checked_adopts", cpu.adopt_txs},
                                {"unchecked_adopts", cpu.adopt_unchecked_txs}};
    }
    std::uint64_t primary_ns =
        cpu.adopt_ns + cpu.adopt_unchecked_ns + cpu.reexec_ns + cpu.persist_ns;
    j["primary_cpu_tps"] =
        primary_ns == 0 ? 0.0
                        : static_cast<double>(r.txs) / (static_cast<double>(primary_ns) / 1e9);
    j["state_updates"] = {{"pushed", c.updates_pushed},
                          {"bytes", c.updates_pushed_bytes},
                          {"objects", p.state_update_objects},
                          {"applied", c.updates_applied}};
    j["routed_updates"] = {{"pushed", c.routed_pushed},
                           {"bytes", c.routed_pushed_bytes},
                           {"objects", p.routed_update_objects}};
    j["pre_executors_held"] = c.held;
    j["handoff_fences"] = c.fences;
    // Messages of pre-execution per transaction: results, peer forwards, tentative orders and
    // state updates (catch-up and routed) over the transactions run.
    const std::uint64_t messages =
        c.results_sent + c.peer_forwards + c.orders_sent + c.updates_pushed + c.routed_pushed;
    const auto per_tx = [&](std::uint64_t n) {
        return r.txs == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(r.txs);
    };
    j["messages_per_tx"] = per_tx(messages);
    j["messages"] = {{"results", c.results_sent},
                     {"superseding_results", c.superseding_sent},
                     {"peer_forwards", c.peer_forwards},
                     {"orders", c.orders_sent},
                     {"catch_up_updates", c.updates_pushed},
                     {"routed_updates", c.routed_pushed}};
    j["reexecutions_per_tx"] = per_tx(c.replays);
    j["replay"] = {{"checks", c.replay_checks},
                   {"replays", c.replays},
                   {"capped", c.replays_capped},
                   {"healed", c.healed},
                   {"outdated_at_primary", p.results_outdated}};
    // The primary's simulated work per transaction (CostModel), misses included, and the rate
    // the simulated cluster sustained.
    j["primary_sim_us_per_tx"] = per_tx(c.primary_busy_us);
    j["simulated_tps"] =
        r.run.end_us == 0 ? 0.0
                          : static_cast<double>(r.txs) / (static_cast<double>(r.run.end_us) / 1e6);
    j["peer_forwards"] = {{"messages", c.peer_forwards}, {"objects", c.peer_objects}};
    j["results"] = {{"sent", c.results_sent},
                    {"late", p.results_late},
                    {"unused", p.results_unused},
                    {"expired", p.results_expired}};
    j["reference_seconds"] = r.reference_seconds;
    j["simulated_seconds"] = static_cast<double>(r.run.end_us) / 1e6;
    j["affinity"] = o.affinity;
    j["placement"] = o.placement;
    j["rebalance"] = o.rebalance;
    j["load"] = o.load_cost ? "cost" : "count";
    j["pre_executor_cores"] = o.pre_executor_cores;
    j["pre_executor_verify_threads"] = o.pre_executor_verify_threads;
    j["pre_executor_parallel_min_us"] = o.pre_executor_parallel_min_us;
    const auto& routing = r.run.routing;
    j["routing"] = {{"to_placement", routing.to_placement},
                    {"to_affinity_owner", routing.to_affinity_owner},
                    {"overload_fallbacks", routing.overload_fallbacks},
                    {"split_inputs", routing.split_inputs},
                    {"placements_full", routing.placements_full},
                    {"rebalanced", routing.rebalanced}};
    j["state_updates_enabled"] = o.state_updates;
    j["routed_updates_mode"] = executor::protocol::routed_updates_name(o.routed_updates);
    j["peer_forwarding"] = o.peer_forwarding;
    j["hold"] = o.hold;
    j["tentative_order"] = o.tentative_order;
    j["handoff_fence"] = o.handoff_fence;
    j["profile"] = o.profile;
    j["miss_threshold"] = o.miss_threshold;
    j["miss_window"] = o.miss_window;
    j["reexec_threads"] = o.reexec_threads;
    j["consensus_delay_ms"] = o.consensus_delay_ms;
    j["late_wait_ms"] = o.late_wait_ms;
    j["batch"] = o.batch;
    j["batch_timeout_ms"] = o.batch_timeout_ms;
    j["tx_interval_us"] = o.tx_interval_us;
    j["message_delay_us"] = o.message_delay_us;
    j["sync"] = o.sync;
    j["accounts"] = o.workload.accounts;
    j["contention"] = o.workload.shared_objects;
    j["skew"] = o.workload.zipf_theta;
    return j;
}

std::string remora_report_text(const RemoraBenchResult& r) {
    auto j = remora_report_json(r);
    char line[512];
    std::string out;
    std::snprintf(line, sizeof line,
                  "%llu transactions in %llu commits, %d pre-executors: %.3f s (%.0f tx/s, all "
                  "nodes on one thread)\n",
                  (unsigned long long)r.txs, (unsigned long long)r.commits,
                  (int)r.options.pre_executors, r.seconds, j["tps"].get<double>());
    out += line;
    std::snprintf(line, sizeof line, "hit rate %.4f%%: %llu adopted, %llu re-executed\n",
                  100.0 * j["hit_rate"].get<double>(), (unsigned long long)r.run.primary.adopted,
                  (unsigned long long)r.run.primary.reexecuted);
    out += line;
    out += "misses by cause: " + j["misses_by_cause"].dump() + "\n";
    std::snprintf(line, sizeof line,
                  "messages per tx %.2f, re-executions per tx %.3f (replays capped %llu); "
                  "primary simulated %.1f us/tx, %.0f tx/s simulated\n",
                  j["messages_per_tx"].get<double>(), j["reexecutions_per_tx"].get<double>(),
                  (unsigned long long)r.run.counters.replays_capped,
                  j["primary_sim_us_per_tx"].get<double>(), j["simulated_tps"].get<double>());
    out += line;
    std::snprintf(line, sizeof line,
                  "primary CPU per tx: adopt %.2f us, re-execute %.2f us; persistence %.2f us/tx\n",
                  j["primary_cpu_us_per_tx"]["adopt"].get<double>(),
                  j["primary_cpu_us_per_tx"]["reexec"].get<double>(),
                  j["persist_cpu_us_per_tx"].get<double>());
    out += line;
    std::snprintf(line, sizeof line,
                  "state updates pushed: %llu catch-up (%llu bytes), %llu routed (%llu bytes)\n",
                  (unsigned long long)r.run.counters.updates_pushed,
                  (unsigned long long)r.run.counters.updates_pushed_bytes,
                  (unsigned long long)r.run.counters.routed_pushed,
                  (unsigned long long)r.run.counters.routed_pushed_bytes);
    out += line;
    out += "digest " + r.digest_hex + "\nreference " + r.reference_digest_hex + "\n";
    out += r.digest_match ? "digest_match: yes\n"
                          : "digest_match: NO (" + r.first_difference.value_or("") + ")\n";
    return out;
}

}  // namespace remora::tools::bench
