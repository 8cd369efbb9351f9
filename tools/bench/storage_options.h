#pragma once
// Options of `remora-bench storage` and their parser (docs/tools/remora-bench.md).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "tools/cli/args.h"

namespace remora::tools::bench {

// --- Bounds of the storage benchmark (docs/style.md §3: a limit on everything) ---------------
inline constexpr std::uint64_t kCommitsMax = 10'000'000;
// Commits times objects per commit: bounds the run's memory (latencies, the generator's object
// table) and its disk use (both databases hold every write).
inline constexpr std::uint64_t kTotalWritesMax = 20'000'000;
inline constexpr std::size_t kPayloadBytesDefault = 200;
inline constexpr std::size_t kPayloadBytesMin = 2;
// Payload sizes are drawn from [p/2, 3p/2]; the largest stays far below the store's bound.
inline constexpr std::size_t kPayloadBytesMax = std::size_t{16} * 1024;
inline constexpr std::uint64_t kChunkCommitsDefault = 10;
inline constexpr std::uint64_t kChunkCommitsMax = 100'000;
inline constexpr double kUpdateFractionDefault = 0.5;

static_assert(kPayloadBytesMax * 3 / 2 <= common::limits::kObjectBytesMax);
static_assert(kPayloadBytesMin / 2 >= 1, "every payload has at least one byte");

struct StorageBenchOptions {
    std::string db_dir;
    std::uint64_t commits = 0;
    std::uint64_t objects_per_commit = 0;
    std::uint64_t seed = 0;
    bool json = false;
    bool sync = true;                     // the store's default: fsync the WAL on every commit
    std::optional<std::uint32_t> shards;  // store default when absent
    std::size_t payload_bytes = kPayloadBytesDefault;
    double update_fraction = kUpdateFractionDefault;
    std::uint64_t chunk_commits = kChunkCommitsDefault;
};

// What the command line asked for: options to run, or the help text.
struct StorageCommand {
    bool help = false;
    StorageBenchOptions options;
};

// Parses the arguments after `storage`. Any bad or missing flag gives kInvalidArgument with a
// message naming it (the caller exits with the usage code).
common::Result<StorageCommand> parse_storage_args(const std::vector<std::string>& args);

// The mode's spec (its help is generated from it) and its options from a parsed invocation.
const cli::CommandSpec& storage_spec();
common::Result<StorageBenchOptions> storage_options(const cli::Invocation& invocation);

}  // namespace remora::tools::bench
