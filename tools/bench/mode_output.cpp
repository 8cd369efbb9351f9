#include "tools/bench/mode_output.h"

#include <cstdio>

#include "tools/cli/exit_codes.h"

namespace remora::tools::bench {

int fail(const common::Status& status, bool json) {
    print_error(kBenchTool, status);
    int code = exit_code_for(status);
    if (json) {
        print_json(error_json(status, code));
    }
    return code;
}

int usage_error(const std::string& message, const std::string& help_hint, bool json) {
    std::fprintf(stderr, "%s: usage error: %s\nRun '%s' for usage.\n", kBenchTool,
                 printable(message, true).c_str(), help_hint.c_str());
    if (json) print_json(error_json(message, kExitUsage, kUsageStatusName));
    return kExitUsage;
}

int finish_report(nlohmann::ordered_json report, const std::string& text,
                  const common::Status& verdict, bool json) {
    if (!verdict) print_error(kBenchTool, verdict);
    if (json) {
        if (!verdict) {
            report["error"] = verdict.message();
            report["code"] = exit_code_for(verdict);
            report["status"] = common::code_name(verdict.code());
        }
        print_json(report);
    } else {
        std::fputs(text.c_str(), stdout);
    }
    return exit_code_for(verdict);
}

}  // namespace remora::tools::bench
