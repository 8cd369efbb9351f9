#pragma once
// The node's log lines, on stderr: "2026-12-06T02:03:04.567Z remora-node[primary] INFO  text".
// One line per call, written with one write() so lines of different threads never interleave.
// Structured logging with per-component levels comes with the operations work (docs/node.md).

#include <string>

namespace remora::node {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// The component name shown in brackets (the role); set once at start.
void set_log_component(std::string component);
void set_log_level(LogLevel level);
void log(LogLevel level, const std::string& text);

inline void log_info(const std::string& text) { log(LogLevel::kInfo, text); }
inline void log_warn(const std::string& text) { log(LogLevel::kWarn, text); }
inline void log_error(const std::string& text) { log(LogLevel::kError, text); }
inline void log_debug(const std::string& text) { log(LogLevel::kDebug, text); }

}  // namespace remora::node
