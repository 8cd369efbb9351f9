#pragma once
// What every Remora tool prints for --json, in one place (docs/design.md, "Tools"): one JSON
// object on one line of stdout, and the error document {"error", "code", "status"}.
//
// Arguments, paths and file contents can hold any bytes, and nlohmann::json throws on a string
// that is not valid UTF-8 when it is dumped. Every dump here replaces invalid sequences with
// U+FFFD instead, so an error path never aborts on a strange argument.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace remora::tools {

// One line of JSON (no trailing newline); invalid UTF-8 replaced, never thrown on.
std::string dump_json(const nlohmann::json& json);
std::string dump_json(const nlohmann::ordered_json& json);

// dump_json + "\n" on stdout.
void print_json(const nlohmann::json& json);
void print_json(const nlohmann::ordered_json& json);

// The status name of a usage error in the error document ("Usage").
inline constexpr std::string_view kUsageStatusName = "Usage";

// {"error": message, "code": exit_code, "status": status_name}.
nlohmann::ordered_json error_json(const std::string& message, int exit_code,
                                  std::string_view status_name);
// The same for a Status: its message and code name.
nlohmann::ordered_json error_json(const common::Status& status, int exit_code);

// `text` made safe for a terminal: printable ASCII and valid UTF-8 characters kept, tab and
// newline kept when `keep_newlines`, every other byte (C0 and C1 controls, DEL, invalid UTF-8)
// written as \xNN. For messages that quote untrusted input.
std::string printable(std::string_view text, bool keep_newlines = false);

// printable() of at most the first `shown_bytes_max` bytes, then "... (N bytes)" when cut.
std::string excerpt(std::string_view text, std::size_t shown_bytes_max);

}  // namespace remora::tools
