#include "tools/bench/storage_options.h"

#include <charconv>
#include <cstdlib>
#include <set>

namespace remora::tools::bench {
namespace {

using common::Code;
using common::Result;
using common::Status;

Status usage_error(const std::string& message) { return {Code::kInvalidArgument, message}; }

Result<std::uint64_t> parse_u64(const std::string& flag, const std::string& text, std::uint64_t min,
                                std::uint64_t max) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) {
        return usage_error(flag + " expects an unsigned integer, got '" + text + "'");
    }
    if (value < min || value > max) {
        return usage_error(flag + " must be in [" + std::to_string(min) + ", " +
                           std::to_string(max) + "], got " + text);
    }
    return value;
}

Result<double> parse_fraction(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value >= 0.0 && value <= 1.0)) {
        return usage_error(flag + " expects a number in [0, 1], got '" + text + "'");
    }
    return value;
}

Result<bool> parse_on_off(const std::string& flag, const std::string& text) {
    if (text == "on") return true;
    if (text == "off") return false;
    return usage_error(flag + " expects on or off, got '" + text + "'");
}

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
        auto parsed = parse_fraction(name, value);
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
    StorageCommand command;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            command.help = true;
            return command;
        }
        if (arg == "--json") {
            command.options.json = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) return usage_error("unexpected argument '" + arg + "'");
        std::string name = arg;
        std::string value;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return usage_error("option " + name + " expects a value");
        }
        REMORA_RETURN_IF_ERROR(apply(command.options, name, value));
        seen.insert(name);
    }
    for (const auto& flag : kRequired) {
        if (!seen.count(flag)) return usage_error("missing required option " + flag);
    }
    const auto& o = command.options;
    if (o.commits * o.objects_per_commit > kTotalWritesMax) {
        return usage_error("--commits x --objects-per-commit must be at most " +
                           std::to_string(kTotalWritesMax));
    }
    return command;
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
