// The cost of one transaction as the number of objects it names grows (docs/BENCHMARKS.md,
// "Large transactions"): a trace row of N objects, from building the transaction to executing it
// and encoding what a commit stores. The figure to read is the time per object: it must stay flat
// from hundreds to 2,048 objects (linear cost), while a 1-object transaction is dominated by the
// fixed cost (an Ed25519 verify).
//
//   build/release/tests/benchmarks/large_tx_benchmark --benchmark_min_time=1

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "executor/exec/execute.h"
#include "executor/exec/state.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/lookup_table_codec.h"
#include "executor/tx/transaction_codec.h"
#include "executor/workload/trace.h"

namespace {

using namespace remora::executor;
using namespace remora::executor::workload;

// One trace row naming `objects` distinct objects: the sender and token balances.
std::vector<TraceRow> rows_of(std::size_t objects) {
    TraceRow row;
    row.line = 2;
    row.sender = "aa";
    row.receiver = "aa";
    for (std::size_t i = 1; i < objects; ++i) {
        row.extra_objects.push_back("cc:" + std::to_string(100000 + i));
    }
    return {row};
}

std::unique_ptr<Workload> workload_of(std::size_t objects) {
    auto made = make_trace_workload_from_rows("bench", rows_of(objects), WorkloadConfig{});
    if (!made.is_ok()) throw std::runtime_error(made.status().to_string());
    return std::move(made).value();
}

void per_object(benchmark::State& state, std::size_t objects) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * objects));
    state.counters["objects"] = static_cast<double>(objects);
}

// The trace row to a signed transaction (ids, dedup, signing).
void BM_BuildTransaction(benchmark::State& state) {
    auto objects = static_cast<std::size_t>(state.range(0));
    std::vector<TraceRow> rows = rows_of(objects);
    for (auto _ : state) {
        auto workload = make_trace_workload_from_rows("bench", rows, WorkloadConfig{});
        auto tx = (*workload)->next();
        benchmark::DoNotOptimize(tx);
    }
    per_object(state, objects);
}

// validate_transaction + execute_transaction (signature, inputs, touch.rasm on every object,
// effects and lookup table), against an in-memory state holding the genesis.
void BM_ExecuteTransaction(benchmark::State& state) {
    auto objects = static_cast<std::size_t>(state.range(0));
    auto workload = workload_of(objects);
    InMemoryState memory;
    for (const auto& object : workload->genesis_objects()) memory.put(object);
    WorkloadTx tx = *workload->next();
    for (auto _ : state) {
        auto result = execute_transaction(tx.tx, memory);
        if (!result.is_ok() || result->effects.status.code != AbortCode::kNone) {
            state.SkipWithError("the transaction did not succeed");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    per_object(state, objects);
}

// Encoding and decoding what crosses a process boundary: transaction, effects, lookup table.
void BM_CodecRoundTrip(benchmark::State& state) {
    auto objects = static_cast<std::size_t>(state.range(0));
    auto workload = workload_of(objects);
    InMemoryState memory;
    for (const auto& object : workload->genesis_objects()) memory.put(object);
    WorkloadTx tx = *workload->next();
    ExecutionResult result = execute_transaction(tx.tx, memory).value();
    for (auto _ : state) {
        auto tx_bytes = encode_transaction(tx.tx);
        auto effects_bytes = encode_effects(result.effects);
        auto table_bytes = encode_lookup_table(result.table);
        auto tx_back = decode_transaction(tx_bytes);
        auto effects_back = decode_effects(effects_bytes);
        auto table_back = decode_lookup_table(table_bytes);
        if (!tx_back.is_ok() || !effects_back.is_ok() || !table_back.is_ok()) {
            state.SkipWithError("a round trip failed");
            break;
        }
        benchmark::DoNotOptimize(effects_back);
    }
    per_object(state, objects);
}

BENCHMARK(BM_BuildTransaction)->Arg(1)->Arg(400)->Arg(2000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ExecuteTransaction)->Arg(1)->Arg(400)->Arg(2000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CodecRoundTrip)->Arg(1)->Arg(400)->Arg(2000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
