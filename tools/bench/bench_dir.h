#pragma once
// Where a benchmark puts its databases: a directory the user names (absent or empty, so a run
// never mixes with old data, and left in place afterwards), or a temporary one removed when the
// run ends.

#include <string>

#include "common/status.h"

namespace remora::tools::bench {

// Creates `dir` (and its parents) when absent. kAlreadyExists when it holds anything,
// kInvalidArgument when it is not a directory, kIoError when it cannot be created.
common::Status prepare_empty_dir(const std::string& dir);

// A fresh directory under the system's temporary directory ($TMPDIR or /tmp), removed with its
// contents when the object dies.
class TempBenchDir {
public:
    // kIoError when no directory can be created.
    static common::Result<TempBenchDir> create(const std::string& prefix);
    ~TempBenchDir();
    TempBenchDir(TempBenchDir&& other) noexcept : m_path(std::move(other.m_path)) {
        other.m_path.clear();
    }
    TempBenchDir& operator=(TempBenchDir&&) = delete;
    TempBenchDir(const TempBenchDir&) = delete;
    TempBenchDir& operator=(const TempBenchDir&) = delete;

    const std::string& path() const { return m_path; }

private:
    explicit TempBenchDir(std::string path) : m_path(std::move(path)) {}
    std::string m_path;
};

}  // namespace remora::tools::bench
