#pragma once
// The commands of remora-asm over executor/vm (assembler, codec, verifier, interpreter).

#include <span>
#include <string>

#include "tools/asm/asm_args.h"

namespace remora::tools::asm_tool {

// Runs the whole tool: parses `args` (argv without the program name), prints to stdout/stderr
// and returns the exit code (tools/cli/exit_codes.h).
int run_asm(std::span<const std::string> args);

}  // namespace remora::tools::asm_tool
