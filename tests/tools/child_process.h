#pragma once
// Runs a program as a child process and captures what it prints, for tests of the real tools.

#include <string>
#include <vector>

namespace remora::testing {

struct ChildResult {
    int exit_code = -1;  // the exit status; 128 + signal when it died of a signal
    std::string out;     // everything it wrote to stdout
    std::string err;     // everything it wrote to stderr
};

// Runs `program` with `args` (argv[1..]), stdin from /dev/null, and waits for it. Output goes
// through temporary files, so a child that prints a lot cannot block on a full pipe.
ChildResult run_child(const std::string& program, const std::vector<std::string>& args);

}  // namespace remora::testing
