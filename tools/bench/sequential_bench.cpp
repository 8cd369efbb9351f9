#include "tools/bench/sequential_bench.h"

#include "tools/bench/digest_check.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "executor/sequential/sequential.h"
#include "storage/store.h"
#include "tools/bench/bench_dir.h"
#include "tools/bench/digest_check.h"
#include "tools/bench/side_stats.h"

namespace remora::tools::bench {
namespace {

using common::Result;
using common::Status;
using executor::AbortCode;
using executor::Transaction;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The directory the store goes in: DIR when given (absent or empty; kept), otherwise a fresh
// temporary directory that `temp` removes when the run ends.
Result<std::string> store_root(const SequentialBenchOptions& options,
                               std::optional<TempBenchDir>& temp) {
    if (!options.db_dir.empty()) {
        REMORA_RETURN_IF_ERROR(prepare_empty_dir(options.db_dir));
        return options.db_dir;
    }
    auto created = TempBenchDir::create(kSequentialTempPrefix);
    if (!created) return created.status();
    temp.emplace(std::move(created).value());
    return temp->path();
}

Result<std::unique_ptr<storage::Store>> create_store(const std::string& dir, bool sync) {
    storage::StoreOptions store_options;
    store_options.create_if_missing = true;
    store_options.sync = sync;
    auto store = storage::Store::open(dir, storage::OpenMode::kReadWrite, store_options);
    if (!store) return store.status().with_context("creating the store in " + dir);
    return std::move(store).value();
}

// One commit's transactions and the statuses the generator predicts for them.
struct PendingCommit {
    std::vector<Transaction> txs;
    std::vector<AbortCode> expected;
};

// Draws the next commit: up to the workload's boundary, kCommitTxsMax, or `budget` in all.
// Empty when the budget is spent or the workload has ended.
void next_commit(executor::workload::Workload& load, std::uint64_t budget, PendingCommit& commit) {
    commit.txs.clear();
    commit.expected.clear();
    while (commit.txs.size() < budget && commit.txs.size() < kCommitTxsMax) {
        auto next = load.next();
        if (!next) break;
        commit.txs.push_back(std::move(next->tx));
        commit.expected.push_back(next->expected_status);
        if (next->ends_commit) break;
    }
}

// Counts the statuses of one executed commit and compares them with the predicted ones.
void tally(const PendingCommit& commit, const executor::CommitOutcome& outcome,
           SequentialBenchResult& result) {
    REMORA_ASSERT(outcome.effects.size() == commit.txs.size());
    for (std::size_t i = 0; i < outcome.effects.size(); ++i) {
        const executor::Effects& effects = outcome.effects[i];
        auto code = static_cast<std::size_t>(effects.status.code);
        REMORA_ASSERT(code < result.status_counts.size());
        ++result.status_counts[code];
        result.gas_used += effects.gas_used;
        if (effects.status.code == commit.expected[i]) continue;
        if (result.unexpected_status++ == 0) {
            result.first_unexpected = UnexpectedStatus{result.txs + i, commit.expected[i],
                                                       effects.status.code, effects.status.detail};
        }
    }
}

Status verify_digest(storage::Store& store, SequentialBenchResult& result) {
    auto start = Clock::now();
    REMORA_RETURN_IF_ERROR(check_digest(store, result));
    result.verify_s = seconds_since(start);
    return Status::ok();
}

// Steps 3 and 4 of the run (sequential_bench.h): every commit, generated then timed.
Status execute_commits(executor::workload::Workload& load, executor::SequentialExecutor& executor,
                       const executor::ExecutionOptions& exec_options, const TxProgressFn& progress,
                       SequentialBenchResult& result) {
    const std::uint64_t target = result.options.txs;
    PendingCommit commit;
    while (result.txs < target) {
        auto generate_start = Clock::now();
        next_commit(load, target - result.txs, commit);
        result.generate_s += seconds_since(generate_start);
        if (commit.txs.empty()) break;  // a finite workload ended

        double cpu_start = thread_cpu_seconds();
        auto start = Clock::now();
        auto outcome = executor.execute_commit(commit.txs, exec_options);
        result.seconds += seconds_since(start);
        result.cpu_s += thread_cpu_seconds() - cpu_start;
        if (!outcome) {
            return outcome.status().with_context("executing commit " +
                                                 std::to_string(result.commits + 2));
        }
        tally(commit, *outcome, result);
        result.txs += commit.txs.size();
        ++result.commits;
        if (progress) progress(result.txs, target);
    }
    return Status::ok();
}

}  // namespace

double tps(const SequentialBenchResult& result) {
    return result.seconds > 0 ? static_cast<double>(result.txs) / result.seconds : 0;
}

TimeBreakdown time_breakdown(const SequentialBenchResult& result) {
    REMORA_ASSERT(result.phases.has_value());
    using executor::ExecutionPhase;
    const PhaseTotals& p = *result.phases;
    TimeBreakdown b;
    b.authenticators = p.phase(ExecutionPhase::kAuthenticate);
    b.state_reads = p.total_read_seconds();
    b.program_load = p.phase_without_reads(ExecutionPhase::kLoadProgram);
    b.vm = p.phase_without_reads(ExecutionPhase::kVm);
    b.persist = result.persist_s;
    b.other =
        result.seconds - (b.authenticators + b.state_reads + b.program_load + b.vm + b.persist);
    return b;
}

Result<SequentialBenchResult> run_sequential_bench(const SequentialBenchOptions& options,
                                                   const TxProgressFn& progress) {
    auto run_start = Clock::now();
    SequentialBenchResult result;
    result.options = options;
    auto made = executor::workload::make_workload(options.workload);
    if (!made) return made.status();
    executor::workload::Workload& load = **made;
    result.workload_name = load.name();
    auto genesis = load.genesis_source();
    result.genesis_objects = genesis->size();
    if (auto size = load.size()) result.workload_exhausted = *size < options.txs;

    // Declared in this order so that the store closes before its temporary directory goes.
    std::optional<TempBenchDir> temp;
    auto root = store_root(options, temp);
    if (!root) return root.status();
    result.store_dir = (fs::path(*root) / "store").string();
    auto store = create_store(result.store_dir, options.sync);
    if (!store) return store.status();
    executor::SequentialExecutor executor(**store);

    auto genesis_start = Clock::now();
    auto genesis_commits = executor.commit_genesis(*genesis, load.name());
    if (!genesis_commits) return genesis_commits.status();
    result.genesis_commits = genesis_commits.value();
    result.genesis_s = seconds_since(genesis_start);

    PhaseClock clock;
    executor::ExecutionOptions exec_options;
    if (options.breakdown) exec_options.observer = &clock;
    REMORA_RETURN_IF_ERROR(execute_commits(load, executor, exec_options, progress, result));
    result.execute_s = executor.timings().execute_s;
    result.persist_s = executor.timings().persist_s;
    if (options.breakdown) result.phases = clock.totals();

    REMORA_RETURN_IF_ERROR(verify_digest(**store, result));
    result.run_seconds = seconds_since(run_start);
    return result;
}

}  // namespace remora::tools::bench
