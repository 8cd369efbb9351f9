#include "tools/bench/mode.h"

#include "executor/workload/workload.h"

namespace remora::tools::bench {

const cli::ToolSpec& bench_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-bench",
        .summary = "benchmarks whose baseline is measured in the same run",
        .docs_page = "docs/tools/remora-bench.md",
    };
    return tool;
}

std::vector<std::unique_ptr<cli::Command>> make_modes() {
    std::vector<std::unique_ptr<cli::Command>> modes;
    modes.push_back(make_storage_mode());
    modes.push_back(make_sequential_mode());
    modes.push_back(make_remora_mode());
    modes.push_back(make_primary_mode());
    return modes;
}

cli::OptionSpec db_option(std::string help) {
    return {"db", cli::ArgKind::kPath, "DIR", std::move(help)};
}

cli::OptionSpec text_option(std::string name, std::string value_name, std::string help,
                            bool required, std::string default_text) {
    return {std::move(name), cli::ArgKind::kText,    std::move(value_name), std::move(help),
            required,        std::move(default_text)};
}

std::vector<cli::OptionSpec> workload_options(const std::string& seed_help) {
    const executor::workload::WorkloadConfig d;
    return {
        text_option("workload", "W",
                    "transfer, counter, nft, amm, compute, mixed, random or trace:<file>", true),
        text_option("seed", "S", seed_help, true),
        text_option("accounts", "A", "synthetic accounts", false, std::to_string(d.accounts)),
        text_option("skew", "THETA", "Zipf theta of senders and shared objects", false, "0"),
        text_option("contention", "K",
                    "counters, pools and collections, each, and random's hot parents", false,
                    std::to_string(d.shared_objects)),
        text_option("invalid-sig-rate", "R", "fraction of transactions with a broken signature",
                    false, "0"),
        text_option("compute-rounds", "C", "iterated_hash rounds of a compute transaction", false,
                    std::to_string(d.compute_rounds)),
    };
}

}  // namespace remora::tools::bench
