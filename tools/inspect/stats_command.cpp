// `stats`: entries and bytes per column family and per shard.

#include <cstdio>

#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

class StatsCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        if (context.progress) std::fputs("remora-inspect: scanning the database...\n", stderr);
        auto stats = context.store->stats();
        if (!stats) return stats.status().with_context("collecting statistics");

        Report report;
        report.json["command"] = "stats";
        Json families = Json::array();
        std::string& text = report.text;
        text += "column families (entries, key bytes, value bytes, sst file bytes):\n";
        for (const auto& cf : stats->column_families) {
            families.push_back({{"name", cf.name},
                                {"entries", cf.entries},
                                {"key_bytes", cf.key_bytes},
                                {"value_bytes", cf.value_bytes},
                                {"sst_file_bytes", cf.sst_file_bytes}});
            add_field(text, "  " + cf.name,
                      std::to_string(cf.entries) + " entries  " + std::to_string(cf.key_bytes) +
                          " key bytes  " + std::to_string(cf.value_bytes) + " value bytes  " +
                          std::to_string(cf.sst_file_bytes) + " sst bytes");
        }
        report.json["column_families"] = std::move(families);

        Json shards = Json::array();
        text += "shards (entries = versions incl. tombstones, bytes = key + value):\n";
        for (const auto& shard : stats->shards) {
            shards.push_back({{"shard", shard.shard},
                              {"entries", shard.entries},
                              {"bytes", shard.bytes},
                              {"objects", shard.objects},
                              {"live_objects", shard.live_objects}});
            add_field(text, "  shard " + std::to_string(shard.shard),
                      std::to_string(shard.entries) + " entries  " + std::to_string(shard.bytes) +
                          " bytes  " + std::to_string(shard.objects) + " objects  " +
                          std::to_string(shard.live_objects) + " live");
        }
        report.json["shards"] = std::move(shards);
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "stats",
        .summary = "entries and bytes per column family and per shard",
        .details =
            "Scans every column family and counts entries and key/value bytes exactly "
            "(the counts equal what `ldb scan` prints), plus RocksDB's SST size; and per "
            "shard the stored versions, their bytes, distinct objects and live objects.",
    };
};

}  // namespace

std::unique_ptr<Command> make_stats_command() { return std::make_unique<StatsCommand>(); }

}  // namespace remora::tools::inspect
