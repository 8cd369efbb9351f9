#include "tools/bench/storage_options.h"

#include <set>

#include "tools/bench/arg_parse.h"

namespace remora::tools::bench {
namespace {

using common::Result;
using common::Status;

// Applies one `--name value` pair; an unknown name or a bad value is a usage error.
Status apply(StorageBenchOptions& o, const std::string& name, const std::string& value) {
    auto set_u64 = [&](std::uint64_t& field, std::uint64_t min, std::uint64_t max) -> Status {
        auto parsed = parse_u64(name, value, min, max);
        if (!parsed) return parsed.status();
        field = *parsed;
        return Status::ok();
    };
    if (name == "--db") {
        if (value.empty()) return usage_error("--db expects a directory");
        o.db_dir = value;
        return Status::ok();
    }
    if (name == "--commits") return set_u64(o.commits, 1, kCommitsMax);
    if (name == "--objects-per-commit") {
        return set_u64(o.objects_per_commit, 1, common::limits::kCommitWritesMax);
    }
    if (name == "--seed") return set_u64(o.seed, 0, UINT64_MAX);
    if (name == "--chunk-commits") return set_u64(o.chunk_commits, 1, kChunkCommitsMax);
    if (name == "--payload-bytes") {
        std::uint64_t bytes = 0;
        REMORA_RETURN_IF_ERROR(set_u64(bytes, kPayloadBytesMin, kPayloadBytesMax));
        o.payload_bytes = bytes;
        return Status::ok();
    }
    if (name == "--shards") {
        std::uint64_t shards = 0;
        REMORA_RETURN_IF_ERROR(set_u64(shards, 1, common::limits::kShardCountMax));
        o.shards = static_cast<std::uint32_t>(shards);
        return Status::ok();
    }
    if (name == "--sync") {
        auto parsed = parse_on_off(name, value);
        if (!parsed) return parsed.status();
        o.sync = *parsed;
        return Status::ok();
    }
    if (name == "--update-fraction") {
        auto parsed = parse_number(name, value, 0.0, 1.0);
        if (!parsed) return parsed.status();
        o.update_fraction = *parsed;
        return Status::ok();
    }
    return usage_error("unknown option " + name);
}

}  // namespace

Result<StorageCommand> parse_storage_args(const std::vector<std::string>& args) {
    static const std::set<std::string> kRequired = {"--db", "--commits", "--objects-per-commit",
                                                    "--seed"};
    auto parsed = parse_command<StorageCommand>(args, kRequired, apply);
    if (!parsed || parsed->help) return parsed;
    StorageCommand& command = parsed.value();
    const auto& o = command.options;
    if (o.commits * o.objects_per_commit > kTotalWritesMax) {
        return usage_error("--commits x --objects-per-commit must be at most " +
                           std::to_string(kTotalWritesMax));
    }
    return parsed;
}

std::string storage_usage() {
    return "usage: remora-bench storage --db DIR --commits N --objects-per-commit K --seed S\n"
           "                            [--json] [--sync on|off] [--shards N]\n"
           "                            [--payload-bytes B] [--update-fraction F]\n"
           "                            [--chunk-commits C]\n"
           "\n"
           "Commits N random commits of K object writes through the Remora store (DIR/store) and\n"
           "the same object writes as raw RocksDB WriteBatches (DIR/raw-baseline), interleaved\n"
           "in chunks of C commits, and reports both rates and their ratio.\n"
           "\n"
           "  --db DIR                 must be absent or empty; the databases are left in it\n"
           "  --commits N              commits per side (1.." +
           std::to_string(kCommitsMax) +
           ")\n"
           "  --objects-per-commit K   object writes per commit\n"
           "  --seed S                 workload seed (printed; same seed, same writes)\n"
           "  --json                   one JSON object on stdout\n"
           "  --sync on|off            fsync the WAL on every commit, both sides (default on)\n"
           "  --shards N               store shard count at creation (default " +
           std::to_string(common::limits::kShardCountDefault) +
           ")\n"
           "  --payload-bytes B        mean payload size; sizes drawn from [B/2, 3B/2] (default " +
           std::to_string(kPayloadBytesDefault) +
           ")\n"
           "  --update-fraction F      share of writes that update an earlier object (default "
           "0.5)\n"
           "  --chunk-commits C        commits per interleaving chunk (default " +
           std::to_string(kChunkCommitsDefault) + ")\n";
}

}  // namespace remora::tools::bench
