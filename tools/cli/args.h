#pragma once
// The command line of every Remora tool, described by specs and parsed by one pure function (no
// I/O), so that every tool follows the same conventions (docs/design.md, "Tools") and the grammar
// is unit-tested on its own (tests/tools/cli_args_test.cpp):
//
//   TOOL [GLOBAL OPTIONS] [COMMAND [ARGS...] [OPTIONS...]]
//
// - A command is one or two words ("status", "snapshot verify"); a tool with a single mode has
//   one unnamed command (CommandSpec::name == "") and no command word. Commands sharing a first
//   word form a group ("snapshot"); `TOOL snapshot --help` lists them.
// - Options may appear anywhere, as `--name VALUE` or `--name=VALUE` (`-o VALUE` / `-o=VALUE` for
//   an option with a short name); `--` ends options, so a later "-odd" is a positional. Names may
//   hold dots (`--net.cluster_port`).
// - Every value is checked against its ArgKind here, so a malformed one is a usage error (exit 2,
//   the message names the argument) before any work starts. Range checks a kind cannot express
//   belong in Command::check (tools/cli/command.h), which are usage errors too.
// - Refused as usage errors: an unknown option (named), an option or flag given twice (named;
//   except options marked repeatable), a flag with a value, a valued option without one, an
//   option of another command ("does not apply to"), a missing required option or positional,
//   an extra positional, an unknown command or group subcommand.
// - Built in for every tool: `--help`/`-h` (wins over every other problem), `--json` (the result,
//   and any error, as one JSON object on stdout), `--version` (build id, format versions, the
//   executor identity and the allocator: tools/cli/version.h). A command may declare its own valued
//   `--version` option (remora-inspect's `get ID --version V`): when the command given declares it,
//   `--version` is that command's option; otherwise it asks for the tool's version.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::tools::cli {

using common::Result;
using common::Status;

enum class ArgKind {
    kFlag,      // an option without a value
    kText,      // any non-empty text
    kObjectId,  // exactly 64 hex digits
    kUnsigned,  // a decimal u64: no sign, no spaces, no overflow
    kHostPort,  // HOST:PORT with PORT in 1..65535; IPv6 as [::1]:PORT
    kPath,      // a file or directory path: any non-empty text (the command opens it)
};

struct PositionalSpec {
    std::string name;  // shown in usage, e.g. "ID"
    ArgKind kind = ArgKind::kPath;
    std::string help;
};

struct OptionSpec {
    std::string name;  // without the leading "--"; may hold dots ("net.cluster_port")
    ArgKind kind = ArgKind::kFlag;
    std::string value_name;  // shown in usage, e.g. "N"; empty for flags
    std::string help;
    bool required = false;
    // Shown in help as "(default: ...)". The parser does not fill it in: the command applies its
    // own default when the option is absent (Invocation::has_option is false).
    std::string default_text = {};
    char short_name = 0;      // 'o' accepts `-o VALUE` as this option; 0 for none
    bool repeatable = false;  // values collect in order (remora-asm --arg); else twice is refused
};

struct CommandSpec {
    std::string name;     // one or two words: "get", "snapshot verify"; "" for a one-mode tool
    std::string summary;  // one line, for the tool's help
    std::string details;  // a paragraph, for the command's help
    std::vector<PositionalSpec> positionals = {};  // all required, in order
    std::vector<OptionSpec> options = {};
    // Global options marked required in the ToolSpec that this command does without
    // (remora-inspect's `snapshot verify PATH` needs no --db).
    std::vector<std::string> optional_globals = {};
};

struct ToolSpec {
    std::string name;     // "remora-inspect": the program name in messages and help
    std::string summary;  // one line: what the tool is for
    // Accepted with every command (remora-inspect's --db). One marked required is required by
    // every command except those listing it in CommandSpec::optional_globals.
    std::vector<OptionSpec> global_options = {};
    // The command run when none is named ("status" for remora-inspect); "" for none: then a
    // tool with several commands refuses an empty command line as a usage error.
    std::string default_command = {};
    // The "Exit codes:" section of the help; "" gives the shared table (tools/cli/help.h).
    std::string exit_codes_help = {};
    // The page documenting the tool, named at the end of its help ("docs/tools/remora-inspect.md").
    std::string docs_page = {};
};

// HOST:PORT as parsed from a kHostPort value; host without the IPv6 brackets.
struct HostPort {
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const HostPort&) const = default;
};

struct Invocation {
    bool json = false;     // --json
    bool help = false;     // --help or -h: print help (for `command` or `help_topic`), nothing else
    bool version = false;  // --version: print the version, nothing else
    // The command to run, or to explain with help. nullptr only with help or version: for the
    // tool's help, or a group's (then help_topic names the group, e.g. "snapshot").
    const CommandSpec* command = nullptr;
    std::string help_topic;
    std::vector<std::string> positionals;  // the command's arguments, validated
    // Global and command options by name (without "--"); a flag holds one "", a repeatable
    // option every value in order, any other option exactly one value.
    std::map<std::string, std::vector<std::string>> options;

    bool has_option(const std::string& name) const { return options.count(name) != 0; }
    // The value of a single-valued option, nullopt when absent.
    std::optional<std::string> text_option(const std::string& name) const;
    // Every value of a (repeatable) option, in order; empty when absent.
    std::vector<std::string> option_values(const std::string& name) const;
    // REQUIRES: the argument/option exists (or is absent, for the optionals) and was validated as
    // that kind by parse_invocation.
    std::optional<std::uint64_t> unsigned_option(const std::string& name) const;
    std::optional<HostPort> host_port_option(const std::string& name) const;
    common::ObjectId object_id_at(std::size_t position) const;
    std::uint64_t unsigned_at(std::size_t position) const;
    HostPort host_port_at(std::size_t position) const;
};

struct ParseResult {
    Invocation invocation;  // filled as far as parsing got (json is known even on error)
    Status error;           // not ok: a usage error (kInvalidArgument) saying what is wrong
};

// Parses `args` (argv without the program name) against the tool's global options and commands.
ParseResult parse_invocation(const ToolSpec& tool, std::span<const CommandSpec* const> commands,
                             std::span<const std::string> args);

// Whether the specs are coherent: unique command names, no option named help/json or a global's
// name, "version" only as a valued command option, one kind per option name across commands, a
// value_name on every valued option, at most one unnamed command and then no other, a default
// command that exists. run_tool asserts it; a tool's test should check it too.
Status check_specs(const ToolSpec& tool, std::span<const CommandSpec* const> commands);

// Decimal u64 without sign, spaces or overflow.
std::optional<std::uint64_t> parse_unsigned(const std::string& text);

// HOST:PORT (PORT decimal in 1..65535, HOST non-empty; "[v6addr]:PORT" for IPv6).
std::optional<HostPort> parse_host_port(const std::string& text);

// The command group names ("snapshot") of two-word commands, in order of appearance.
std::vector<std::string> command_groups(std::span<const CommandSpec* const> commands);

// A positive, finite decimal number ("1500", "0.5", "2e3"); nullopt for anything else (a rate,
// a duration).
std::optional<double> parse_positive_number(const std::string& text);

// A usage error (exit 2): what Command::check returns for a value out of range.
Status usage_error(std::string message);

}  // namespace remora::tools::cli
