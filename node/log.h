#pragma once
// The node's log, on stderr, through spdlog: one line per event, never one per transaction at
// info level (docs/tools/remora-node.md, "Logs"). Text lines look like
//   2026-12-06T02:03:04.567Z remora-node[primary] INFO  primary listening: ...
// and with format json like
//   {"ts":"2026-12-06T02:03:04.567Z","level":"info","component":"primary","msg":"primary listening:
//   ..."}
// Each line is written whole, so lines of different threads never interleave; control bytes
// from peers are replaced by '?' before they reach the terminal.
//
// Components have their own levels (--log.level primary=debug,node=warn). The component of a
// line is the process's (set_log_component: "primary", or "pre-executor-ID", whose level is
// the one of "pre-executor"), or the one named by log_as ("node": the tool's start and stop).

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace remora::node {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// The components --log.level may name.
inline constexpr std::string_view kLogComponents[] = {"node", "primary", "pre-executor"};

struct LogLevels {
    LogLevel all = LogLevel::kInfo;                // the level of components not named
    std::map<std::string, LogLevel> by_component;  // "primary" -> kDebug
};

// "LEVEL" or "COMPONENT=LEVEL,..." (an entry without '=' sets the level of the rest), levels
// debug|info|warn|error|off. kInvalidArgument saying what is allowed and what came.
common::Result<LogLevels> parse_log_levels(const std::string& text);

// The levels and the format ("text" or "json") of every line from now on.
// REQUIRES: `format` is text or json.
void configure_logging(const LogLevels& levels, const std::string& format);

// The process's component ("primary", "pre-executor-3"); set once at start.
void set_log_component(std::string component);
// Every component at `level`.
void set_log_level(LogLevel level);
void log(LogLevel level, const std::string& text);
// A line of another component than the process's ("node").
void log_as(std::string_view component, LogLevel level, const std::string& text);

inline void log_info(const std::string& text) { log(LogLevel::kInfo, text); }
inline void log_warn(const std::string& text) { log(LogLevel::kWarn, text); }
inline void log_error(const std::string& text) { log(LogLevel::kError, text); }
inline void log_debug(const std::string& text) { log(LogLevel::kDebug, text); }

}  // namespace remora::node
