#pragma once
// Help texts, generated from the command specs so that they cannot drift from the parser.

#include <span>
#include <string>

#include "tools/inspect/args.h"

namespace remora::tools::inspect {

// "get ID [--version V]"
std::string command_synopsis(const CommandSpec& command);

// The tool's help: usage, every command with its summary, global options, exit codes.
std::string tool_help(std::span<const CommandSpec* const> commands);

// One command's help: usage, details, arguments and options.
std::string command_help(const CommandSpec& command);

// A group's help ("snapshot"): its subcommands.
std::string group_help(const std::string& group, std::span<const CommandSpec* const> commands);

}  // namespace remora::tools::inspect
