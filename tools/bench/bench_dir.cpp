#include "tools/bench/bench_dir.h"

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace remora::tools::bench {
namespace fs = std::filesystem;

common::Status prepare_empty_dir(const std::string& dir) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) {
            return {common::Code::kInvalidArgument, dir + " exists and is not a directory"};
        }
        if (!fs::is_empty(dir, ec)) {
            return {common::Code::kAlreadyExists,
                    dir +
                        " is not empty: remora-bench needs an absent or empty directory "
                        "(remove it or choose another --db)"};
        }
    }
    fs::create_directories(dir, ec);
    if (ec) return {common::Code::kIoError, "creating " + dir + ": " + ec.message()};
    return common::Status::ok();
}

common::Result<TempBenchDir> TempBenchDir::create(const std::string& prefix) {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / (prefix + "-XXXXXX")).string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) {
        return common::Status{common::Code::kIoError, "creating a temporary directory " + pattern +
                                                          ": " + std::strerror(errno)};
    }
    return TempBenchDir(std::string(buffer.data()));
}

TempBenchDir::~TempBenchDir() {
    if (m_path.empty()) return;
    std::error_code ec;  // best effort: a failure leaves a directory in /tmp, nothing worse
    fs::remove_all(m_path, ec);
}

}  // namespace remora::tools::bench
