#include "node/node_metrics.h"

#include "net/node_messages.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace remora::node {

namespace protocol = executor::protocol;

NodeMetrics::NodeMetrics() : m_registry(std::make_shared<prometheus::Registry>()) {
    m_commit_seconds =
        &prometheus::BuildHistogram()
             .Name("remora_primary_commit_seconds")
             .Help("Time to decide and persist one ordered commit")
             .Register(*m_registry)
             .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                              0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5});
    m_commit_transactions = &prometheus::BuildHistogram()
                                 .Name("remora_primary_commit_transactions")
                                 .Help("Transactions per commit")
                                 .Register(*m_registry)
                                 .Add({}, prometheus::Histogram::BucketBoundaries{
                                              1, 10, 50, 100, 250, 500, 1000, 2500, 10000});
}

NodeMetrics::~NodeMetrics() = default;

prometheus::Counter& NodeMetrics::counter(const std::string& name, const std::string& help,
                                          const std::map<std::string, std::string>& labels) {
    auto it = m_counter_families.find(name);
    if (it == m_counter_families.end()) {
        auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(*m_registry);
        it = m_counter_families.emplace(name, &family).first;
    }
    return it->second->Add(labels);
}

prometheus::Gauge& NodeMetrics::gauge(const std::string& name, const std::string& help,
                                      const std::map<std::string, std::string>& labels) {
    auto it = m_gauge_families.find(name);
    if (it == m_gauge_families.end()) {
        auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(*m_registry);
        it = m_gauge_families.emplace(name, &family).first;
    }
    return it->second->Add(labels);
}

void NodeMetrics::set_total(const std::string& name, const std::string& help, std::uint64_t value,
                            const std::map<std::string, std::string>& labels) {
    prometheus::Counter& c = counter(name, help, labels);
    const auto now = static_cast<double>(value);
    if (now > c.Value()) c.Increment(now - c.Value());
}

void NodeMetrics::observe_commit(double seconds, std::size_t transactions) {
    m_commit_seconds->Observe(seconds);
    m_commit_transactions->Observe(static_cast<double>(transactions));
}

void NodeMetrics::update_primary(const protocol::PrimaryCounters& e, const PrimaryNodeFigures& n) {
    set_total("remora_primary_commits_total", "Commits persisted", e.commits);
    set_total("remora_primary_transactions_total", "Transactions committed", e.transactions);
    set_total("remora_primary_adopted_total", "Transactions whose pre-executed result was adopted",
              e.adopted);
    set_total("remora_primary_reexecuted_total", "Transactions the primary executed itself",
              e.reexecuted);
    set_total("remora_primary_ruled_out_total",
              "Transactions ruled out by the commit rules (duplicates, expired)", e.ruled_out);
    for (std::size_t i = 0; i < protocol::kMissCauseCount; ++i) {
        set_total("remora_primary_misses_total", "Re-executed transactions by miss cause",
                  e.misses.by_cause[i],
                  {{"cause", protocol::miss_cause_name(static_cast<protocol::MissCause>(i))}});
    }
    set_total("remora_primary_results_received_total", "Pre-executed results submitted",
              e.results_submitted);
    set_total("remora_primary_results_rejected_total",
              "Results refused as malformed or from an unknown pre-executor", e.results_rejected);
    set_total("remora_primary_results_late_total", "Results for already committed transactions",
              e.results_late);
    set_total("remora_primary_state_updates_total", "Catch-up state updates pushed",
              e.state_updates);
    set_total("remora_primary_state_update_bytes_total", "Bytes of catch-up state updates",
              e.state_update_bytes);
    set_total("remora_primary_routed_updates_total", "Routed state updates pushed",
              e.routed_updates);
    set_total("remora_primary_routed_update_bytes_total", "Bytes of routed state updates",
              e.routed_update_bytes);
    gauge("remora_primary_results_buffered", "Transactions with buffered results")
        .Set(static_cast<double>(e.results_buffered_now));
    for (const protocol::PreExecutorStats& p : e.pre_executors) {
        const std::map<std::string, std::string> id{{"pre_executor", std::to_string(p.id)}};
        const auto departed = n.departed.find(p.id);
        const PrimaryNodeFigures::Departed before =
            departed == n.departed.end() ? PrimaryNodeFigures::Departed{} : departed->second;
        set_total("remora_pre_executor_adopted_total", "Results adopted, by pre-executor",
                  before.adopted + p.adopted, id);
        set_total("remora_pre_executor_misses_total", "Misses charged, by pre-executor",
                  before.misses + p.misses.total(), id);
        gauge("remora_pre_executor_hit_rate_window",
              "Adopted share of the transactions in the pre-executor's miss window", id)
            .Set(p.window_txs == 0
                     ? 0.0
                     : static_cast<double>(p.window_hits) / static_cast<double>(p.window_txs));
        gauge("remora_pre_executor_acknowledged_commit", "Last commit the pre-executor applied", id)
            .Set(static_cast<double>(p.acknowledged_commit));
    }
    set_total("remora_ingress_admitted_total", "Transactions admitted", n.admitted);
    set_total("remora_ingress_duplicates_total", "Resubmissions answered with the original summary",
              n.duplicates);
    for (std::uint8_t r = 1; r <= net::kRefusalReasonMax; ++r) {  // every reason, from 0
        const std::string reason = net::refusal_reason_name(static_cast<net::RefusalReason>(r));
        auto it = n.refused.find(reason);
        set_total("remora_ingress_refused_total", "Submissions refused, by reason",
                  it == n.refused.end() ? 0 : it->second, {{"reason", reason}});
    }
    set_total("remora_cluster_links_refused_total",
              "Cluster connections refused (handshake, credentials, protocol)", n.links_refused);
    set_total("remora_primary_snapshots_served_total", "Snapshots offered to joining pre-executors",
              n.snapshots_served);
    gauge("remora_primary_pending_transactions", "Admitted, not yet committed")
        .Set(static_cast<double>(n.pending));
    gauge("remora_primary_ordered_batches", "Ordered batches waiting to be processed")
        .Set(static_cast<double>(n.ordered_batches));
    gauge("remora_ingress_clients", "Connected clients").Set(static_cast<double>(n.clients));
    gauge("remora_ingress_connections",
          "Open client connections, those before their hello included (at most "
          "net.max_client_connections)")
        .Set(static_cast<double>(n.client_connections));
    set_total("remora_ingress_connections_refused_total",
              "Client connections closed as accepted: net.max_client_connections were open",
              n.client_connections_refused);
    gauge("remora_primary_pre_executors", "Joined pre-executors")
        .Set(static_cast<double>(n.pre_executors));
    gauge("remora_store_applied_commit", "The store's applied commit")
        .Set(static_cast<double>(n.applied_commit));
}

void NodeMetrics::update_pre_executor(const protocol::PreExecutorCounters& e,
                                      const PreExecutorNodeFigures& n) {
    set_total("remora_pre_executor_executed_total", "Transactions executed", e.executed);
    set_total("remora_pre_executor_results_sent_total", "Results sent to the primary", n.results);
    set_total("remora_pre_executor_updates_applied_total", "State updates applied",
              e.updates_applied);
    set_total("remora_pre_executor_held_total", "Transactions held for inputs", e.held);
    set_total("remora_pre_executor_bootstraps_total", "Snapshot bootstraps", n.bootstraps);
    set_total("remora_pre_executor_connects_total", "Connection attempts to the primary",
              n.connects);
    gauge("remora_pre_executor_joined", "1 when joined to the primary").Set(n.joined ? 1 : 0);
    gauge("remora_pre_executor_caught_up_commit", "Commit its confirmed state reflects")
        .Set(static_cast<double>(n.caught_up_commit));
    gauge("remora_pre_executor_overlay_entries", "Speculative overlay entries")
        .Set(static_cast<double>(e.overlay_entries));
    gauge("remora_pre_executor_waiting_transactions", "Arrived, not yet executed")
        .Set(static_cast<double>(n.waiting));
    set_total("remora_pre_executor_batches_total",
              "Batches speculated on the pool (pre_executor.exec_threads > 1)", e.batches);
    set_total("remora_pre_executor_batch_speculations_total",
              "Batch transactions by the fate of their speculation", e.parallel.validated,
              {{"result", "validated"}});
    set_total("remora_pre_executor_batch_speculations_total",
              "Batch transactions by the fate of their speculation", e.parallel.conflicts,
              {{"result", "conflict"}});
    set_total("remora_pre_executor_forwards_sent_total",
              "Results forwarded over peer links (one per peer)", n.forwarded);
    set_total("remora_pre_executor_forwards_received_total",
              "Forwarded results from peers, by outcome", n.forwards_applied,
              {{"result", "applied"}});
    set_total("remora_pre_executor_forwards_received_total",
              "Forwarded results from peers, by outcome", n.forwards_refused,
              {{"result", "refused"}});
    gauge("remora_pre_executor_peer_links", "Peers with a ready link")
        .Set(static_cast<double>(n.peer_links_up));
    set_total("remora_pre_executor_peer_links_opened_total", "Peer links opened",
              n.peer_links_opened);
    set_total("remora_pre_executor_peer_links_refused_total",
              "Peer connections refused at the handshake or hello", n.peer_links_refused);
}

void NodeMetrics::update_store(const storage::EngineGauges& store) {
    gauge("remora_store_memtable_bytes", "RocksDB memtable bytes, all column families")
        .Set(static_cast<double>(store.memtable_bytes));
    gauge("remora_store_pending_compaction_bytes",
          "RocksDB's estimate of the bytes compaction has to rewrite")
        .Set(static_cast<double>(store.pending_compaction_bytes));
    gauge("remora_store_live_sst_bytes", "RocksDB table-file bytes of the current version")
        .Set(static_cast<double>(store.live_sst_bytes));
}

void NodeMetrics::update_credentials(const LinkSecurity::Credentials& c) {
    gauge("remora_tls_certificate_expiry_timestamp_seconds",
          "Unix time when this node's cluster certificate expires")
        .Set(static_cast<double>(c.certificate_not_after));
    gauge("remora_tls_ca_expiry_timestamp_seconds",
          "Unix time when the cluster CA's certificate expires")
        .Set(static_cast<double>(c.ca_not_after));
    set_total("remora_tls_reloads_total", "Credential reloads (SIGHUP), by result", c.reloads,
              {{"result", "ok"}});
    set_total("remora_tls_reloads_total", "Credential reloads (SIGHUP), by result",
              c.reload_failures, {{"result", "failed"}});
}

std::string NodeMetrics::scrape() {
    // /proc/self/stat: utime and stime (fields 14, 15, clock ticks); statm: resident pages.
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (std::getline(stat, line)) {
        const std::size_t paren = line.rfind(')');
        std::istringstream fields(paren == std::string::npos ? "" : line.substr(paren + 2));
        std::string field;
        double ticks_used = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i) {
            if (i == 14 || i == 15) ticks_used += std::strtod(field.c_str(), nullptr);
        }
        const long ticks = ::sysconf(_SC_CLK_TCK);
        prometheus::Counter& cpu =
            counter("remora_process_cpu_seconds_total", "User and system CPU of the process");
        const double seconds = ticks_used / static_cast<double>(ticks > 0 ? ticks : 100);
        if (seconds > cpu.Value()) cpu.Increment(seconds - cpu.Value());
    }
    std::ifstream statm("/proc/self/statm");
    double size = 0, resident = 0;
    if (statm >> size >> resident) {
        gauge("remora_process_resident_memory_bytes", "Resident memory of the process")
            .Set(resident * static_cast<double>(::sysconf(_SC_PAGESIZE)));
    }
    return prometheus::TextSerializer().Serialize(m_registry->Collect());
}

}  // namespace remora::node
