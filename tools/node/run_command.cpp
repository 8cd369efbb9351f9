// `remora-node [run] --node.role ROLE --node.dir DIR [--section.key VALUE ...]`: the node, in the
// foreground, until SIGTERM or SIGINT (graceful) — then the exit code says how it ended.

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <thread>

#include "node/log.h"
#include "node/pre_executor_node.h"
#include "node/primary_node.h"
#include "tools/node/node_commands.h"
#include "tools/node/node_flags.h"

namespace remora::tools::node {
namespace {

using remora::node::NodeConfig;
using remora::node::Role;

// Up to the hard limit: a primary serves many client connections.
void raise_open_files_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// SIGTERM and SIGINT are blocked in every thread and taken by one waiter, which asks the node
// to stop: the handler does nothing that is not async-signal-safe.
template <typename Node>
common::Status run_until_signalled(Node& node) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    std::atomic<bool> done{false};
    std::thread waiter([&] {
        const timespec period{0, 100'000'000};
        while (!done.load()) {
            const int signal = sigtimedwait(&signals, nullptr, &period);
            if (signal == SIGTERM || signal == SIGINT) {
                remora::node::log_info(std::string("received ") +
                                       (signal == SIGTERM ? "SIGTERM" : "SIGINT") +
                                       ": stopping gracefully");
                node.stop();
            }
        }
    });
    common::Status status = node.run();
    done = true;
    waiter.join();
    return status;
}

class RunCommand final : public cli::Command {
public:
    RunCommand() {
        for (const NodeFlag& flag : node_flags()) m_spec.options.push_back(flag.spec);
    }
    const cli::CommandSpec& spec() const override { return m_spec; }

    common::Status check(const cli::Invocation& invocation) const override {
        NodeConfig config;
        REMORA_RETURN_IF_ERROR(apply_node_flags(invocation, config));
        if (auto s = remora::node::validate_node_config(config); !s) {
            return cli::usage_error(s.message());
        }
        return common::Status::ok();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        NodeConfig config;
        REMORA_RETURN_IF_ERROR(apply_node_flags(context.invocation, config));
        raise_open_files_limit();
        // Block the stop signals before any thread exists, so that every thread inherits it.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        signal(SIGPIPE, SIG_IGN);
        common::Status status;
        if (config.role == Role::kPrimary) {
            remora::node::set_log_component("primary");
            auto node = remora::node::PrimaryNode::open(config);
            if (!node) return node.status();
            status = run_until_signalled(**node);
        } else {
            remora::node::set_log_component("pre-executor-" +
                                            std::to_string(config.pre_executor.id));
            auto node = remora::node::PreExecutorNode::open(config);
            if (!node) return node.status();
            status = run_until_signalled(**node);
        }
        if (!status) return status;
        remora::node::log_info("stopped");
        cli::Report report;
        report.json = {{"command", "run"}, {"stopped", true}};
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "run",
        .summary = "run a node (the default command)",
        .details =
            "Runs a primary or a pre-executor in the foreground until SIGTERM or SIGINT, which "
            "stop it gracefully (a primary commits every admitted transaction first). Logs go to "
            "stderr. Once listening, a node writes DIR/node.json (role, pid, ports); when it "
            "stops, DIR/node-stats.json (counters, CPU time).",
    };
};

}  // namespace

std::unique_ptr<cli::Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace remora::tools::node
