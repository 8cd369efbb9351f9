#include "tools/inspect/snapshot_view.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>

namespace remora::tools::inspect {
namespace {

std::string base_name(const std::string& path) {
    std::filesystem::path p(path);
    if (!p.has_filename()) p = p.parent_path();  // "dir/" names "dir"
    return p.filename().string();
}

std::uint64_t total_bytes(const recovery::SnapshotManifest& manifest) {
    std::uint64_t total = 0;
    for (const auto& file : manifest.files) total += file.size_bytes;
    return total;
}

std::string xxh3_hex(std::uint64_t value) {
    char buffer[17];
    std::snprintf(buffer, sizeof(buffer), "%016" PRIx64, value);
    return buffer;
}

}  // namespace

Json snapshot_json(const recovery::SnapshotInfo& info, bool with_files) {
    const recovery::SnapshotManifest& m = info.manifest;
    Json json = {
        {"name", base_name(info.path)},
        {"path", info.path},
        {"commit_index", m.commit_index},
        {"state_digest", m.state_digest.hex()},
        {"live_objects", m.live_objects},
        {"shard_count", m.shard_count},
        {"store_format_version", m.store_format_version},
        {"snapshot_format_version", m.snapshot_format_version},
        {"created_unix_ms", m.created_unix_ms},
        {"file_count", m.files.size()},
        {"total_bytes", total_bytes(m)},
    };
    if (with_files) {
        Json files = Json::array();
        for (const auto& file : m.files) {
            files.push_back({{"name", file.name},
                             {"size_bytes", file.size_bytes},
                             {"xxh3", xxh3_hex(file.xxh3)}});
        }
        json["files"] = std::move(files);
    }
    return json;
}

std::string snapshot_line(const recovery::SnapshotInfo& info) {
    const recovery::SnapshotManifest& m = info.manifest;
    return base_name(info.path) + "  commit " + std::to_string(m.commit_index) + "  digest " +
           m.state_digest.hex() + "  " + std::to_string(m.live_objects) + " live objects  " +
           std::to_string(m.files.size()) + " files, " + std::to_string(total_bytes(m)) + " bytes";
}

void add_snapshot_fields(std::string& text, const recovery::SnapshotInfo& info, bool with_files) {
    const recovery::SnapshotManifest& m = info.manifest;
    add_field(text, "snapshot", info.path);
    add_field(text, "commit index", m.commit_index);
    add_field(text, "state digest", m.state_digest.hex());
    add_field(text, "live objects", m.live_objects);
    add_field(text, "shards", m.shard_count);
    add_field(text, "store format version", m.store_format_version);
    add_field(text, "snapshot format", m.snapshot_format_version);
    add_field(text, "created (unix ms)", m.created_unix_ms);
    add_field(text, "files",
              std::to_string(m.files.size()) + " (" + std::to_string(total_bytes(m)) + " bytes)");
    if (!with_files) return;
    for (const auto& file : m.files) {
        text += "  " + file.name + "  " + std::to_string(file.size_bytes) + " bytes  xxh3 " +
                xxh3_hex(file.xxh3) + "\n";
    }
}

}  // namespace remora::tools::inspect
