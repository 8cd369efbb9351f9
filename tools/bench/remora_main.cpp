// `remora-bench remora` as a mode of the remora-bench main (main.cpp dispatches here).

#include <algorithm>
#include <cstdio>

#include "tools/bench/mode_output.h"
#include "tools/bench/remora_bench.h"
#include "tools/cli/exit_codes.h"

namespace remora::tools::bench {
int run_remora_mode(const std::vector<std::string>& args) {
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    auto command = parse_remora_args(args);
    if (!command) {
        return usage_error(command.status().message(), "remora-bench remora --help", json);
    }
    if (command->help) {
        std::fputs(remora_usage().c_str(), stdout);
        return kExitOk;
    }
    const RemoraBenchOptions& options = command->options;
    if (!json) {
        std::printf("remora-bench remora: workload %s, seed %llu, %llu transactions, %u "
                    "pre-executors\n",
                    options.workload.name.c_str(), (unsigned long long)options.workload.seed,
                    (unsigned long long)options.txs, options.pre_executors);
        std::fflush(stdout);
    }
    auto result = run_remora_bench(options);
    if (!result) return fail(result.status(), json);
    int code = kExitOk;
    if (!result->digest_match) {
        std::fprintf(stderr,
                     "%s: the cluster's result differs from the sequential reference: %s\n",
                     kBenchTool, result->first_difference.value_or("").c_str());
        code = kExitFailure;
    }
    if (json) {
        auto report = remora_report_json(*result);
        if (code != kExitOk) report["code"] = code;
        print_json(report);
    } else {
        std::fputs(remora_report_text(*result).c_str(), stdout);
    }
    return code;
}

}  // namespace remora::tools::bench
