// remora-bench: benchmarks with a baseline measured in the same run (docs/tools/remora-bench.md).
// Modes: storage, sequential, remora.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/bench/bench_dir.h"
#include "tools/bench/mode_output.h"
#include "tools/bench/primary_bench.h"
#include "tools/bench/remora_bench.h"
#include "tools/bench/sequential_bench.h"
#include "tools/bench/sequential_options.h"
#include "tools/bench/sequential_report.h"
#include "tools/bench/storage_bench.h"
#include "tools/bench/storage_options.h"
#include "tools/bench/storage_report.h"
#include "tools/cli/exit_codes.h"

namespace {

using namespace remora::tools;
using remora::common::Code;
using remora::common::Status;

using bench::fail;
using bench::usage_error;

std::string usage() {
    return "usage: remora-bench MODE [options]\n"
           "\n"
           "modes:\n"
           "  storage     the store's commit throughput beside a raw RocksDB WriteBatch baseline\n"
           "  sequential  the sequential reference executor on a workload: tx/s and where the\n"
           "              time goes\n"
           "  remora      an in-process Remora cluster on a workload, checked against the\n"
           "              sequential reference: hit rate, misses, primary CPU per tx\n"
           "  primary     the primary's commit path in real time, beside a raw RocksDB\n"
           "              baseline writing the same keys and values\n"
           "\n"
           "Run 'remora-bench MODE --help' for a mode's options.\n";
}

void print_progress(std::uint64_t done, std::uint64_t total) {
    std::fprintf(stderr, "\rstorage: %llu/%llu commits per side", (unsigned long long)done,
                 (unsigned long long)total);
    if (done == total) std::fputc('\n', stderr);
    std::fflush(stderr);
}

int run_storage(const std::vector<std::string>& args) {
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    auto command = bench::parse_storage_args(args);
    if (!command) {
        return usage_error(command.status().message(), "remora-bench storage --help", json);
    }
    if (command->help) {
        std::fputs(bench::storage_usage().c_str(), stdout);
        return kExitOk;
    }
    const bench::StorageBenchOptions& options = command->options;
    if (!json) {
        std::printf("remora-bench storage: seed %llu, databases in %s\n",
                    (unsigned long long)options.seed, options.db_dir.c_str());
        std::fflush(stdout);
    }
    bench::ProgressFn progress;
    if (isatty(STDERR_FILENO)) progress = print_progress;
    auto result = bench::run_storage_bench(options, progress);
    if (!result) return fail(result.status(), json);

    Status verified;
    if (!result->digest_verified) {
        verified = Status(Code::kVerificationFailed,
                          "the store's digest " + result->digest_hex + " (" +
                              std::to_string(result->live_objects) +
                              " live objects) differs from its recomputation " +
                              result->recomputed_digest_hex + " (" +
                              std::to_string(result->recomputed_live_objects) + ")");
    }
    return bench::finish_report(bench::storage_report_json(*result),
                                bench::storage_report_text(*result), verified, json);
}

// Throttled to a few updates a second: a commit can take well under a millisecond.
void print_tx_progress(std::uint64_t done, std::uint64_t total) {
    using Clock = std::chrono::steady_clock;
    static Clock::time_point last;
    auto now = Clock::now();
    if (done < total && now - last < std::chrono::milliseconds(200)) return;
    last = now;
    std::fprintf(stderr, "\rsequential: %llu/%llu transactions", (unsigned long long)done,
                 (unsigned long long)total);
    if (done == total) std::fputc('\n', stderr);
    std::fflush(stderr);
}

int run_sequential(const std::vector<std::string>& args) {
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    auto command = bench::parse_sequential_args(args);
    if (!command) {
        return usage_error(command.status().message(), "remora-bench sequential --help", json);
    }
    if (command->help) {
        std::fputs(bench::sequential_usage().c_str(), stdout);
        return kExitOk;
    }
    const bench::SequentialBenchOptions& options = command->options;
    if (!json) {
        std::printf("remora-bench sequential: workload %s, seed %llu, %llu transactions\n",
                    options.workload.name.c_str(), (unsigned long long)options.workload.seed,
                    (unsigned long long)options.txs);
        std::fflush(stdout);
    }
    bench::TxProgressFn progress;
    if (isatty(STDERR_FILENO)) progress = print_tx_progress;
    auto result = bench::run_sequential_bench(options, progress);
    if (!result) return fail(result.status(), json);
    if (progress && result->txs < options.txs) std::fputc('\n', stderr);  // a trace ended early

    if (result->unexpected_status > 0) {
        std::fprintf(stderr,
                     "%s: warning: %llu transactions ended with another status than the "
                     "workload predicts\n",
                     bench::kBenchTool, (unsigned long long)result->unexpected_status);
    }
    Status verified;
    if (!result->digest_verified) {
        verified = Status(Code::kVerificationFailed, "the store's digest " + result->digest_hex +
                                                         " differs from its recomputation " +
                                                         result->recomputed_digest_hex);
    }
    return bench::finish_report(bench::sequential_report_json(*result),
                                bench::sequential_report_text(*result), verified, json);
}

}  // namespace

int main(int argc, char** argv) {
    // First, before RocksDB or the simulation start threads: they must inherit the blocked mask.
    bench::install_interrupt_cleanup(bench::kBenchTool);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(usage().c_str(), stderr);
        return kExitUsage;
    }
    const std::string mode = args.front();
    if (mode == "--help" || mode == "-h" || mode == "help") {
        std::fputs(usage().c_str(), stdout);
        return kExitOk;
    }
    args.erase(args.begin());
    if (mode == "storage") return run_storage(args);
    if (mode == "sequential") return run_sequential(args);
    if (mode == "remora") return bench::run_remora_mode(args);
    if (mode == "primary") return bench::run_primary_mode(args);
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    return usage_error("unknown mode '" + mode + "' (modes: storage, sequential, remora, primary)",
                       "remora-bench --help", json);
}
