#pragma once
// Child processes of the testnet and of the integration tests (docs/node.md, "The local
// testnet"): started by fork/exec with their output in a log file, ended by pid only — never by
// name — and never outliving their parent: the destructor kills a child still running, and each
// child gets PR_SET_PDEATHSIG so that even a parent killed by SIGKILL takes it along.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace remora::node {

class ChildProcess {
public:
    // Starts argv[0] (a path) with the arguments; stdout goes to `stdout_path` and stderr to
    // `stderr_path` (both appended; the same path for both is fine; "" is /dev/null).
    // `environment` ("NAME=value" entries) is added to the inherited environment, replacing
    // variables of the same name.
    static common::Result<ChildProcess> spawn(const std::vector<std::string>& argv,
                                              const std::string& stdout_path,
                                              const std::string& stderr_path,
                                              const std::vector<std::string>& environment = {});

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const { return m_pid; }
    const std::string& name() const { return m_name; }
    // The exit code once it has exited (128 + signal when a signal ended it); nullopt while it
    // runs. Reaps it.
    std::optional<int> poll();
    bool running() { return !poll().has_value(); }
    // Sends `signal` if it still runs.
    void signal(int signal);
    // SIGTERM, then up to `grace` for it to exit, then SIGKILL. Returns its exit code.
    int stop(std::chrono::milliseconds grace);
    // Waits up to `limit` for it to exit by itself; nullopt when it still runs.
    std::optional<int> wait_for(std::chrono::milliseconds limit);

private:
    ChildProcess(pid_t pid, std::string name) : m_pid(pid), m_name(std::move(name)) {}
    pid_t m_pid = -1;
    std::string m_name;
    std::optional<int> m_exit;
};

// The last `bytes` of a (child's) log file, for error messages; says so when there is none.
std::string log_tail(const std::string& path, std::size_t bytes = 1500);

// The directory of the running executable (from /proc/self/exe).
std::string self_directory();

// Finds a Remora tool beside the running program: in its directory (an installed tree), or in
// the build tree's tools/<subdir>/ next to it. kNotFound names the places looked at.
common::Result<std::string> find_tool(const std::string& name, const std::string& subdir);

}  // namespace remora::node
