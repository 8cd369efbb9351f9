#pragma once
// The primary node (docs/node.md): the authoritative store, the client ingress port, an
// embedded sequencer (batches by size or time, then a consensus delay), the load balancer that
// routes each admitted transaction to a pre-executor, and the Primary engine that adopts or
// re-executes every ordered transaction and persists the commit.
//
// Threads: net.io_threads threads run the io_context. Every session has its own strand; all
// engine state (the Primary, the sequencer, the balancer, the links and the pending
// transactions) lives on one engine strand, so it is never touched concurrently. Work reaches
// the engine only by posting to that strand, and what can be posted is bounded by admission:
// at most primary.pending_txs_max transactions are admitted and not yet committed; a client
// past it is refused (overloaded), and results and acknowledgements are bounded by the
// transactions routed.
//
// Stopping (stop(), or SIGTERM/SIGINT in remora-node): the ports stop accepting, the batch being
// built is cut, every admitted transaction is ordered, committed and summarised, then the
// links close and run() returns. Nothing admitted is dropped.

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "node/config.h"

namespace remora::node {

class PrimaryNode {
public:
    // Opens (creating with the configured genesis when new) the store in DIR/store, binds both
    // ports and writes DIR/node.json. Errors: a store that does not open (kLocked beside
    // another node), a port in use, bad credentials.
    static common::Result<std::unique_ptr<PrimaryNode>> open(const NodeConfig& config);
    ~PrimaryNode();
    PrimaryNode(const PrimaryNode&) = delete;
    PrimaryNode& operator=(const PrimaryNode&) = delete;

    // Serves until stopped; returns the error that stopped it (a store failure), or ok. Writes
    // DIR/node-stats.json on the way out.
    common::Status run();
    // Asks run() to stop gracefully. Thread-safe, async-signal-unsafe (call from a thread).
    void stop();
    // Reloads the cluster credentials from their files (SIGHUP). Thread-safe.
    void reload_credentials();
    // Takes a snapshot at the next commit boundary (SIGUSR1; docs/node.md, "Snapshots"), kept
    // and pruned by the snapshot policy. Thread-safe.
    void snapshot();

    std::uint16_t cluster_port() const;
    std::uint16_t ingress_port() const;

    class Impl;

private:
    explicit PrimaryNode(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace remora::node
