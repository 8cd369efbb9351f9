// Naming, creating and listing snapshots (docs/snapshot_format.md, "Create" and "List").

#include "recovery/snapshot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "common/fault_point.h"
#include "recovery/file_io.h"
#include "recovery/snapshot_manifest.h"

namespace remora::recovery {

using common::Code;

namespace {

std::uint64_t now_unix_ms() {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
}

// Checksums and fsyncs every file of the checkpoint in `db_dir`; the list is sorted by name.
// `progress` counts files.
Result<std::vector<SnapshotFile>> checksum_checkpoint(const std::string& db_dir,
                                                      const common::ProgressFn& progress) {
    auto entries = list_directory(db_dir);
    if (!entries) return entries.status();
    if (entries->size() > common::limits::kSnapshotFilesMax) {
        return Status(Code::kUnsupported, "checkpoint " + db_dir + " has " +
                                              std::to_string(entries->size()) +
                                              " files, more than a snapshot may list");
    }
    std::vector<SnapshotFile> files;
    for (const DirectoryEntry& entry : *entries) {
        std::string path = db_dir + "/" + entry.name;
        if (entry.kind != EntryKind::kFile || !is_valid_file_name(entry.name)) {
            return Status(
                Code::kUnsupported,
                "checkpoint holds " + path + ", which is not a plain file a snapshot can list");
        }
        auto sum = checksum_file(path);
        if (!sum) return sum.status();
        // Hard-linked files are already durable; copied ones (MANIFEST, CURRENT) may not be.
        REMORA_RETURN_IF_ERROR(fsync_file(path));
        files.push_back({entry.name, sum->size_bytes, sum->xxh3});
        if (progress) progress(files.size(), entries->size());
    }
    REMORA_RETURN_IF_ERROR(fsync_directory(db_dir));
    return files;
}

// Fills `temp_dir` with db/ and the manifest, everything fsynced. `status` is the store's status,
// which the checkpoint matches because the store is used by one thread at a time.
Result<SnapshotManifest> build_snapshot(storage::Store& store, const storage::StoreStatus& status,
                                        const std::string& temp_dir,
                                        const common::ProgressFn& progress) {
    std::string db_dir = temp_dir + "/" + kSnapshotDbDirName;
    REMORA_RETURN_IF_ERROR(store.checkpoint(db_dir).with_context("checkpointing " + store.dir()));
    REMORA_FAULT_POINT("recovery.snapshot.mid");
    auto files = checksum_checkpoint(db_dir, progress);
    if (!files) return files.status();
    SnapshotManifest manifest;
    manifest.store_format_version = status.format_version;
    manifest.shard_count = status.shard_count;
    manifest.commit_index = status.applied_commit;
    manifest.state_digest = status.state_digest;
    manifest.live_objects = status.live_objects;
    manifest.created_unix_ms = now_unix_ms();
    manifest.files = std::move(*files);
    REMORA_RETURN_IF_ERROR(write_manifest(temp_dir, manifest));
    REMORA_RETURN_IF_ERROR(fsync_directory(temp_dir));
    return manifest;
}

// Removes ".tmp-*" entries of `dir`: leftovers of creations that crashed. Only called for a
// store's own snapshot directory while its read-write handle (RocksDB's LOCK) is held, so no
// other process can be building there.
Status remove_temporaries(const std::string& dir) {
    auto entries = list_directory(dir);
    if (!entries) return entries.status();
    for (const DirectoryEntry& entry : *entries) {
        if (entry.name.starts_with(kTempPrefix))
            REMORA_RETURN_IF_ERROR(remove_tree(dir + "/" + entry.name));
    }
    return Status::ok();
}

}  // namespace

std::string snapshots_dir(const std::string& store_dir) {
    return trim_trailing_slashes(store_dir) + "/snapshots";
}

std::string snapshot_name(common::CommitIndex commit) {
    char digits[kSnapshotNameCommitDigits + 1];
    std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(commit));
    return kSnapshotNamePrefix + std::string(digits);
}

std::optional<common::CommitIndex> parse_snapshot_name(std::string_view name) {
    std::string_view prefix = kSnapshotNamePrefix;
    if (name.size() != prefix.size() + kSnapshotNameCommitDigits) return std::nullopt;
    if (!name.starts_with(prefix)) return std::nullopt;
    common::CommitIndex commit = 0;
    for (char c : name.substr(prefix.size())) {
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<common::CommitIndex>(c - '0');
        if (commit > (UINT64_MAX - digit) / 10) return std::nullopt;  // above 2^64 - 1
        commit = commit * 10 + digit;
    }
    return commit;
}

Result<SnapshotInfo> create_snapshot(storage::Store& store, const std::string& into_dir,
                                     const common::ProgressFn& progress) {
    if (store.read_only()) {
        return Status(
            Code::kInvalidArgument,
            "creating a snapshot needs the store opened read-write (" + store.dir() + ")");
    }
    const bool default_dir = into_dir.empty();
    const std::string dir =
        default_dir ? snapshots_dir(store.dir()) : trim_trailing_slashes(into_dir);
    REMORA_RETURN_IF_ERROR(create_directories_synced(dir));
    if (default_dir) REMORA_RETURN_IF_ERROR(remove_temporaries(dir));

    const storage::StoreStatus status = store.status();
    const std::string name = snapshot_name(status.applied_commit);
    const std::string final_path = dir + "/" + name;
    if (path_exists(final_path)) {
        return Status(Code::kAlreadyExists, "a snapshot of commit " +
                                                std::to_string(status.applied_commit) +
                                                " already exists: " + final_path);
    }
    const std::string temp_path = dir + "/" + kTempPrefix + name + "-" + std::to_string(::getpid());
    REMORA_RETURN_IF_ERROR(remove_tree(temp_path));  // our own pid's leftover, if any
    if (::mkdir(temp_path.c_str(), 0755) != 0) return errno_status("creating", temp_path, errno);

    auto manifest = build_snapshot(store, status, temp_path, progress);
    Status renamed = manifest ? rename_no_replace(temp_path, final_path) : manifest.status();
    if (!renamed) {
        (void)remove_tree(temp_path);  // best effort: list ignores it anyway
        if (renamed.code() == Code::kAlreadyExists) {
            return Status(Code::kAlreadyExists, "a snapshot of commit " +
                                                    std::to_string(status.applied_commit) +
                                                    " already exists: " + final_path);
        }
        return renamed.with_context("creating snapshot " + final_path);
    }
    REMORA_RETURN_IF_ERROR(fsync_directory(dir));
    return SnapshotInfo{final_path, std::move(*manifest)};
}

Result<std::vector<SnapshotInfo>> list_snapshots(const std::string& dir) {
    const std::string root = trim_trailing_slashes(dir);
    if (!path_exists(root)) return std::vector<SnapshotInfo>{};
    auto entries = list_directory(root);
    if (!entries) return entries.status();
    std::vector<SnapshotInfo> out;
    for (const DirectoryEntry& entry : *entries) {
        std::optional<common::CommitIndex> commit = parse_snapshot_name(entry.name);
        if (!commit || entry.kind != EntryKind::kDirectory) continue;
        std::string path = root + "/" + entry.name;
        auto manifest = read_manifest(path);
        if (!manifest) return manifest.status();
        if (manifest->commit_index != *commit) {
            return Status(Code::kCorruption, "snapshot " + path + " has a manifest for commit " +
                                                 std::to_string(manifest->commit_index) + ", not " +
                                                 std::to_string(*commit));
        }
        out.push_back({std::move(path), std::move(*manifest)});
    }
    // Zero-padded names sort by commit already; sort anyway so the contract holds on its own.
    std::sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
        return a.manifest.commit_index < b.manifest.commit_index;
    });
    return out;
}

}  // namespace remora::recovery
