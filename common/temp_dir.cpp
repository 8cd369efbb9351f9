#include "common/temp_dir.h"

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace remora::common {

std::string temp_base_dir() {
    const char* base = std::getenv("TMPDIR");
    return base != nullptr && *base != '\0' ? base : "/tmp";
}

Result<std::string> make_temp_dir(std::string_view prefix) {
    const std::string pattern = temp_base_dir() + "/" + std::string(prefix) + "-XXXXXX";
    std::string path = pattern;  // mkdtemp fills in the X's, also when it fails
    if (::mkdtemp(path.data()) == nullptr) {
        return Status{Code::kIoError, "cannot create a temporary directory " + pattern + ": " +
                                          std::strerror(errno)};
    }
    return path;
}

Result<TempDir> TempDir::create(std::string_view prefix) {
    auto path = make_temp_dir(prefix);
    if (!path) return path.status();
    return TempDir(std::move(path).value());
}

TempDir::~TempDir() { remove(); }

void TempDir::remove() {
    if (m_path.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
    m_path.clear();
}

}  // namespace remora::common
