#pragma once
// The command line of remora-asm, parsed by a pure function (no I/O):
//
//   remora-asm assemble IN.rasm -o OUT.pkg [--no-verify] [--json]
//   remora-asm disassemble IN [-o OUT.rasm] [--json]
//   remora-asm verify IN [--json]
//   remora-asm run IN --entry NAME [--arg VALUE]... [--gas N] [--json]
//   remora-asm --help
//
// IN is an assembly source when its name ends in ".rasm", an encoded package otherwise.
// Options may come before or after the positional argument, as `--name VALUE` or `--name=VALUE`.
// A valued option given twice (`-o` and `--output` are one option) is a usage error; `--arg`
// repeats to pass several arguments.
// A run argument is `N` or `int:N` (an integer), `hex:HEX` or `0xHEX` (bytes), `str:TEXT`.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/vm/value.h"

namespace remora::tools::asm_tool {

enum class CommandKind { kHelp, kAssemble, kDisassemble, kVerify, kRun };

struct Invocation {
    CommandKind command = CommandKind::kHelp;
    std::string input;
    std::optional<std::string> output;
    bool json = false;
    bool no_verify = false;
    std::string entry;
    std::vector<executor::vm::Value> args;
    std::uint64_t gas = 10'000'000;
};

// A usage error (exit 2) says what is wrong; `json` is set as far as parsing got.
common::Status parse_invocation(std::span<const std::string> args, Invocation& out);

// Parses one --arg value (forms above).
common::Result<executor::vm::Value> parse_run_arg(const std::string& text);

const char* usage_text();

}  // namespace remora::tools::asm_tool
