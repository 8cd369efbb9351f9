#pragma once
// The command line of remora-inspect, parsed by a pure function (no I/O, no store) so that the
// grammar is tested on its own:
//
//   remora-inspect [--db DIR] [--json] [--help] [COMMAND [ARGS...] [OPTIONS...]]
//
// Options may appear anywhere, as `--name VALUE` or `--name=VALUE`; `--` ends options. A command
// is one or two words ("status", "snapshot verify"); no command means "status". Every value is
// checked against its kind here (64-hex ids, decimal integers), so a malformed one is a usage
// error (exit 2) before any store is opened.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::tools::inspect {

using common::Result;
using common::Status;

enum class ArgKind {
    kFlag,      // an option without a value
    kPath,      // any non-empty text
    kObjectId,  // exactly 64 hex digits
    kUnsigned,  // a decimal u64
};

struct PositionalSpec {
    std::string name;  // shown in usage, e.g. "ID"
    ArgKind kind = ArgKind::kPath;
    std::string help;
};

struct OptionSpec {
    std::string name;  // without the leading "--"
    ArgKind kind = ArgKind::kFlag;
    std::string value_name;  // shown in usage, e.g. "V"; empty for flags
    std::string help;
    bool required = false;
};

struct CommandSpec {
    std::string name;                              // one or two words: "get", "snapshot verify"
    std::string summary;                           // one line, for the tool's help
    std::string details;                           // a paragraph, for the command's help
    std::vector<PositionalSpec> positionals = {};  // all required, in order
    std::vector<OptionSpec> options = {};
    bool needs_db = true;  // --db DIR is required
};

struct Invocation {
    std::optional<std::string> db_dir;
    bool json = false;
    bool help = false;
    // The command to run, or to explain with help. nullptr only with help, for the tool's help
    // or a command group's (then help_topic names the group, e.g. "snapshot").
    const CommandSpec* command = nullptr;
    std::string help_topic;
    std::vector<std::string> positionals;        // the command's arguments, validated
    std::map<std::string, std::string> options;  // the command's options; "" for flags

    bool has_option(const std::string& name) const { return options.count(name) != 0; }
    // REQUIRES: the argument/option exists and was validated as that kind by parse_invocation.
    common::ObjectId object_id_at(std::size_t position) const;
    std::uint64_t unsigned_at(std::size_t position) const;
    std::optional<std::uint64_t> unsigned_option(const std::string& name) const;
    std::optional<std::string> text_option(const std::string& name) const;
};

struct ParseResult {
    Invocation invocation;  // filled as far as parsing got (json is known even on error)
    Status error;           // not ok: a usage error, the message says what is wrong
};

// Parses `args` (argv without the program name) against the known commands.
ParseResult parse_invocation(std::span<const std::string> args,
                             std::span<const CommandSpec* const> commands);

// Decimal u64 without sign, spaces or overflow.
std::optional<std::uint64_t> parse_unsigned(const std::string& text);

// The command group names ("snapshot") of multi-word commands, in order of appearance.
std::vector<std::string> command_groups(std::span<const CommandSpec* const> commands);

}  // namespace remora::tools::inspect
