#pragma once
// How the harnesses (the local testnet, the crash test) start the nodes of a cluster on loopback
// (docs/node.md, "The local testnet"): the `remora-node run` command lines of a primary and of a
// pre-executor, and the wait for a primary's node.json to name its ports.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/process.h"

namespace remora::node {

struct PrimaryLaunch {
    std::string node_bin;  // remora-node
    std::string node_dir;
    std::string tls_dir;
    std::string workload;
    std::uint64_t seed = 1;
    std::uint64_t accounts = 1000;
    std::uint32_t batch_timeout_ms = 20;
    std::uint32_t consensus_delay_ms = 50;
    bool sync = true;
    std::uint16_t cluster_port = 0;  // 0: the node picks one (and writes it to node.json)
    std::uint16_t ingress_port = 0;
};

struct PreExecutorLaunch {
    std::string node_bin;
    std::string node_dir;
    std::string tls_dir;
    std::uint32_t id = 1;
    std::uint16_t primary_port = 0;  // the primary's cluster port on 127.0.0.1
    std::uint32_t reconnect_ms = 0;  // 0: the node's default
};

// `remora-node run` with one I/O thread (and one verify thread for a pre-executor).
std::vector<std::string> primary_command(const PrimaryLaunch& launch);
std::vector<std::string> pre_executor_command(const PreExecutorLaunch& launch);

struct NodePorts {
    std::uint16_t cluster = 0;
    std::uint16_t ingress = 0;
    std::uint16_t metrics = 0;  // 0 when the node serves none
};

// Waits up to `limit` for `node_dir`'s node.json to name the ingress port (the primary writes it
// once it listens). kIoError with the end of `log` when the child exits first or time runs out;
// kUnsupported when `interrupted` is set meanwhile.
common::Result<NodePorts> wait_for_ports(const std::string& node_dir, ChildProcess& child,
                                         const std::string& log, std::chrono::seconds limit,
                                         const std::atomic<bool>& interrupted);

}  // namespace remora::node
