// `remora-bench primary`: the primary's commit path in real time beside a raw RocksDB baseline.

#include "tools/bench/mode.h"
#include "tools/bench/primary_bench.h"

namespace remora::tools::bench {
namespace {

using common::Code;
using common::Status;

class PrimaryMode final : public cli::Command {
public:
    const cli::CommandSpec& spec() const override { return primary_spec(); }
    Status check(const cli::Invocation& invocation) const override {
        return primary_options(invocation).status();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        auto options = primary_options(context.invocation);
        if (!options) return options.status();
        auto result = run_primary_bench(*options);
        if (!result) return result.status();
        cli::Report report{primary_report_json(*result), primary_report_text(*result), {}, {}};
        if (!result->digest_match) {
            report.verdict = Status(Code::kVerificationFailed,
                                    "the primary's digest " + result->digest_hex +
                                        " differs from the sequential reference's " +
                                        result->reference_digest_hex);
        }
        return report;
    }
};

}  // namespace

std::unique_ptr<cli::Command> make_primary_mode() { return std::make_unique<PrimaryMode>(); }

}  // namespace remora::tools::bench
