#pragma once
// Fresh temporary directories: <$TMPDIR, or /tmp when unset or empty>/<prefix>-XXXXXX, made by
// mkdtemp (a new name, mode 0700), either left to the caller (make_temp_dir) or owned and
// removed with its contents when the owner dies (TempDir).

#include <string>
#include <string_view>

#include "common/status.h"

namespace remora::common {

// The directory temporary directories go into: $TMPDIR, or /tmp when it is unset or empty.
std::string temp_base_dir();

// Creates a new directory temp_base_dir()/<prefix>-XXXXXX and returns its path. kIoError, naming
// the pattern and the system's reason, when it cannot.
Result<std::string> make_temp_dir(std::string_view prefix);

// Owns a directory from make_temp_dir and removes it with its contents when it dies (best
// effort: a failure leaves a directory in the temporary directory, nothing worse). Move-only.
class TempDir {
public:
    static Result<TempDir> create(std::string_view prefix);
    ~TempDir();
    TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)) { other.m_path.clear(); }
    TempDir& operator=(TempDir&&) = delete;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return m_path; }
    // Removes the directory now (best effort); the object then owns nothing.
    void remove();

private:
    explicit TempDir(std::string path) : m_path(std::move(path)) {}
    std::string m_path;  // empty once moved from
};

}  // namespace remora::common
