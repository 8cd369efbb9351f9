#include "tools/bench/storage_bench.h"

#include "tools/bench/digest_check.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "storage/store.h"
#include "tools/bench/bench_dir.h"
#include "tools/bench/random_objects.h"
#include "tools/bench/raw_baseline.h"

namespace remora::tools::bench {
namespace {

using common::Result;
using common::Status;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Applies every commit of `chunk` through `apply`, timing each one and the thread's CPU time.
template <typename Apply>
Status run_side(const std::vector<storage::CommitInput>& chunk, SideMeasurement& measurement,
                Apply&& apply) {
    double cpu_start = thread_cpu_seconds();
    for (const auto& commit : chunk) {
        auto start = Clock::now();
        Status status = apply(commit);
        auto end = Clock::now();
        if (!status) return status;
        measurement.commit_seconds.push_back(std::chrono::duration<double>(end - start).count());
    }
    measurement.cpu_seconds += thread_cpu_seconds() - cpu_start;
    return Status::ok();
}

}  // namespace

Result<StorageBenchResult> run_storage_bench(const StorageBenchOptions& options,
                                             const ProgressFn& progress) {
    auto run_start = Clock::now();
    REMORA_RETURN_IF_ERROR(prepare_empty_dir(options.db_dir));

    storage::StoreOptions store_options;
    store_options.create_if_missing = true;
    store_options.sync = options.sync;
    if (options.shards) store_options.shard_count = *options.shards;
    std::string store_dir = (fs::path(options.db_dir) / kStoreSubdir).string();
    auto store = storage::Store::open(store_dir, storage::OpenMode::kReadWrite, store_options);
    if (!store) return store.status().with_context("creating the store in " + store_dir);
    // The baseline keys its writes with the shard count the store actually uses.
    store_options.shard_count = (*store)->status().shard_count;
    auto raw = RawBaseline::create((fs::path(options.db_dir) / kRawSubdir).string(), store_options);
    if (!raw) return raw.status();

    StorageBenchResult result;
    result.options = options;
    result.shards = store_options.shard_count;
    RandomObjectsWorkload workload(
        {options.seed, options.objects_per_commit, options.payload_bytes, options.update_fraction});
    SideMeasurement store_side;
    SideMeasurement raw_side;
    store_side.commit_seconds.reserve(options.commits);
    raw_side.commit_seconds.reserve(options.commits);
    auto store_apply = [&](const storage::CommitInput& c) { return (*store)->commit(c); };
    auto raw_apply = [&](const storage::CommitInput& c) { return (*raw)->apply(c); };

    std::vector<storage::CommitInput> chunk;
    for (std::uint64_t done = 0, chunk_no = 0; done < options.commits; ++chunk_no) {
        chunk.clear();
        for (; chunk.size() < options.chunk_commits && done < options.commits; ++done) {
            chunk.push_back(workload.next_commit());
        }
        bool store_first = chunk_no % 2 == 0;
        Status first = store_first ? run_side(chunk, store_side, store_apply)
                                   : run_side(chunk, raw_side, raw_apply);
        REMORA_RETURN_IF_ERROR(first);
        Status second = store_first ? run_side(chunk, raw_side, raw_apply)
                                    : run_side(chunk, store_side, store_apply);
        REMORA_RETURN_IF_ERROR(second);
        if (progress) progress(done, options.commits);
    }

    result.store = summarize(store_side, options.objects_per_commit);
    result.raw = summarize(raw_side, options.objects_per_commit);
    result.ratio =
        result.raw.writes_per_s > 0 ? result.store.writes_per_s / result.raw.writes_per_s : 0;
    result.cpu_ratio = result.store.cpu_s > 0 ? result.raw.cpu_s / result.store.cpu_s : 0;
    result.objects_created = workload.objects_created();
    result.updates = workload.updates();
    REMORA_RETURN_IF_ERROR(check_digest(**store, result));
    result.run_seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
    return result;
}

}  // namespace remora::tools::bench
