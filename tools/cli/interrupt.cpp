#include "tools/cli/interrupt.h"

#include <csignal>

namespace remora::tools::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_stop_signal(int) { g_interrupted.store(true); }

}  // namespace

const std::atomic<bool>& interrupt_flag() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
        std::signal(SIGPIPE, SIG_IGN);
        return true;
    }();
    (void)installed;
    return g_interrupted;
}

}  // namespace remora::tools::cli
