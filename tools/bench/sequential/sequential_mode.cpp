// `remora-bench sequential`: the sequential reference executor on a workload.

#include <chrono>
#include <cstdio>

#include "tools/bench/mode.h"
#include "tools/bench/sequential_bench.h"
#include "tools/bench/sequential_options.h"
#include "tools/bench/sequential_report.h"
#include "tools/cli/progress.h"

namespace remora::tools::bench {
namespace {

using common::Code;
using common::Status;

common::Result<cli::Report> run_sequential_mode(const SequentialBenchOptions& options,
                                                cli::Context& context) {
    if (!options.json) {
        std::printf("remora-bench sequential: workload %s, seed %llu, %llu transactions\n",
                    options.workload.name.c_str(), (unsigned long long)options.workload.seed,
                    (unsigned long long)options.txs);
        std::fflush(stdout);
    }
    cli::Progress progress(context.progress, "remora-bench sequential", "transactions");
    auto result = run_sequential_bench(options, progress.callback());
    progress.finish();
    if (!result) return result.status();

    if (result->unexpected_status > 0) {
        std::fprintf(stderr,
                     "remora-bench: warning: %llu transactions ended with another status "
                     "than the workload predicts\n",
                     (unsigned long long)result->unexpected_status);
    }
    cli::Report report{sequential_report_json(*result), sequential_report_text(*result), {}, {}};
    if (!result->digest_verified) {
        report.verdict =
            Status(Code::kVerificationFailed, "the store's digest " + result->digest_hex +
                                                  " differs from its recomputation " +
                                                  result->recomputed_digest_hex);
    }
    return report;
}

}  // namespace

std::unique_ptr<cli::Command> make_sequential_mode() {
    return std::make_unique<cli::TypedCommand<SequentialBenchOptions>>(
        sequential_spec(), sequential_options, run_sequential_mode);
}

}  // namespace remora::tools::bench
