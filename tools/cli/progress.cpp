#include "tools/cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace remora::tools::cli {

namespace {

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// 0:07, 12:34, 1:02:03.
std::string duration(double seconds) {
    const auto total = static_cast<std::uint64_t>(std::llround(std::max(seconds, 0.0)));
    const std::uint64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
    char text[48];
    if (h > 0) {
        std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", static_cast<unsigned long long>(h),
                      static_cast<unsigned long long>(m), static_cast<unsigned long long>(s));
    } else {
        std::snprintf(text, sizeof text, "%llu:%02llu", static_cast<unsigned long long>(m),
                      static_cast<unsigned long long>(s));
    }
    return text;
}

}  // namespace

Progress::Progress(bool enabled, std::string label, std::string unit, Unit kind, std::FILE* out,
                   std::chrono::milliseconds interval)
    : m_enabled(enabled),
      m_label(std::move(label)),
      m_unit(std::move(unit)),
      m_kind(kind),
      m_out(out),
      m_interval(interval),
      m_start(std::chrono::steady_clock::now()),
      m_last_draw(m_start) {}

Progress::~Progress() { finish(); }

bool Progress::terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

std::string Progress::line(const std::string& label, const std::string& unit, Unit kind,
                           std::uint64_t done, std::uint64_t total, double elapsed_s) {
    const bool bytes = kind == Unit::kBytes;
    const double scale = bytes ? 1024.0 * 1024.0 : 1.0;
    const std::string shown_unit = bytes ? "MiB" : unit;
    const int decimals = bytes ? 1 : 0;
    std::string text = label + ": " + fixed(static_cast<double>(done) / scale, decimals);
    if (total > 0) text += "/" + fixed(static_cast<double>(total) / scale, decimals);
    text += " " + shown_unit;
    if (total > 0) {
        text +=
            " (" + fixed(100.0 * static_cast<double>(done) / static_cast<double>(total), 1) + "%)";
    }
    const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
    if (rate > 0) {
        text += ", " + fixed(rate / scale, rate / scale < 10 ? 1 : 0) + " " + shown_unit + "/s";
        if (total > done) {
            text += ", ETA " + duration(static_cast<double>(total - done) / rate);
        }
    }
    text += ", " + duration(elapsed_s) + " elapsed";
    return text;
}

void Progress::update(std::uint64_t done, std::uint64_t total) {
    if (!m_enabled || m_finished) return;
    m_done = done;
    m_total = total;
    m_reported = true;
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last_draw < m_interval) return;
    m_last_draw = now;
    draw();
}

void Progress::draw() {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    // \r to the line's start, then the line, then erase what a longer earlier line left.
    std::fprintf(m_out, "\r%s\x1b[K",
                 line(m_label, m_unit, m_kind, m_done, m_total, elapsed).c_str());
    std::fflush(m_out);
}

void Progress::finish() {
    if (!m_enabled || m_finished) return;
    m_finished = true;
    if (!m_reported) return;
    draw();
    std::fputc('\n', m_out);
    std::fflush(m_out);
}

common::ProgressFn Progress::callback() {
    if (!m_enabled) return {};
    return [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
}

}  // namespace remora::tools::cli
