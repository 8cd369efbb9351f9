#pragma once
// What a command produces: one JSON object (for --json) and the same facts as text for people.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "tools/cli/json_output.h"

namespace remora::tools::inspect {

using Json = nlohmann::json;

struct Report {
    Json json = Json::object();
    std::string text;  // human-readable, each line ends with '\n'
    // Not ok when the command ran to the end and found a problem (a digest mismatch): the report
    // is still printed, then the error, and the exit code follows this status.
    common::Status verdict;
};

// Appends "label<padding>value\n" so that values line up in a column.
void add_field(std::string& text, std::string_view label, std::string_view value);
void add_field(std::string& text, std::string_view label, std::uint64_t value);

// Human form of a payload: the hex of its first `shown_bytes_max` bytes, then "..." when cut.
std::string payload_preview(common::ByteView payload, std::size_t shown_bytes_max);

// The JSON document printed for an error: {"error": message, "code": exit code, "status": name},
// merged into `report` (so a report with a failed verdict keeps its fields).
void add_error(Json& report, const common::Status& status, int exit_code);

// JSON is printed with tools::dump_json (tools/cli/json_output.h): one line, invalid UTF-8 (a
// strange path) replaced, never thrown on.

}  // namespace remora::tools::inspect
