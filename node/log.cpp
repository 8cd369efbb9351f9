#include "node/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>

namespace remora::node {
namespace {

std::mutex g_mutex;
std::string g_component = "node";
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

const char* level_name(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug: return "DEBUG";
        case LogLevel::kInfo: return "INFO ";
        case LogLevel::kWarn: return "WARN ";
        case LogLevel::kError: return "ERROR";
    }
    return "?    ";
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms.count() % 1000));
    return text;
}

}  // namespace

void set_log_component(std::string component) {
    std::lock_guard lock(g_mutex);
    g_component = std::move(component);
}

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }

void log(LogLevel level, const std::string& text) {
    if (static_cast<int>(level) < g_level.load()) return;
    std::string line;
    {
        std::lock_guard lock(g_mutex);
        line = timestamp() + " remora-node[" + g_component + "] " + level_name(level) + " ";
    }
    for (char c : text) {  // one line: control bytes from peers never reach the terminal raw
        const auto u = static_cast<unsigned char>(c);
        line += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    line += '\n';
    std::lock_guard lock(g_mutex);
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace remora::node
