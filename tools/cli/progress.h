#pragma once
// A progress line for long-running tool work (docs/design.md, "Tools"): on stderr, only when it
// is a terminal (Context::progress), redrawn in place at most every `interval`, with the rate and,
// when the total is known, the share done and an estimate of the time left:
//
//   remora-inspect replay-verify: 1200/5000 commits (24.0%), 812 commits/s, ETA 0:05
//
// Disabled (stderr is a file or a pipe), it prints nothing at all, so scripts and logs see only
// the tool's own output. Not thread-safe: one reporter per piece of work, updated by its thread.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/progress.h"

namespace remora::tools::cli {

class Progress {
public:
    enum class Unit : std::uint8_t { kCount, kBytes };  // kBytes: shown in MiB

    // `label` starts the line; `unit` names what is counted ("commits", "files"; ignored for
    // kBytes). `out` is for tests; tools use stderr.
    Progress(bool enabled, std::string label, std::string unit, Unit kind = Unit::kCount,
             std::FILE* out = stderr,
             std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    ~Progress();  // finish()
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // `done` of `total` (0: unknown). Draws when the last draw is `interval` old.
    void update(std::uint64_t done, std::uint64_t total);
    // Draws the last state and ends the line, once; nothing when nothing was reported.
    void finish();
    // A callback for library work (common/progress.h) that updates this reporter; empty when
    // disabled, so the work does not even call it.
    common::ProgressFn callback();

    bool enabled() const { return m_enabled; }
    // Whether `stream` is a terminal.
    static bool terminal(std::FILE* stream);
    // The line for `done` of `total` after `elapsed_s` seconds (pure: for the tests).
    static std::string line(const std::string& label, const std::string& unit, Unit kind,
                            std::uint64_t done, std::uint64_t total, double elapsed_s);

private:
    void draw();

    bool m_enabled;
    std::string m_label;
    std::string m_unit;
    Unit m_kind;
    std::FILE* m_out;
    std::chrono::milliseconds m_interval;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last_draw;
    std::uint64_t m_done = 0;
    std::uint64_t m_total = 0;
    bool m_reported = false;
    bool m_finished = false;
};

}  // namespace remora::tools::cli
