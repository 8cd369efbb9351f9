#pragma once
// remora-inspect as a function: parse, open the store as the command needs, run, print.

#include <span>
#include <string>

namespace remora::tools::inspect {

inline constexpr const char* kToolName = "remora-inspect";

// Runs the tool with `args` (argv without the program name), printing to stdout and stderr.
// Returns the exit code (tools/cli/exit_codes.h).
int run_inspect(std::span<const std::string> args);

}  // namespace remora::tools::inspect
