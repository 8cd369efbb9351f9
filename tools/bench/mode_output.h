#pragma once
// What every remora-bench mode prints at its end (docs/tools/remora-bench.md, "Errors"): the
// report as text or one JSON line, and errors on stderr, also as one JSON object on stdout
// with --json, as in remora-inspect. JSON goes through tools/cli/json_output.h, so arguments
// and paths that are not valid UTF-8 never abort the tool.

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "tools/cli/json_output.h"

namespace remora::tools::bench {

inline constexpr const char* kBenchTool = "remora-bench";

// Reports `status` (not ok) and returns its exit code.
int fail(const common::Status& status, bool json);

// Reports a usage error with a pointer to `help_hint` and returns 2.
int usage_error(const std::string& message, const std::string& help_hint, bool json);

// Prints the finished run's report; when `verdict` is not ok (the run completed but failed a
// check), says so on stderr and in the JSON report. Returns the exit code.
int finish_report(nlohmann::ordered_json report, const std::string& text,
                  const common::Status& verdict, bool json);

}  // namespace remora::tools::bench
