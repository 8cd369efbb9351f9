#include "node/cluster_launch.h"

#include <thread>

#include "node/config.h"
#include "node/node_files.h"

namespace remora::node {

using common::Code;
using common::Result;
using Clock = std::chrono::steady_clock;

std::vector<std::string> primary_command(const PrimaryLaunch& launch) {
    std::vector<std::string> argv = {
        launch.node_bin, "run",       "--node.role",  "primary",          "--node.dir",
        launch.node_dir, "--tls.dir", launch.tls_dir, "--net.io_threads", "1"};
    if (launch.cluster_port != 0) {
        argv.insert(argv.end(), {"--net.cluster_port", std::to_string(launch.cluster_port)});
    }
    if (launch.ingress_port != 0) {
        argv.insert(argv.end(), {"--net.ingress_port", std::to_string(launch.ingress_port)});
    }
    argv.insert(
        argv.end(),
        {"--workload.name", launch.workload, "--workload.seed", std::to_string(launch.seed),
         "--workload.accounts", std::to_string(launch.accounts), "--sequencer.batch_timeout_ms",
         std::to_string(launch.batch_timeout_ms), "--sequencer.consensus_delay_ms",
         std::to_string(launch.consensus_delay_ms), "--primary.sync", launch.sync ? "on" : "off"});
    return argv;
}

std::vector<std::string> pre_executor_command(const PreExecutorLaunch& launch) {
    std::vector<std::string> argv = {launch.node_bin,
                                     "run",
                                     "--node.role",
                                     "pre-executor",
                                     "--node.id",
                                     std::to_string(launch.id),
                                     "--node.dir",
                                     launch.node_dir,
                                     "--tls.dir",
                                     launch.tls_dir,
                                     "--net.io_threads",
                                     "1",
                                     "--pre_executor.verify_threads",
                                     "1"};
    if (launch.reconnect_ms != 0) {
        argv.insert(argv.end(),
                    {"--pre_executor.reconnect_ms", std::to_string(launch.reconnect_ms)});
    }
    argv.insert(argv.end(), {"--net.primary", "127.0.0.1:" + std::to_string(launch.primary_port)});
    return argv;
}

Result<NodePorts> wait_for_ports(const std::string& node_dir, ChildProcess& child,
                                 const std::string& log, std::chrono::seconds limit,
                                 const std::atomic<bool>& interrupted) {
    const std::string path = node_info_path(node_dir);
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (interrupted) return common::Status{Code::kUnsupported, "interrupted"};
        if (!child.running()) {
            const auto code = child.poll();
            return common::Status{Code::kIoError, child.name() + " exited with code " +
                                                      std::to_string(code.value_or(-1)) +
                                                      " at start; the end of " + log + ":\n" +
                                                      log_tail(log)};
        }
        if (auto info = read_json_file(path); info && info->contains("ingress_port")) {
            try {
                NodePorts ports;
                ports.cluster = info->at("cluster_port").get<std::uint16_t>();
                ports.ingress = info->at("ingress_port").get<std::uint16_t>();
                ports.metrics = info->value("metrics_port", std::uint16_t{0});
                return ports;
            } catch (const nlohmann::json::exception& e) {
                return common::Status{Code::kCorruption, path + ": " + e.what()};
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return common::Status{Code::kIoError, path + " did not name the ports within " +
                                              std::to_string(limit.count()) + " s; the end of " +
                                              log + ":\n" + log_tail(log)};
}

}  // namespace remora::node
