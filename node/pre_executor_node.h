#pragma once
// A pre-executor node (docs/node.md): connects to the primary's cluster port, bootstraps its own
// store from a primary snapshot (resumable), then executes the transactions the primary routes
// to it, in arrival order, and sends back each result with its lookup table; it applies the
// state updates the primary pushes and acknowledges them.
//
// Its cores: the authenticators of arriving transactions are verified on
// pre_executor.verify_threads worker threads while execution stays in arrival order on one
// engine strand (the verified checks reach the engine as hints; a reorder buffer restores the
// order the frames arrived in). With pre_executor.exec_threads > 1 the strand takes what queued
// since its last turn as one batch, speculated on that many threads and taken in arrival order
// (PreExecutor::execute_batch).
//
// Losing the primary is normal: the node reconnects every pre_executor.reconnect_ms and rejoins
// at the commit it is caught up to (or bootstraps again when the primary cannot catch it up).
// Its store is only a cache of primary-confirmed state: the primary's results never depend on it.

#include <memory>

#include "common/status.h"
#include "node/config.h"

namespace remora::node {

class PreExecutorNode {
public:
    static common::Result<std::unique_ptr<PreExecutorNode>> open(const NodeConfig& config);
    ~PreExecutorNode();
    PreExecutorNode(const PreExecutorNode&) = delete;
    PreExecutorNode& operator=(const PreExecutorNode&) = delete;

    // Serves until stopped; ok, or the error that stopped it (its own store failed).
    common::Status run();
    // Thread-safe; not async-signal-safe.
    void stop();
    // Reloads the cluster credentials from their files (SIGHUP). Thread-safe.
    void reload_credentials();

    class Impl;

private:
    explicit PreExecutorNode(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Splits "HOST:PORT" ("[::1]:PORT" for IPv6); kInvalidArgument otherwise.
common::Result<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text);

}  // namespace remora::node
