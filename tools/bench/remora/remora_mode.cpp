// `remora-bench remora`: an in-process cluster checked against the sequential reference.

#include <cstdio>

#include "tools/bench/mode.h"
#include "tools/bench/remora_bench.h"
#include "tools/bench/remora_options.h"

namespace remora::tools::bench {
namespace {

using common::Status;

common::Result<cli::Report> run_remora_mode(const RemoraBenchOptions& options,
                                            cli::Context& /*context*/) {
    if (!options.json) {
        std::printf(
            "remora-bench remora: workload %s, seed %llu, %llu transactions, %u "
            "pre-executors\n",
            options.workload.name.c_str(), (unsigned long long)options.workload.seed,
            (unsigned long long)options.txs, options.pre_executors);
        std::fflush(stdout);
    }
    auto result = run_remora_bench(options);
    if (!result) return result.status();
    cli::Report report{remora_report_json(*result), remora_report_text(*result), {}, {}};
    if (!result->digest_match) {
        // Exit 1 (a failed run), not 65: no stored data is bad.
        report.verdict = Status(common::Code::kInternal,
                                "the cluster's result differs from the sequential reference: " +
                                    result->first_difference.value_or(""));
    }
    return report;
}

}  // namespace

std::unique_ptr<cli::Command> make_remora_mode() {
    return std::make_unique<cli::TypedCommand<RemoraBenchOptions>>(remora_spec(), remora_options,
                                                                   run_remora_mode);
}

}  // namespace remora::tools::bench
