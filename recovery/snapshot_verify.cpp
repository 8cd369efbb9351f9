// Verifying a snapshot: files against the manifest, then the checkpoint's digest.

#include "recovery/snapshot_verify.h"

#include <cinttypes>
#include <cstdio>

#include "recovery/file_io.h"
#include "recovery/snapshot_manifest.h"

namespace remora::recovery {

using common::Code;

namespace {

Status failed(const std::string& message) { return {Code::kVerificationFailed, message}; }

std::string hex64(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof(text), "%016" PRIx64, value);
    return text;
}

Status check_one_file(const std::string& path, const DirectoryEntry& entry,
                      const SnapshotFile& expected) {
    if (entry.kind != EntryKind::kFile) return failed(path + " is not a regular file");
    auto sum = checksum_file(path);
    if (!sum) return sum.status();
    if (sum->size_bytes != expected.size_bytes) {
        return failed(path + " has " + std::to_string(sum->size_bytes) +
                      " bytes, the manifest says " + std::to_string(expected.size_bytes));
    }
    if (sum->xxh3 != expected.xxh3) {
        return failed(path + " is corrupt: XXH3-64 " + hex64(sum->xxh3) + ", the manifest says " +
                      hex64(expected.xxh3));
    }
    return Status::ok();
}

Status check_top_level(const std::string& snapshot_path) {
    auto entries = list_directory(snapshot_path);
    if (!entries) return entries.status();
    bool has_db = false;
    for (const DirectoryEntry& entry : *entries) {
        std::string path = snapshot_path + "/" + entry.name;
        if (entry.name == kManifestFileName && entry.kind == EntryKind::kFile) continue;
        if (entry.name == kSnapshotDbDirName && entry.kind == EntryKind::kDirectory) {
            has_db = true;
            continue;
        }
        return failed("unexpected entry " + path + " (a snapshot holds only " + kSnapshotDbDirName +
                      "/ and " + kManifestFileName + ")");
    }
    if (!has_db) return failed("missing directory " + snapshot_path + "/" + kSnapshotDbDirName);
    return Status::ok();
}

std::string digest_pair(const common::Digest& found, const common::Digest& expected) {
    return found.hex() + ", the manifest says " + expected.hex();
}

}  // namespace

Status check_snapshot_files(const std::string& snapshot_path, const SnapshotManifest& manifest) {
    REMORA_RETURN_IF_ERROR(check_top_level(snapshot_path));
    const std::string db_dir = snapshot_path + "/" + kSnapshotDbDirName;
    auto entries = list_directory(db_dir);
    if (!entries) return entries.status();
    // Both lists are sorted by name: walk them side by side.
    std::size_t e = 0;
    std::size_t m = 0;
    while (e < entries->size() || m < manifest.files.size()) {
        const DirectoryEntry* entry = e < entries->size() ? &(*entries)[e] : nullptr;
        const SnapshotFile* file = m < manifest.files.size() ? &manifest.files[m] : nullptr;
        if (entry == nullptr || (file != nullptr && file->name < entry->name)) {
            return failed("missing file " + db_dir + "/" + file->name +
                          " (listed in the manifest)");
        }
        if (file == nullptr || entry->name < file->name) {
            return failed("unexpected file " + db_dir + "/" + entry->name +
                          " (not in the manifest)");
        }
        REMORA_RETURN_IF_ERROR(check_one_file(db_dir + "/" + entry->name, *entry, *file));
        ++e;
        ++m;
    }
    return Status::ok();
}

Status check_store_against_manifest(const std::string& db_dir, const SnapshotManifest& manifest) {
    auto opened = storage::Store::open(db_dir, storage::OpenMode::kReadOnly);
    if (!opened) return opened.status().with_context("opening the checkpoint " + db_dir);
    storage::Store& store = **opened;
    const storage::StoreStatus& status = store.status();
    const std::string where = "store " + db_dir;
    if (status.format_version != manifest.store_format_version) {
        return failed(where + " has format version " + std::to_string(status.format_version) +
                      ", the manifest says " + std::to_string(manifest.store_format_version));
    }
    if (status.shard_count != manifest.shard_count) {
        return failed(where + " has " + std::to_string(status.shard_count) +
                      " shards, the manifest says " + std::to_string(manifest.shard_count));
    }
    if (status.applied_commit != manifest.commit_index) {
        return failed(where + " is at commit " + std::to_string(status.applied_commit) +
                      ", the manifest says " + std::to_string(manifest.commit_index));
    }
    if (status.state_digest != manifest.state_digest) {
        return failed(where + " records state digest " +
                      digest_pair(status.state_digest, manifest.state_digest));
    }
    auto recomputed = store.recompute_digest();
    if (!recomputed) return recomputed.status().with_context("recomputing the digest of " + db_dir);
    if (recomputed->state_digest != manifest.state_digest) {
        return failed("digest recomputed from " + db_dir + " is " +
                      digest_pair(recomputed->state_digest, manifest.state_digest));
    }
    if (recomputed->live_objects != manifest.live_objects ||
        status.live_objects != manifest.live_objects) {
        return failed(where + " holds " + std::to_string(recomputed->live_objects) +
                      " live objects (status says " + std::to_string(status.live_objects) +
                      "), the manifest says " + std::to_string(manifest.live_objects));
    }
    return Status::ok();
}

Status check_manifest_fits(const std::string& snapshot_path, const SnapshotManifest& manifest) {
    std::string base = snapshot_path.substr(snapshot_path.find_last_of('/') + 1);
    std::optional<common::CommitIndex> named = parse_snapshot_name(base);
    if (named && *named != manifest.commit_index) {
        return failed("snapshot directory " + snapshot_path + " is named for commit " +
                      std::to_string(*named) + " but its manifest is for commit " +
                      std::to_string(manifest.commit_index));
    }
    if (manifest.store_format_version == storage::kFormatVersion) return Status::ok();
    return {Code::kFormatVersion,
            "snapshot " + snapshot_path + " holds a store of format version " +
                std::to_string(manifest.store_format_version) + "; this build reads version " +
                std::to_string(storage::kFormatVersion)};
}

Result<SnapshotInfo> verify_snapshot(const std::string& snapshot_path) {
    const std::string path = trim_trailing_slashes(snapshot_path);
    auto manifest = read_manifest(path);
    if (!manifest) return manifest.status();
    REMORA_RETURN_IF_ERROR(check_manifest_fits(path, *manifest));
    REMORA_RETURN_IF_ERROR(check_snapshot_files(path, *manifest));
    REMORA_RETURN_IF_ERROR(
        check_store_against_manifest(path + "/" + kSnapshotDbDirName, *manifest));
    return SnapshotInfo{path, std::move(*manifest)};
}

}  // namespace remora::recovery
