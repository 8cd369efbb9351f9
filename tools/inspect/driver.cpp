#include "tools/inspect/driver.h"

#include <unistd.h>

#include <cstdio>
#include <exception>

#include "tools/cli/exit_codes.h"
#include "tools/inspect/command.h"
#include "tools/inspect/help.h"

namespace remora::tools::inspect {
namespace {

void print_stdout(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Prints the error (stderr; with --json also as the one JSON object on stdout, merged into
// `report`) and returns the exit code it maps to.
int report_failure(bool json, const Status& status, Json report = Json::object()) {
    const int code = exit_code_for(status);
    print_error(kToolName, status);
    if (json) {
        add_error(report, status, code);
        print_stdout(dump_json(report) + "\n");
    }
    return code;
}

int report_usage_error(bool json, const Status& status) {
    std::fprintf(stderr, "%s: usage error: %s\nRun '%s --help' for usage.\n", kToolName,
                 printable(status.message(), true).c_str(), kToolName);
    if (json) {
        print_json(error_json(status.message(), kExitUsage, kUsageStatusName));
    }
    return kExitUsage;
}

std::string help_for(const Invocation& invocation, std::span<const CommandSpec* const> specs) {
    if (invocation.command != nullptr) return command_help(*invocation.command);
    if (!invocation.help_topic.empty()) return group_help(invocation.help_topic, specs);
    return tool_help(specs);
}

Result<std::unique_ptr<storage::Store>> open_store(const std::string& dir, StoreAccess access) {
    const storage::OpenMode mode = access == StoreAccess::kReadWrite ? storage::OpenMode::kReadWrite
                                                                     : storage::OpenMode::kReadOnly;
    // The store's errors already name the directory and what is wrong with it.
    return storage::Store::open(dir, mode);
}

int run_parsed(const Invocation& invocation, const Command& command) {
    std::unique_ptr<storage::Store> store;
    if (command.access() != StoreAccess::kNone) {
        auto opened = open_store(*invocation.db_dir, command.access());
        if (!opened) return report_failure(invocation.json, opened.status());
        store = std::move(*opened);
    }
    Context context{invocation, store.get(), isatty(STDERR_FILENO) == 1};
    Result<Report> report = command.run(context);
    if (!report) return report_failure(invocation.json, report.status());
    if (!report->verdict.is_ok()) {
        if (!invocation.json) print_stdout(report->text);
        return report_failure(invocation.json, report->verdict, std::move(report->json));
    }
    print_stdout(invocation.json ? dump_json(report->json) + "\n" : report->text);
    return kExitOk;
}

}  // namespace

int run_inspect(std::span<const std::string> args) {
    const std::vector<std::unique_ptr<Command>> commands = make_commands();
    std::vector<const CommandSpec*> specs;
    for (const auto& command : commands) specs.push_back(&command->spec());

    ParseResult parsed = parse_invocation(args, specs);
    const Invocation& invocation = parsed.invocation;
    if (!parsed.error.is_ok()) return report_usage_error(invocation.json, parsed.error);
    if (invocation.help) {
        std::string help = help_for(invocation, specs);
        print_stdout(invocation.json ? dump_json(Json{{"help", help}}) + "\n" : help);
        return kExitOk;
    }
    for (const auto& command : commands) {
        if (&command->spec() != invocation.command) continue;
        try {
            return run_parsed(invocation, *command);
        } catch (const std::exception& e) {
            // Library code reports errors as values; this catches what the standard library or
            // the JSON writer may still throw (allocation, filesystem), so nothing ends in abort.
            return report_failure(
                invocation.json,
                Status(common::Code::kInternal, std::string("internal error: ") + e.what()));
        }
    }
    REMORA_ASSERT(false && "parse_invocation returned a command that is not registered");
    return kExitFailure;
}

}  // namespace remora::tools::inspect
