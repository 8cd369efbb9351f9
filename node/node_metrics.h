#pragma once
// The node's Prometheus metrics (docs/metrics.md), kept in a prometheus-cpp registry and
// serialised in the text format for GET /metrics. Counters mirror the engines' own counters:
// each scrape brings them up to date (Counter::Increment by the difference), so the engines
// stay free of metric code. Not thread-safe: the node calls it from its engine strand.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "executor/protocol/pre_executor.h"
#include "executor/protocol/primary.h"
#include "node/links.h"
#include "storage/types.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace remora::node {

// What the primary node knows beyond the engine's counters.
struct PrimaryNodeFigures {
    std::uint64_t admitted = 0;
    std::uint64_t duplicates = 0;
    std::map<std::string, std::uint64_t> refused;  // by reason
    std::uint64_t links_refused = 0;
    std::uint64_t snapshots_served = 0;
    std::uint64_t pending = 0;          // admitted, not committed
    std::uint64_t ordered_batches = 0;  // ordered, waiting to be processed
    std::uint64_t clients = 0;
    std::uint64_t client_connections = 0;          // open, including those before their hello
    std::uint64_t client_connections_refused = 0;  // at net.max_client_connections
    std::uint64_t pre_executors = 0;               // joined
    std::uint64_t applied_commit = 0;
    // What each pre-executor's earlier links had been charged when they ended: the engine
    // counts per link (a rejoin starts from 0), its metrics count per pre-executor id.
    struct Departed {
        std::uint64_t adopted = 0;
        std::uint64_t misses = 0;
    };
    std::map<std::uint32_t, Departed> departed;
};

struct PreExecutorNodeFigures {
    std::uint64_t results = 0;
    std::uint64_t bootstraps = 0;
    std::uint64_t connects = 0;
    bool joined = false;
    std::uint64_t caught_up_commit = 0;
    std::uint64_t waiting = 0;  // arrived transactions not yet executed
    // Peer links (docs/node.md, "Peer links"): 0 without them.
    std::uint64_t forwarded = 0;          // peer_effects frames sent
    std::uint64_t forwards_applied = 0;   // forwarded effects taken
    std::uint64_t forwards_refused = 0;   // forwarded effects whose digest did not match
    std::uint64_t peer_links_up = 0;      // peers with a ready link now
    std::uint64_t peer_links_opened = 0;  // hellos completed, both directions
    std::uint64_t peer_links_refused = 0;
};

class NodeMetrics {
public:
    NodeMetrics();
    ~NodeMetrics();
    NodeMetrics(const NodeMetrics&) = delete;
    NodeMetrics& operator=(const NodeMetrics&) = delete;

    // One processed commit's duration (ordered batch taken -> persisted), seconds.
    void observe_commit(double seconds, std::size_t transactions);
    void update_primary(const executor::protocol::PrimaryCounters& engine,
                        const PrimaryNodeFigures& node);
    void update_pre_executor(const executor::protocol::PreExecutorCounters& engine,
                             const PreExecutorNodeFigures& node);
    // Both roles: RocksDB's gauges of the node's store (zeros while it has none) and its
    // credentials.
    void update_store(const storage::EngineGauges& store);
    void update_credentials(const LinkSecurity::Credentials& credentials);
    // Process CPU and memory are read here, then everything is serialised.
    std::string scrape();

private:
    prometheus::Counter& counter(const std::string& name, const std::string& help,
                                 const std::map<std::string, std::string>& labels = {});
    prometheus::Gauge& gauge(const std::string& name, const std::string& help,
                             const std::map<std::string, std::string>& labels = {});
    void set_total(const std::string& name, const std::string& help, std::uint64_t value,
                   const std::map<std::string, std::string>& labels = {});

    std::shared_ptr<prometheus::Registry> m_registry;
    std::map<std::string, prometheus::Family<prometheus::Counter>*> m_counter_families;
    std::map<std::string, prometheus::Family<prometheus::Gauge>*> m_gauge_families;
    prometheus::Histogram* m_commit_seconds = nullptr;
    prometheus::Histogram* m_commit_transactions = nullptr;
};

}  // namespace remora::node
