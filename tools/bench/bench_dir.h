#pragma once
// Where a benchmark puts its databases: a directory the user names (absent or empty, so a run
// never mixes with old data, and left in place afterwards), or a temporary one removed when the
// run ends.

#include <string>

#include "common/status.h"
#include "common/temp_dir.h"

namespace remora::tools::bench {

// Creates `dir` (and its parents) when absent. kAlreadyExists when it holds anything,
// kInvalidArgument when it is not a directory, kIoError when it cannot be created.
common::Status prepare_empty_dir(const std::string& dir);

// A fresh directory under the system's temporary directory ($TMPDIR or /tmp), removed with its
// contents when the object dies, or by the interrupt handler (install_interrupt_cleanup) when
// the process is stopped by a signal while it lives.
class TempBenchDir {
public:
    // kIoError when no directory can be created.
    static common::Result<TempBenchDir> create(const std::string& prefix);
    ~TempBenchDir();
    TempBenchDir(TempBenchDir&&) noexcept = default;  // the moved-from one owns nothing

    const std::string& path() const { return m_dir.path(); }

private:
    explicit TempBenchDir(common::TempDir dir) : m_dir(std::move(dir)) {}
    common::TempDir m_dir;
};

// Makes SIGINT, SIGTERM and SIGHUP remove every live TempBenchDir, say so on stderr and exit
// with 128 + the signal number (130 for SIGINT, 143 for SIGTERM). A directory named with --db is
// the user's and stays. The signals are blocked in every thread and taken by one thread with
// sigwait, so the removal runs in a normal context, not in a signal handler. REQUIRES: called
// once, before any other thread is started (threads inherit the blocked mask).
void install_interrupt_cleanup(const char* tool);

}  // namespace remora::tools::bench
