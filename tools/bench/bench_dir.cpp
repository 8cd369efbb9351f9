#include "tools/bench/bench_dir.h"

#include <signal.h>
#include <stdlib.h>  // mkdtemp
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

namespace remora::tools::bench {
namespace fs = std::filesystem;

namespace {

// The live temporary directories, for the interrupt handler. The mutex also covers creating a
// directory and registering it, so a signal never finds one created but not yet listed.
std::mutex g_live_mutex;
std::set<std::string>& live_dirs() {
    // Never destroyed: the interrupt thread may read it while the process runs its exit.
    static auto* dirs = new std::set<std::string>();
    return *dirs;
}

// Removes `dir` while a store may still be writing into it: a file created during one pass is
// taken by the next.
void remove_tree(const std::string& dir) {
    constexpr int kPassesMax = 20;
    for (int pass = 0; pass < kPassesMax; ++pass) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        if (!fs::exists(dir, ec)) return;
    }
}

}  // namespace

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
    std::lock_guard<std::mutex> lock(g_live_mutex);
    if (mkdtemp(buffer.data()) == nullptr) {
        return common::Status{common::Code::kIoError, "creating a temporary directory " + pattern +
                                                          ": " + std::strerror(errno)};
    }
    live_dirs().insert(buffer.data());
    return TempBenchDir(std::string(buffer.data()));
}

TempBenchDir::~TempBenchDir() {
    if (m_path.empty()) return;
    std::lock_guard<std::mutex> lock(g_live_mutex);
    std::error_code ec;  // best effort: a failure leaves a directory in /tmp, nothing worse
    fs::remove_all(m_path, ec);
    live_dirs().erase(m_path);
}

void install_interrupt_cleanup(const char* tool) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread([signals, tool] {
        int signal_number = 0;
        while (sigwait(&signals, &signal_number) != 0) {
        }
        // Held until the exit: the run cannot create or remove a directory meanwhile.
        std::lock_guard<std::mutex> lock(g_live_mutex);
        for (const std::string& dir : live_dirs()) {
            remove_tree(dir);
            std::fprintf(stderr, "%s: stopped by signal %d; removed the temporary directory %s\n",
                         tool, signal_number, dir.c_str());
        }
        if (live_dirs().empty()) {
            std::fprintf(stderr, "%s: stopped by signal %d\n", tool, signal_number);
        }
        std::fflush(stderr);
        _exit(128 + signal_number);
    }).detach();
}

}  // namespace remora::tools::bench
