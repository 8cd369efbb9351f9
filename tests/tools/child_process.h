#pragma once
// Runs a program as a child process and captures what it prints, for tests of the real tools.
// A test ends only the processes it started, by their recorded pid.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace remora::testing {

struct ChildResult {
    int exit_code = -1;      // the exit status; 128 + signal when it died of a signal
    bool timed_out = false;  // it ran past the deadline of wait() and was killed
    std::string out;         // everything it wrote to stdout
    std::string err;         // everything it wrote to stderr
};

// Variables set (or replaced) in the child's environment, e.g. {"TMPDIR", dir}.
using EnvOverrides = std::vector<std::pair<std::string, std::string>>;

// Runs `program` with `args` (argv[1..]), stdin from /dev/null, and waits for it. Output goes
// through temporary files, so a child that prints a lot cannot block on a full pipe.
ChildResult run_child(const std::string& program, const std::vector<std::string>& args);

// A child that runs while the test goes on (to signal it, or to bound how long it may take).
// The destructor kills (SIGKILL) and reaps exactly this pid if it still runs.
class StartedChild {
public:
    StartedChild(const std::string& program, const std::vector<std::string>& args,
                 const EnvOverrides& env = {});
    ~StartedChild();
    StartedChild(const StartedChild&) = delete;
    StartedChild& operator=(const StartedChild&) = delete;

    pid_t pid() const { return m_pid; }
    // True while the child has not exited (reaps it when it has).
    bool running();
    // Sends `signal_number` to this child only.
    void signal(int signal_number);
    // What it has written to stdout so far (it may still be writing).
    std::string out_so_far() const;
    // Waits until it exits, at most `timeout`; past it, kills it and says so (timed_out).
    ChildResult wait(std::chrono::milliseconds timeout);

private:
    struct Files;
    std::unique_ptr<Files> m_files;
    pid_t m_pid = -1;
    bool m_reaped = false;
    int m_status = 0;
};

// run_child with a deadline: a child that hangs is killed and reported as timed_out.
ChildResult run_child_for(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout, const EnvOverrides& env = {});

}  // namespace remora::testing
