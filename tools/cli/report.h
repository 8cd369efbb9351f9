#pragma once
// What a command of any Remora tool produces (tools/cli/command.h): one JSON object for --json
// and the same facts as text for people, plus a verdict.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace remora::tools::cli {

using Json = nlohmann::json;

struct Report {
    Json json = Json::object();
    std::string text;  // human-readable, each line ends with '\n'
    // Not ok when the command ran to the end and found a problem (a digest mismatch): the report
    // is still printed (text on stdout; with --json the error fields are merged into `json`),
    // then the error on stderr, and the exit code follows this status (tools/cli/exit_codes.h).
    common::Status verdict;
    // The exit code, for a command that decides it itself; unset: exit_code_for(verdict). With an
    // ok verdict the report is printed as usual and the tool exits with it (remora-asm `run`: an
    // aborted program's report, exit 1). With a failed verdict and 2 (kExitUsage) the verdict is
    // printed as a usage error (remora-asm `run`: an entry the package lacks).
    std::optional<int> exit_code;
};

// Appends "label:<padding>value\n" so that values line up in a column.
void add_field(std::string& text, std::string_view label, std::string_view value);
void add_field(std::string& text, std::string_view label, std::uint64_t value);

// Merges the error document {"error": message, "code": exit code, "status": name} into `report`
// (so a report with a failed verdict keeps its fields).
void add_error(Json& report, const common::Status& status, int exit_code);

}  // namespace remora::tools::cli
