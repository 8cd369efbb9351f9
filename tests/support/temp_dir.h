#pragma once
// A directory under $TMPDIR (or /tmp) removed with its contents when the object dies.

#include <filesystem>
#include <string>

namespace remora::testing {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "remora-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // A path inside the directory (not created).
    std::string sub(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

}  // namespace remora::testing
