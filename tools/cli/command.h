#pragma once
// One Remora tool = a ToolSpec, one small Command class per subcommand or mode, and a thin main:
//
//   int main(int argc, char** argv) {
//       std::vector<std::string> args(argv + 1, argv + argc);
//       return remora::tools::cli::run_tool(kMyTool, make_my_commands(), args);
//   }
//
// run_tool does everything the tools share (docs/design.md, "Tools"): it parses the command line
// against the specs (tools/cli/args.h), prints help (--help/-h) and the version (--version, also
// with --json), reports usage errors (exit 2, naming the argument; with --json also the one
// error document on stdout), calls Command::check and then Command::run, catches exceptions into
// an internal error, maps the resulting Status to an exit code (tools/cli/exit_codes.h) and
// prints the Report as text or as one JSON line (tools/cli/json_output.h).
//
// A command that streams output as it goes (a node's log) may print to stdout itself and return
// a Report with empty text; one that needs a resource every command of its tool shares (inspect's
// store) is best written as a tool-specific base class over Command whose run() opens it
// (tools/inspect/command.h).

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/cli/args.h"
#include "tools/cli/report.h"

namespace remora::tools::cli {

struct Context {
    const ToolSpec& tool;
    const Invocation& invocation;  // parsed and validated against the command's spec
    bool progress = false;         // stderr is a terminal: long work may say what it does there
};

class Command {
public:
    virtual ~Command() = default;
    virtual const CommandSpec& spec() const = 0;
    // Checks the kinds cannot express (ranges, combinations of options), before run(). An error
    // is a usage error: exit 2 with its message, as a parse error.
    virtual Status check(const Invocation& /*invocation*/) const { return Status::ok(); }
    // Errors are returned (never thrown on purpose); a report may still carry a failed verdict.
    virtual Result<Report> run(Context& context) const = 0;
};

// A command made of three parts, for tools whose commands take typed arguments: its spec, a
// function turning the parsed invocation into Args (its errors are usage errors, as check()'s),
// and a function running on them. remora-bench's modes and remora-asm's commands are these.
template <typename Args>
class TypedCommand final : public Command {
public:
    using ArgsFn = Result<Args> (*)(const Invocation&);
    using RunFn = Result<Report> (*)(const Args&, Context&);
    TypedCommand(const CommandSpec& spec, ArgsFn args, RunFn run)
        : m_spec(spec), m_args(args), m_run(run) {}

    const CommandSpec& spec() const override { return m_spec; }
    Status check(const Invocation& invocation) const override {
        return m_args(invocation).status();
    }
    Result<Report> run(Context& context) const override {
        Result<Args> args = m_args(context.invocation);
        if (!args) return args.status();
        return m_run(*args, context);
    }

private:
    const CommandSpec& m_spec;  // specs live as long as the tool: function-local statics
    ArgsFn m_args;
    RunFn m_run;
};

// Runs the tool with `args` (argv without the program name), printing to stdout and stderr.
// Returns the exit code. REQUIRES: check_specs(tool, specs of commands) is ok.
int run_tool(const ToolSpec& tool, std::span<const std::unique_ptr<Command>> commands,
             std::span<const std::string> args);

// What run_tool prints for a usage error (for tools that must refuse before run_tool, e.g. on a
// signal setup): "TOOL: usage error: MESSAGE" and a pointer to --help on stderr; with `json` the
// error document on stdout. Returns 2.
int report_usage_error(const ToolSpec& tool, bool json, const Status& status);

// What run_tool prints for a failure: "TOOL: error: MESSAGE" on stderr; with `json` the error
// document, merged into `report`, on stdout. Returns `exit_code`, by default the one `status`
// maps to (tools/cli/exit_codes.h).
int report_failure(const ToolSpec& tool, bool json, const Status& status,
                   Json report = Json::object(), std::optional<int> exit_code = std::nullopt);

}  // namespace remora::tools::cli
