#pragma once
// A test's directory under $TMPDIR (or /tmp), removed with its contents when the object dies:
// common::TempDir, constructed in place and throwing when it cannot be created (a test cannot
// go on without it).

#include <filesystem>
#include <string>

#include "common/temp_dir.h"

namespace remora::testing {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "remora-test");

    const std::filesystem::path& path() const { return m_path; }
    // A path inside the directory (not created).
    std::string sub(const std::string& name) const { return (m_path / name).string(); }

private:
    common::TempDir m_dir;
    std::filesystem::path m_path;
};

}  // namespace remora::testing
