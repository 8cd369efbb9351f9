#pragma once
// Command-line parsing shared by the modes of remora-bench: `--name VALUE` or `--name=VALUE` in
// any order, the `--json` and `--help` switches, and value parsers that name the flag in their
// errors. Every error is kInvalidArgument (the caller exits with the usage code).

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace remora::tools::bench {

common::Status usage_error(const std::string& message);

// A decimal integer in [min, max].
common::Result<std::uint64_t> parse_u64(const std::string& flag, const std::string& text,
                                        std::uint64_t min, std::uint64_t max);
// A decimal number in [min, max].
common::Result<double> parse_number(const std::string& flag, const std::string& text, double min,
                                    double max);
// "on" or "off".
common::Result<bool> parse_on_off(const std::string& flag, const std::string& text);

// Parse `value` and store it in `field`, or return the usage error naming `name`.
template <typename Field>
common::Status set_integer(Field& field, const std::string& name, const std::string& value,
                           std::uint64_t min, std::uint64_t max) {
    auto parsed = parse_u64(name, value, min, max);
    if (!parsed) return parsed.status();
    field = static_cast<Field>(*parsed);
    return common::Status::ok();
}
common::Status set_number(double& field, const std::string& name, const std::string& value,
                          double min, double max);
common::Status set_on_off(bool& field, const std::string& name, const std::string& value);

struct ParsedSwitches {
    bool help = false;  // --help or -h was given: nothing else was checked
    bool json = false;
};

// Applies one `--name value` pair; an unknown name or a bad value is an error.
using ApplyFlag = std::function<common::Status(const std::string& name, const std::string& value)>;

// Walks `args`, handing every valued flag to `apply`, and checks that each of `required` was
// given. A valued flag given twice is an error (switches may repeat). Stops at --help.
common::Result<ParsedSwitches> parse_flags(const std::vector<std::string>& args,
                                           const std::set<std::string>& required,
                                           const ApplyFlag& apply);

// Parses a mode's command line into `Command` ({bool help; Options options;} with
// options.json): every valued flag goes to apply(command.options, name, value), and the
// `required` flags must be present unless --help was given.
template <typename Command, typename Apply>
common::Result<Command> parse_command(const std::vector<std::string>& args,
                                      const std::set<std::string>& required, Apply apply) {
    Command command;
    auto switches =
        parse_flags(args, required, [&](const std::string& name, const std::string& value) {
            return apply(command.options, name, value);
        });
    if (!switches) return switches.status();
    command.help = switches->help;
    command.options.json = switches->json;
    return command;
}

}  // namespace remora::tools::bench
