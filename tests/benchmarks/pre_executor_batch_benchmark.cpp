// A pre-executor's results per second in isolation (docs/BENCHMARKS.md, "Parallel execution in
// the pre-executor"): batches of 256 transactions of one workload through
// PreExecutor::execute_batch with 1, 2 or 4 exec_threads, on an in-memory store, the
// authenticators verified beforehand as the node's verify workers do (their verdicts passed as
// hints). items_per_second is results per second; the transactions are made outside the timing.
//
//   build/release/tests/benchmarks/pre_executor_batch_benchmark --benchmark_min_time=2

#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "executor/exec/authorize.h"
#include "executor/protocol/pre_executor.h"
#include "executor/workload/workload.h"
#include "storage/store.h"

namespace {

using namespace remora;
using namespace remora::executor;

constexpr std::size_t kBatch = 256;
const char* const kWorkloads[] = {"transfer", "compute", "counter"};

template <typename T>
T take(common::Result<T> result) {
    if (!result.is_ok()) throw std::runtime_error(result.status().to_string());
    return std::move(result).value();
}

void BM_ExecuteBatch(benchmark::State& state) {
    const std::string name = kWorkloads[state.range(0)];
    const auto threads = static_cast<std::size_t>(state.range(1));
    workload::WorkloadConfig config;
    config.name = name;
    config.seed = 1;
    config.accounts = 10'000;
    auto load = take(workload::make_workload(config));
    storage::StoreOptions store_options;
    store_options.create_if_missing = true;
    store_options.in_memory = true;
    store_options.sync = false;
    auto store =
        take(storage::Store::open("/remora-in-memory/bench-" + name + std::to_string(threads),
                                  storage::OpenMode::kReadWrite, store_options));
    protocol::PreExecutorOptions options;
    options.exec_threads = threads;
    options.held_txs_max = 0;  // execute_batch: nothing is held (a single pre-executor)
    auto pre = take(protocol::PreExecutor::from_genesis(
        1, std::move(store), load->genesis_objects(), load->name(), options));
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<Transaction> txs;
        std::vector<LookupTable> tables(kBatch);
        std::vector<const LookupTable*> hints;
        for (std::size_t i = 0; i < kBatch; ++i) {
            txs.push_back(load->next()->tx);
            tables[i].tx_digest = transaction_digest(txs[i]);
            tables[i].authenticators = authorize(txs[i], tables[i].tx_digest, nullptr).checks;
            hints.push_back(&tables[i]);
        }
        state.ResumeTiming();
        auto results = pre->execute_batch(txs, hints);
        benchmark::DoNotOptimize(results);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
    state.SetLabel(name + ", exec_threads " + std::to_string(threads));
    const auto counters = pre->counters();
    state.counters["validated_share"] = counters.executed == 0
                                            ? 0.0
                                            : static_cast<double>(counters.parallel.validated) /
                                                  static_cast<double>(counters.executed);
}

}  // namespace

BENCHMARK(BM_ExecuteBatch)
    ->ArgsProduct({{0, 1, 2}, {1, 2, 4}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
