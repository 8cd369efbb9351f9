#pragma once
// remora-bench on the shared command line layer (tools/cli/command.h): the tool's spec, the
// option specs its modes share (declared once here), and the bridge from the shared parser's
// Invocation to a mode's typed options. Each mode is one cli::Command in tools/bench/<mode>/.
//
// The shared parser checks the syntax (unknown, repeated, missing options); a mode's `apply`
// turns each value into its field with the mode's bounds, and a usage error names the flag.

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/cli/command.h"

namespace remora::tools::bench {

const cli::ToolSpec& bench_tool();

// The modes, in the order the help lists them.
std::vector<std::unique_ptr<cli::Command>> make_modes();
std::unique_ptr<cli::Command> make_storage_mode();
std::unique_ptr<cli::Command> make_sequential_mode();
std::unique_ptr<cli::Command> make_remora_mode();
std::unique_ptr<cli::Command> make_primary_mode();

// --- Options more than one mode accepts ---------------------------------------------------------
// A bench value is checked by the mode's `apply` (ranges, on|off), so every valued option is
// kText here, except --db (kPath).
cli::OptionSpec db_option(std::string help);
cli::OptionSpec text_option(std::string name, std::string value_name, std::string help,
                            bool required = false, std::string default_text = {});
// --workload, --seed and the workload knobs (--accounts, --skew, --contention,
// --invalid-sig-rate, --compute-rounds): tools/bench/workload_flags.h applies them.
std::vector<cli::OptionSpec> workload_options(const std::string& seed_help);

// Applies every option of `invocation` to a fresh Options through `apply(options, "--name",
// value)` (an error is the usage error naming the flag), sets options.json, then runs
// `check(options)` for the bounds that join several flags.
template <typename Options, typename Apply, typename Check>
common::Result<Options> options_from(const cli::Invocation& invocation, Apply apply, Check check) {
    Options options;
    for (const auto& [name, values] : invocation.options) {
        for (const std::string& value : values) {
            REMORA_RETURN_IF_ERROR(apply(options, "--" + name, value));
        }
    }
    options.json = invocation.json;
    REMORA_RETURN_IF_ERROR(check(options));
    return options;
}

// The arguments after MODE, parsed by the shared parser against the mode's spec, as
// ModeCommand {bool help; Options options;}: what the modes' unit tests call.
template <typename ModeCommand, typename Apply, typename Check>
common::Result<ModeCommand> parse_mode_args(const cli::CommandSpec& spec,
                                            const std::vector<std::string>& args, Apply apply,
                                            Check check) {
    std::vector<std::string> line = {spec.name};
    line.insert(line.end(), args.begin(), args.end());
    const cli::CommandSpec* specs[] = {&spec};
    cli::ParseResult parsed = cli::parse_invocation(bench_tool(), specs, line);
    if (!parsed.error.is_ok()) return parsed.error;
    ModeCommand command;
    command.help = parsed.invocation.help;
    if (command.help) return command;
    auto options = options_from<decltype(command.options)>(parsed.invocation, apply, check);
    if (!options) return options.status();
    command.options = std::move(options).value();
    return command;
}

}  // namespace remora::tools::bench
