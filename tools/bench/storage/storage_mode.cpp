// `remora-bench storage`: the store's commit throughput beside a raw RocksDB baseline.

#include <cstdio>

#include "tools/bench/mode.h"
#include "tools/bench/storage_bench.h"
#include "tools/bench/storage_options.h"
#include "tools/bench/storage_report.h"
#include "tools/cli/progress.h"

namespace remora::tools::bench {
namespace {

using common::Code;
using common::Status;

common::Result<cli::Report> run_storage_mode(const StorageBenchOptions& options,
                                             cli::Context& context) {
    if (!options.json) {
        std::printf("remora-bench storage: seed %llu, databases in %s\n",
                    (unsigned long long)options.seed, options.db_dir.c_str());
        std::fflush(stdout);
    }
    cli::Progress progress(context.progress, "remora-bench storage", "commits per side");
    auto result = run_storage_bench(options, progress.callback());
    progress.finish();
    if (!result) return result.status();

    cli::Report report{storage_report_json(*result), storage_report_text(*result), {}, {}};
    if (!result->digest_verified) {
        report.verdict = Status(Code::kVerificationFailed,
                                "the store's digest " + result->digest_hex + " (" +
                                    std::to_string(result->live_objects) +
                                    " live objects) differs from its recomputation " +
                                    result->recomputed_digest_hex + " (" +
                                    std::to_string(result->recomputed_live_objects) + ")");
    }
    return report;
}

}  // namespace

std::unique_ptr<cli::Command> make_storage_mode() {
    return std::make_unique<cli::TypedCommand<StorageBenchOptions>>(storage_spec(), storage_options,
                                                                    run_storage_mode);
}

}  // namespace remora::tools::bench
