#include "tools/bench/storage_options.h"

#include "tools/bench/mode.h"
#include "tools/bench/option_values.h"

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

Status check(const StorageBenchOptions& o) {
    if (o.commits * o.objects_per_commit > kTotalWritesMax) {
        return usage_error("--commits x --objects-per-commit must be at most " +
                           std::to_string(kTotalWritesMax));
    }
    return Status::ok();
}

}  // namespace

const cli::CommandSpec& storage_spec() {
    static const cli::CommandSpec spec{
        .name = "storage",
        .summary = "the store's commit throughput beside a raw RocksDB WriteBatch baseline",
        .details =
            "Commits N random commits of K object writes through the Remora store (DIR/store) and "
            "the same object writes as raw RocksDB WriteBatches (DIR/raw-baseline), interleaved "
            "in chunks of C commits, and reports both rates and their ratio.",
        .options =
            {
                {"db", cli::ArgKind::kPath, "DIR",
                 "must be absent or empty; the databases are left in it", true},
                text_option("commits", "N",
                            "commits per side (1.." + std::to_string(kCommitsMax) + ")", true),
                text_option("objects-per-commit", "K", "object writes per commit", true),
                text_option("seed", "S", "workload seed (printed; same seed, same writes)", true),
                text_option("sync", "on|off", "fsync the WAL on every commit, both sides", false,
                            "on"),
                text_option("shards", "N", "store shard count at creation", false,
                            std::to_string(common::limits::kShardCountDefault)),
                text_option("payload-bytes", "B", "mean payload size; sizes drawn from [B/2, 3B/2]",
                            false, std::to_string(kPayloadBytesDefault)),
                text_option("update-fraction", "F", "share of writes that update an earlier object",
                            false, "0.5"),
                text_option("chunk-commits", "C", "commits per interleaving chunk", false,
                            std::to_string(kChunkCommitsDefault)),
            },
    };
    return spec;
}

Result<StorageBenchOptions> storage_options(const cli::Invocation& invocation) {
    return options_from<StorageBenchOptions>(invocation, apply, check);
}

Result<StorageCommand> parse_storage_args(const std::vector<std::string>& args) {
    return parse_mode_args<StorageCommand>(storage_spec(), args, apply, check);
}

}  // namespace remora::tools::bench
