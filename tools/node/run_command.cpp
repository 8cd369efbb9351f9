// `remora-node [run] [--config FILE] [--section.key VALUE ...]`: the node, in the foreground,
// until SIGTERM or SIGINT (graceful) — then the exit code says how it ended; and
// `remora-node print-config`, the configuration it would run with.

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "common/fault_point.h"
#include "node/log.h"
#include "node/node_files.h"
#include "node/poison_marker.h"
#include "node/pre_executor_node.h"
#include "node/primary_node.h"
#include "recovery/file_io.h"
#include "recovery/snapshot.h"
#include "tools/cli/exit_codes.h"
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

constexpr const char* kRestoreFrom = "restore-from";

// The signals the waiter takes: blocked in every thread before any starts.
sigset_t waited_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, signal);
    return signals;
}

// SIGTERM, SIGINT, SIGHUP and SIGUSR1 are blocked in every thread and taken by one waiter, which
// asks the node to stop (SIGTERM, SIGINT), to reload its credentials (SIGHUP) or, a primary, to
// take a snapshot (SIGUSR1): no handler runs code that is not async-signal-safe.
template <typename Node>
common::Status run_until_signalled(Node& node) {
    const sigset_t signals = waited_signals();
    std::atomic<bool> done{false};
    std::thread waiter([&] {
        const timespec period{0, 100'000'000};
        bool stopping = false;
        while (!done.load()) {
            const int signal = sigtimedwait(&signals, nullptr, &period);
            if (signal == SIGHUP) {
                remora::node::log_as("node", remora::node::LogLevel::kInfo,
                                     "received SIGHUP: reloading the credentials");
                node.reload_credentials();
                continue;
            }
            if (signal == SIGUSR1) {
                if constexpr (requires { node.snapshot(); }) {
                    remora::node::log_as("node", remora::node::LogLevel::kInfo,
                                         "received SIGUSR1: taking a snapshot");
                    node.snapshot();
                } else {
                    remora::node::log_as("node", remora::node::LogLevel::kWarn,
                                         "received SIGUSR1: a pre-executor takes no snapshots");
                }
                continue;
            }
            if (signal != SIGTERM && signal != SIGINT) continue;
            const std::string name = signal == SIGTERM ? "SIGTERM" : "SIGINT";
            if (stopping) {
                // The operator insists: leave now. Safe: every commit is atomic in the store and
                // the next start recovers; no clean-shutdown marker is written.
                remora::node::log_as("node", remora::node::LogLevel::kWarn,
                                     "received " + name + " again while stopping: exiting now");
                std::_Exit(128 + signal);
            }
            stopping = true;
            remora::node::log_as(
                "node", remora::node::LogLevel::kInfo,
                "received " + name + ": stopping gracefully (a second signal exits at once)");
            node.stop();
        }
    });
    common::Status status = node.run();
    done = true;
    waiter.join();
    return status;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Removes `path` (when present) and makes the removal durable (fsync of `dir`).
common::Status remove_durably(const std::string& path, const std::string& dir) {
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return common::Status::ok();
        return {common::Code::kIoError, "cannot remove " + path + ": " + std::strerror(errno)};
    }
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        return {common::Code::kIoError, "cannot sync " + dir + ": " + std::strerror(error)};
    }
    ::close(fd);
    return common::Status::ok();
}

// A locked store (exit 75) names the process holding it when DIR/node.json says which.
common::Status with_lock_holder(const common::Status& status, const std::string& dir) {
    if (status.code() != common::Code::kLocked) return status;
    auto info = remora::node::read_json_file(remora::node::node_info_path(dir));
    if (!info || !info->contains("pid") || !(*info)["pid"].is_number_integer()) return status;
    const auto pid = (*info)["pid"].get<std::int64_t>();
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return status;
    return {status.code(), status.message() + "; " + remora::node::node_info_path(dir) +
                               " names the running node: pid " + std::to_string(pid)};
}

// --restore-from DIR: a new primary's store, restored from a snapshot directory whose files and
// state digest verify (recovery::restore_snapshot, as `remora-inspect snapshot restore`).
common::Status check_restore(const cli::Invocation& invocation, const NodeConfig& config) {
    if (!invocation.has_option(kRestoreFrom)) return common::Status::ok();
    if (config.role != Role::kPrimary) {
        return cli::usage_error(std::string("--") + kRestoreFrom + " is for a primary only");
    }
    const std::string from = *invocation.text_option(kRestoreFrom);
    if (!recovery::path_exists(from)) {
        return cli::usage_error(std::string("--") + kRestoreFrom + " " + from +
                                ": no such snapshot directory");
    }
    const std::string store = config.dir + "/store";
    if (recovery::path_exists(store)) {
        auto entries = recovery::list_directory(store);
        if (!entries || !entries->empty()) {
            return cli::usage_error(std::string("--") + kRestoreFrom + " needs a new node: " +
                                    store + " exists and is not empty (nothing was changed)");
        }
    }
    return common::Status::ok();
}

common::Status restore_store(const std::string& from, const NodeConfig& config) {
    REMORA_RETURN_IF_ERROR(recovery::create_directories_synced(config.dir));
    remora::node::log_as("node", remora::node::LogLevel::kInfo,
                         "restoring the store from " + from +
                             " (verifying every file and the "
                             "state digest first)");
    auto restored = recovery::restore_snapshot(from, config.dir + "/store");
    if (!restored) {
        return restored.status().with_context("refusing the snapshot " + from +
                                              " (the node did not start)");
    }
    remora::node::log_as("node", remora::node::LogLevel::kInfo,
                         "restored the store from " + from + ": commit " +
                             std::to_string(restored->manifest.commit_index) + ", state digest " +
                             restored->manifest.state_digest.hex() + " verified");
    return common::Status::ok();
}

// A primary that failed an ordered commit fatally (node/poison_marker.h) exits 70, EX_SOFTWARE,
// which systemd does not restart (docs/remora-node.service): now, and at every start while its
// poison marker exists.
cli::Report poisoned(const common::Status& status) {
    cli::Report report;
    report.verdict = status;
    report.exit_code = kExitSoftware;
    return report;
}

class RunCommand final : public cli::Command {
public:
    RunCommand() {
        add_config_options(m_spec);
        m_spec.options.push_back(
            {kRestoreFrom, cli::ArgKind::kPath, "DIR",
             "primary: start a new node from this snapshot directory, refused (exit 65) unless "
             "its files and state digest verify; DIR/store must not exist or be empty (exit 2)"});
    }
    const cli::CommandSpec& spec() const override { return m_spec; }

    common::Status check(const cli::Invocation& invocation) const override {
        // REMORA_FAULT arms fault points (common/fault_point.h); a build without them, a bad
        // spec or an unknown name is a usage error (exit 2) before anything starts.
        if (auto armed = common::arm_fault_points_from_environment(); !armed) {
            return cli::usage_error(armed.message());
        }
        auto config = load_node_config(invocation);
        if (!config) return config.status();
        return check_restore(invocation, *config);
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        auto loaded = load_node_config(context.invocation);
        if (!loaded) return loaded.status();
        const NodeConfig& config = *loaded;
        // The table checked log.level already.
        remora::node::configure_logging(*remora::node::parse_log_levels(config.log.level),
                                        config.log.format);
        raise_open_files_limit();
        // Block the signals the waiter takes before any thread exists, so that every thread
        // inherits it.
        const sigset_t signals = waited_signals();
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        signal(SIGPIPE, SIG_IGN);
        common::Status status;
        if (config.role == Role::kPrimary) {
            remora::node::set_log_component("primary");
            const bool store_existed = exists(config.dir + "/store");
            const std::string marker = remora::node::clean_shutdown_path(config.dir);
            const bool was_clean = exists(marker);
            auto poison = remora::node::read_poison_marker(config.dir);
            if (!poison) return poison.status();
            if (*poison) {
                const common::Status refused{
                    common::Code::kInternal,
                    "refusing to start: " + remora::node::poison_message(config.dir, **poison)};
                remora::node::log_as("node", remora::node::LogLevel::kError, refused.message());
                return poisoned(refused);
            }
            if (auto from = context.invocation.text_option(kRestoreFrom)) {
                REMORA_RETURN_IF_ERROR(restore_store(*from, config));
            }
            auto node = remora::node::PrimaryNode::open(config);
            if (!node) {
                // Replaying an ordered batch can fail fatally too: then it left its marker.
                if (auto left = remora::node::read_poison_marker(config.dir); left && *left) {
                    return poisoned(node.status());
                }
                return with_lock_holder(node.status(), config.dir);
            }
            // The store is ours (locked): the marker is for the next start to read.
            REMORA_RETURN_IF_ERROR(remove_durably(marker, config.dir));
            if (store_existed) {
                remora::node::log_as(
                    "node",
                    was_clean ? remora::node::LogLevel::kInfo : remora::node::LogLevel::kWarn,
                    was_clean ? "the last shutdown was clean"
                              : "the last shutdown was not clean (killed, crashed or power lost): "
                                "the store recovered to its last commit");
            }
            status = run_until_signalled(**node);
            if (status) {
                node->reset();  // closes the store
                REMORA_RETURN_IF_ERROR(remora::node::write_json_file(
                    marker, {{"clean", true}, {"pid", static_cast<std::int64_t>(::getpid())}}));
            }
        } else {
            remora::node::set_log_component("pre-executor-" +
                                            std::to_string(config.pre_executor.id));
            auto node = remora::node::PreExecutorNode::open(config);
            if (!node) return node.status();
            status = run_until_signalled(**node);
        }
        if (remora::node::is_poisoning(status)) return poisoned(status);
        if (!status) return status;
        remora::node::log_as("node", remora::node::LogLevel::kInfo, "stopped");
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
            "stop it gracefully (a primary commits every admitted transaction first); SIGHUP "
            "reloads the credentials of tls.dir (new connections use them; on an error the "
            "current ones stay); SIGUSR1 makes a primary take a snapshot (snapshot.*). "
            "--restore-from DIR starts a new primary from a snapshot once it verifies. Its "
            "settings "
            "come from the TOML file of --config (docs/configuration.md), each overridden by the "
            "flag of the same dotted name; an unknown key or a value out of range is refused at "
            "start (exit 2) with its position. Logs go to "
            "stderr. Once listening, a node writes DIR/node.json (role, pid, ports); when it "
            "stops, DIR/node-stats.json (counters, CPU time).",
    };
};

// `print-config`: the effective configuration, defaults filled in.
class PrintConfigCommand final : public cli::Command {
public:
    PrintConfigCommand() { add_config_options(m_spec); }
    const cli::CommandSpec& spec() const override { return m_spec; }

    common::Status check(const cli::Invocation& invocation) const override {
        return load_node_config(invocation).status();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        auto config = load_node_config(context.invocation);
        if (!config) return config.status();
        cli::Report report;
        report.json = {{"command", "print-config"}, {"config", node_config_json(*config)}};
        report.text = node_config_toml(*config);
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "print-config",
        .summary = "print the effective configuration (file, flags and defaults)",
        .details =
            "Reads the configuration as `run` would (the file of --config, then the flags) and "
            "prints every key with its effective value, defaults filled in: as TOML that --config "
            "accepts back, or with --json as {\"config\": {SECTION: {KEY: VALUE}}} (an unset key "
            "is null). Refuses what `run` refuses, with the same messages and exit 2.",
    };
};

}  // namespace

std::unique_ptr<cli::Command> make_run_command() { return std::make_unique<RunCommand>(); }
std::unique_ptr<cli::Command> make_print_config_command() {
    return std::make_unique<PrintConfigCommand>();
}

}  // namespace remora::tools::node
