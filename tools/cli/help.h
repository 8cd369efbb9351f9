#pragma once
// Help texts of every Remora tool, generated from its specs (tools/cli/args.h) so that they
// cannot drift from the parser. run_tool (tools/cli/command.h) prints them for --help.

#include <span>
#include <string>

#include "tools/cli/args.h"

namespace remora::tools::cli {

// The shared "Exit codes:" section (docs/design.md, "Tools"), for a ToolSpec without its own.
extern const char* const kSharedExitCodesHelp;

// "get ID [--version V]"
std::string command_synopsis(const CommandSpec& command);

// The tool's help: summary, usage, every command with its summary, global options, exit codes.
// For a one-mode tool (a single unnamed command), that command's help.
std::string tool_help(const ToolSpec& tool, std::span<const CommandSpec* const> commands);

// One command's help: usage, details, arguments and options (with defaults), exit codes.
std::string command_help(const ToolSpec& tool, const CommandSpec& command);

// A group's help ("snapshot"): its subcommands.
std::string group_help(const ToolSpec& tool, const std::string& group,
                       std::span<const CommandSpec* const> commands);

}  // namespace remora::tools::cli
