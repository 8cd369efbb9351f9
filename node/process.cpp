#include "node/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace remora::node {

using common::Code;
using common::Result;
using common::Status;

namespace {

int open_output(const std::string& path) {
    if (path.empty()) return ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                         const std::string& stdout_path,
                                         const std::string& stderr_path,
                                         const std::vector<std::string>& environment) {
    if (argv.empty()) return Status{Code::kInvalidArgument, "no program to start"};
    const int out = open_output(stdout_path);
    if (out < 0) {
        return Status{Code::kIoError, "cannot open " + stdout_path + ": " + std::strerror(errno)};
    }
    const int err = stderr_path == stdout_path ? ::dup(out) : open_output(stderr_path);
    if (err < 0) {
        ::close(out);
        return Status{Code::kIoError, "cannot open " + stderr_path + ": " + std::strerror(errno)};
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    // The child's environment, built before fork: the inherited one with `environment` on top.
    std::vector<char*> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const std::string_view name = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const std::string& extra : environment) {
            replaced = replaced || extra.substr(0, extra.find('=')) == name;
        }
        if (!replaced) env.push_back(*e);
    }
    for (const std::string& extra : environment) env.push_back(const_cast<char*>(extra.c_str()));
    env.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out);
        ::close(err);
        return Status{Code::kIoError, std::string("fork failed: ") + std::strerror(errno)};
    }
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        const int in = ::open("/dev/null", O_RDONLY);
        if (in >= 0) ::dup2(in, STDIN_FILENO);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(args[0], args.data(), env.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(err);
    return ChildProcess(pid, argv[0]);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(other.m_pid), m_name(std::move(other.m_name)), m_exit(other.m_exit) {
    other.m_pid = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        if (m_pid > 0 && !m_exit) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        m_pid = other.m_pid;
        m_name = std::move(other.m_name);
        m_exit = other.m_exit;
        other.m_pid = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    if (m_pid > 0 && !poll()) {
        ::kill(m_pid, SIGKILL);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
}

std::optional<int> ChildProcess::poll() {
    if (m_exit || m_pid <= 0) return m_exit;
    int status = 0;
    const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
    if (done == m_pid) m_exit = exit_code_of(status);
    if (done < 0 && errno == ECHILD) m_exit = 255;  // reaped elsewhere: it is gone
    return m_exit;
}

void ChildProcess::signal(int signal) {
    if (m_pid > 0 && !poll()) ::kill(m_pid, signal);
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!poll()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return m_exit;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    signal(SIGTERM);
    if (auto code = wait_for(grace)) return *code;
    signal(SIGKILL);
    return wait_for(std::chrono::seconds(10)).value_or(255);
}

std::string log_tail(const std::string& path, std::size_t bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "(no log at " + path + ")";
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.size() > bytes) text = "..." + text.substr(text.size() - bytes);
    return text;
}

std::string self_directory() {
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return ".";
    std::string exe(path, static_cast<std::size_t>(n));
    const std::size_t slash = exe.rfind('/');
    return slash == std::string::npos ? "." : exe.substr(0, slash);
}

Result<std::string> find_tool(const std::string& name, const std::string& subdir) {
    const std::string dir = self_directory();
    const std::vector<std::string> candidates = {dir + "/" + name,
                                                 dir + "/../" + subdir + "/" + name,
                                                 dir + "/../tools/" + subdir + "/" + name};
    for (const std::string& candidate : candidates) {
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return Status{Code::kNotFound, "cannot find " + name + " (looked in " + candidates[0] + ", " +
                                       candidates[1] + " and " + candidates[2] + ")"};
}

}  // namespace remora::node
