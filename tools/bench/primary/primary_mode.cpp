// `remora-bench primary`: the primary's commit path in real time beside a raw RocksDB baseline.

#include "tools/bench/mode.h"
#include "tools/bench/primary_bench.h"

namespace remora::tools::bench {
namespace {

using common::Code;
using common::Status;

common::Result<cli::Report> run_primary_mode(const PrimaryBenchOptions& options,
                                             cli::Context& /*context*/) {
    auto result = run_primary_bench(options);
    if (!result) return result.status();
    cli::Report report{primary_report_json(*result), primary_report_text(*result), {}, {}};
    if (!result->digest_match) {
        report.verdict =
            Status(Code::kVerificationFailed, "the primary's digest " + result->digest_hex +
                                                  " differs from the sequential reference's " +
                                                  result->reference_digest_hex);
    }
    return report;
}

}  // namespace

std::unique_ptr<cli::Command> make_primary_mode() {
    return std::make_unique<cli::TypedCommand<PrimaryBenchOptions>>(primary_spec(), primary_options,
                                                                    run_primary_mode);
}

}  // namespace remora::tools::bench
