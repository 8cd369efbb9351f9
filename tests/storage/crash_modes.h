#pragma once
// The workloads of store_crash_writer, shared by the writer and store_crash_test so that both
// generate the same commits and open the store the same way.
//
//   basic  the default store options and small commits: kills land in commits and opens
//   flush  64 KiB memtables, a 256 KiB WAL bound and commits of up to 256 KiB (64 KiB on
//          average) over 256 ids: nearly every commit fills a memtable, so kills land in
//          flushes and compactions
//   prune  after every fourth commit a prune to (newest version - 8), two deletions per
//          WriteBatch: a prune spans many synced batches, and kills land between them
//   pipeline  basic's commits through the commit pipeline (StoreOptions::pipeline_depth 3):
//          kills land while several applied commits are still being written

#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/store.h"
#include "tests/support/store_oracle.h"

namespace remora::testing {

struct CrashMode {
    std::string_view name;
    GeneratorOptions generator;
    std::size_t write_buffer_bytes = storage::StoreOptions{}.write_buffer_bytes;
    std::uint64_t max_wal_bytes = storage::StoreOptions{}.max_wal_bytes;
    CommitIndex prune_every = 0;  // 0: never prune
    Version prune_lag = 8;        // the watermark trails the newest version by this much
    std::size_t prune_batch_deletes_max = storage::StoreOptions{}.prune_batch_deletes_max;
    std::size_t pipeline_depth = 0;

    storage::StoreOptions store_options() const {
        storage::StoreOptions options;
        options.sync = true;
        options.write_buffer_bytes = write_buffer_bytes;
        options.max_wal_bytes = max_wal_bytes;
        options.prune_batch_deletes_max = prune_batch_deletes_max;
        options.pipeline_depth = pipeline_depth;
        return options;
    }
    // The watermark the writer prunes to after commit `index` over `state` (after commit
    // `index` applied), or nullopt when it does not prune then. Never decreases.
    std::optional<Version> prune_after(CommitIndex index, const StoreOracle& state) const {
        if (prune_every == 0 || index % prune_every != 0) return std::nullopt;
        if (state.max_version() <= prune_lag) return std::nullopt;
        return state.max_version() - prune_lag;
    }
};

inline CrashMode basic_mode() { return {.name = "basic", .generator = {}}; }

inline CrashMode flush_mode() {
    CrashMode mode{.name = "flush",
                   .generator = {.id_pool_size = 256,
                                 .writes_max = 64,
                                 .payload_bytes_max = 4096,
                                 .body_bytes_max = 512,
                                 .transactions_max = 16}};
    mode.write_buffer_bytes = 64u << 10;
    mode.max_wal_bytes = 256u << 10;
    return mode;
}

inline CrashMode prune_mode() {
    CrashMode mode{.name = "prune", .generator = {}};
    mode.prune_every = 4;
    mode.prune_batch_deletes_max = 2;
    return mode;
}

inline CrashMode pipeline_mode() {
    CrashMode mode{.name = "pipeline", .generator = {}};
    mode.pipeline_depth = 3;
    return mode;
}

// The mode named `name`, or nullopt.
inline std::optional<CrashMode> crash_mode(std::string_view name) {
    for (const CrashMode& mode : {basic_mode(), flush_mode(), prune_mode(), pipeline_mode()}) {
        if (mode.name == name) return mode;
    }
    return std::nullopt;
}

}  // namespace remora::testing
