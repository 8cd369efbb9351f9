#include "tools/bench/bench_dir.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

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
    std::lock_guard<std::mutex> lock(g_live_mutex);
    auto dir = common::TempDir::create(prefix);
    if (!dir) return dir.status();
    live_dirs().insert(dir->path());
    return TempBenchDir(std::move(dir).value());
}

TempBenchDir::~TempBenchDir() {
    if (m_dir.path().empty()) return;  // moved from
    // Removed under the lock, so that a signal meanwhile waits and then finds it gone.
    std::lock_guard<std::mutex> lock(g_live_mutex);
    const std::string path = m_dir.path();
    m_dir.remove();
    live_dirs().erase(path);
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
