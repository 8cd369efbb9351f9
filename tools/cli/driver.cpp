#include <unistd.h>

#include <cstdio>
#include <exception>

#include "tools/cli/command.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/help.h"
#include "tools/cli/json_output.h"
#include "tools/cli/version.h"

namespace remora::tools::cli {
namespace {

void print_stdout(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

std::string help_for(const ToolSpec& tool, const Invocation& invocation,
                     std::span<const CommandSpec* const> specs) {
    if (invocation.command != nullptr && !invocation.command->name.empty()) {
        return command_help(tool, *invocation.command);
    }
    if (!invocation.help_topic.empty()) return group_help(tool, invocation.help_topic, specs);
    return tool_help(tool, specs);
}

int run_checked(const ToolSpec& tool, const Invocation& invocation, const Command& command) {
    Status checked = command.check(invocation);
    if (!checked.is_ok()) return report_usage_error(tool, invocation.json, checked);
    Context context{tool, invocation, isatty(STDERR_FILENO) == 1};
    Result<Report> report = command.run(context);
    if (!report) return report_failure(tool, invocation.json, report.status());
    const int code = report->exit_code.value_or(exit_code_for(report->verdict));
    if (report->verdict.is_ok()) {
        print_stdout(invocation.json ? dump_json(report->json) + "\n" : report->text);
        return code;
    }
    if (code == kExitUsage) return report_usage_error(tool, invocation.json, report->verdict);
    if (!invocation.json) print_stdout(report->text);
    return report_failure(tool, invocation.json, report->verdict, std::move(report->json), code);
}

}  // namespace

int report_usage_error(const ToolSpec& tool, bool json, const Status& status) {
    std::fprintf(stderr, "%s: usage error: %s\nRun '%s --help' for usage.\n", tool.name.c_str(),
                 printable(status.message(), true).c_str(), tool.name.c_str());
    if (json) print_json(error_json(status.message(), kExitUsage, kUsageStatusName));
    return kExitUsage;
}

int report_failure(const ToolSpec& tool, bool json, const Status& status, Json report,
                   std::optional<int> exit_code) {
    const int code = exit_code.value_or(exit_code_for(status));
    print_error(tool.name, status);
    if (json) {
        add_error(report, status, code);
        print_stdout(dump_json(report) + "\n");
    }
    return code;
}

int run_tool(const ToolSpec& tool, std::span<const std::unique_ptr<Command>> commands,
             std::span<const std::string> args) {
    std::vector<const CommandSpec*> specs;
    for (const auto& command : commands) specs.push_back(&command->spec());
    REMORA_ASSERT(check_specs(tool, specs).is_ok());

    bool json = false;
    try {
        ParseResult parsed = parse_invocation(tool, specs, args);
        const Invocation& invocation = parsed.invocation;
        json = invocation.json;
        if (!parsed.error.is_ok()) return report_usage_error(tool, json, parsed.error);
        if (invocation.help) {
            std::string help = help_for(tool, invocation, specs);
            print_stdout(json ? dump_json(Json{{"help", help}}) + "\n" : help);
            return kExitOk;
        }
        if (invocation.version) {
            print_stdout(json ? dump_json(version_json(tool.name)) + "\n"
                              : version_text(tool.name));
            return kExitOk;
        }
        for (const auto& command : commands) {
            if (&command->spec() == invocation.command)
                return run_checked(tool, invocation, *command);
        }
        REMORA_ASSERT(false && "parse_invocation returned a command that is not registered");
        return kExitFailure;
    } catch (const std::exception& e) {
        // Library code reports errors as values; this catches what the standard library or the
        // JSON writer may still throw (allocation, filesystem), so nothing ends in abort.
        return report_failure(
            tool, json,
            Status(common::Code::kInternal, std::string("internal error: ") + e.what()));
    }
}

}  // namespace remora::tools::cli
