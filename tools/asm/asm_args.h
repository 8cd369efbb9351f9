#pragma once
// The command line of remora-asm (docs/vm.md, "remora-asm"), on the shared layer
// (tools/cli/args.h):
//
//   remora-asm assemble IN.rasm -o OUT.pkg [--no-verify] [--json]
//   remora-asm disassemble IN [-o OUT.rasm] [--json]
//   remora-asm verify IN [--json]
//   remora-asm run IN --entry NAME [--arg VALUE]... [--gas N] [--json]
//
// IN is an assembly source when its name ends in ".rasm", an encoded package otherwise.
// `-o` is `--output`; a valued option given twice is a usage error; `--arg` repeats to pass
// several arguments. A run argument is `N` or `int:N` (an integer), `hex:HEX` or `0xHEX`
// (bytes), `str:TEXT`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/vm/value.h"
#include "tools/cli/args.h"

namespace remora::tools::asm_tool {

inline constexpr std::uint64_t kGasDefault = 10'000'000;

// A command's arguments, typed.
struct AsmArgs {
    std::string input;
    std::optional<std::string> output;
    bool json = false;
    bool no_verify = false;
    std::string entry;
    std::vector<executor::vm::Value> args;
    std::uint64_t gas = kGasDefault;
};

// The typed arguments of a parsed invocation; a bad --gas or --arg is a usage error naming it.
common::Result<AsmArgs> asm_args(const cli::Invocation& invocation);

// Parses one --arg value (forms above).
common::Result<executor::vm::Value> parse_run_arg(const std::string& text);

const cli::ToolSpec& asm_tool();
const cli::CommandSpec& assemble_spec();
const cli::CommandSpec& disassemble_spec();
const cli::CommandSpec& verify_spec();
const cli::CommandSpec& run_spec();

}  // namespace remora::tools::asm_tool
