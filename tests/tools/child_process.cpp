#include "tests/tools/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace remora::testing {
namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The parent's environment with `env` set or replaced, as "NAME=VALUE" strings.
std::vector<std::string> child_environment(const EnvOverrides& env) {
    std::vector<std::string> out;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string text(*entry);
        bool replaced = false;
        for (const auto& [name, value] : env) {
            if (text.rfind(name + "=", 0) == 0) replaced = true;
        }
        if (!replaced) out.push_back(text);
    }
    for (const auto& [name, value] : env) out.push_back(name + "=" + value);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

void fill(ChildResult& result, int status) {
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
}

}  // namespace

struct StartedChild::Files {
    TempDir dir{"remora-child"};
    std::string out = dir.sub("stdout");
    std::string err = dir.sub("stderr");
};

StartedChild::StartedChild(const std::string& program, const std::vector<std::string>& args,
                           const EnvOverrides& env)
    : m_files(std::make_unique<Files>()) {
    std::vector<std::string> argv_strings = {program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv = pointers(argv_strings);
    std::vector<std::string> env_strings = child_environment(env);
    std::vector<char*> envp = pointers(env_strings);
    const std::string& out_path = m_files->out;
    const std::string& err_path = m_files->err;

    std::fflush(nullptr);
    m_pid = fork();
    if (m_pid < 0) throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        // Only async-signal-safe calls until exec.
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        execve(program.c_str(), argv.data(), envp.data());
        _exit(127);
    }
}

StartedChild::~StartedChild() {
    if (m_pid <= 0 || m_reaped) return;
    kill(m_pid, SIGKILL);
    int status = 0;
    while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
}

bool StartedChild::running() {
    if (m_reaped) return false;
    int status = 0;
    pid_t done = waitpid(m_pid, &status, WNOHANG);
    if (done == m_pid) {
        m_reaped = true;
        m_status = status;
        return false;
    }
    return true;
}

void StartedChild::signal(int signal_number) {
    if (!m_reaped) kill(m_pid, signal_number);
}

std::string StartedChild::out_so_far() const { return read_all(m_files->out); }

ChildResult StartedChild::wait(std::chrono::milliseconds timeout) {
    ChildResult result;
    if (timeout == std::chrono::milliseconds::max()) {
        while (!m_reaped) {  // no deadline: block in waitpid
            if (waitpid(m_pid, &m_status, 0) == m_pid)
                m_reaped = true;
            else if (errno != EINTR)
                throw std::runtime_error("waitpid failed");
        }
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::min(timeout, std::chrono::milliseconds(24 * 3600 * 1000));
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(m_pid, SIGKILL);
            while (waitpid(m_pid, &m_status, 0) < 0 && errno == EINTR) {
            }
            m_reaped = true;
            result.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    fill(result, m_status);
    result.out = read_all(m_files->out);
    result.err = read_all(m_files->err);
    return result;
}

ChildResult run_child(const std::string& program, const std::vector<std::string>& args) {
    StartedChild child(program, args);
    return child.wait(std::chrono::milliseconds::max());
}

ChildResult run_child_for(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout, const EnvOverrides& env) {
    StartedChild child(program, args, env);
    return child.wait(timeout);
}

}  // namespace remora::testing
