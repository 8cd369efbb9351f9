// Restoring a snapshot into a new store directory (docs/snapshot_format.md, "Restore").

#include <sys/stat.h>

#include <cerrno>

#include "common/fault_point.h"
#include "recovery/file_io.h"
#include "recovery/snapshot.h"
#include "recovery/snapshot_verify.h"

namespace remora::recovery {

using common::Code;

namespace {

inline constexpr const char* kRestoreSuffix = ".tmp-restore";

// OK when `target` is absent or an empty directory.
Status check_target_free(const std::string& target) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0) {
        if (errno == ENOENT) return Status::ok();
        return errno_status("inspecting", target, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return {Code::kAlreadyExists,
                "restore target " + target + " exists and is not a directory"};
    }
    auto entries = list_directory(target);
    if (!entries) return entries.status();
    if (!entries->empty()) {
        return {Code::kAlreadyExists, "restore target " + target + " is not empty (it holds " +
                                          (*entries)[0].name + "); restore into a new directory"};
    }
    return Status::ok();
}

// Copies the checkpoint's files into `staging` (a real copy, each file fsynced), checking each
// copy's checksum against the manifest so that a file changed after verification is caught.
Status copy_checkpoint(const std::string& snapshot_path, const SnapshotManifest& manifest,
                       const std::string& staging, const common::ProgressFn& progress) {
    const std::string db_dir = snapshot_path + "/" + kSnapshotDbDirName;
    std::uint64_t total = 0, done = 0;
    for (const SnapshotFile& file : manifest.files) total += file.size_bytes;
    for (const SnapshotFile& file : manifest.files) {
        auto copied = copy_file_synced(db_dir + "/" + file.name, staging + "/" + file.name);
        if (!copied) return copied.status();
        if (copied->size_bytes != file.size_bytes || copied->xxh3 != file.xxh3) {
            return {Code::kVerificationFailed,
                    db_dir + "/" + file.name + " changed while it was being restored"};
        }
        done += file.size_bytes;
        if (progress) progress(done, total);
        REMORA_FAULT_POINT("recovery.restore.mid");
    }
    return fsync_directory(staging);
}

// Everything between "verified" and "renamed into place"; the caller removes `staging` on error.
Status build_restore(const std::string& snapshot_path, const SnapshotManifest& manifest,
                     const std::string& staging, const common::ProgressFn& progress) {
    if (::mkdir(staging.c_str(), 0755) != 0) return errno_status("creating", staging, errno);
    REMORA_RETURN_IF_ERROR(copy_checkpoint(snapshot_path, manifest, staging, progress));
    // The restored copy, not the snapshot, is what the node will serve: its digest is the one
    // that must match (the full scan happens here, once).
    return check_store_against_manifest(staging, manifest)
        .with_context("restoring " + snapshot_path);
}

}  // namespace

Result<SnapshotInfo> restore_snapshot(const std::string& snapshot_path,
                                      const std::string& target_dir,
                                      const common::ProgressFn& progress) {
    const std::string source = trim_trailing_slashes(snapshot_path);
    const std::string target = trim_trailing_slashes(target_dir);
    if (target.empty() || target == "/") {
        return Status(Code::kInvalidArgument, "restore needs a target directory");
    }
    REMORA_RETURN_IF_ERROR(check_target_free(target));

    auto manifest = read_manifest(source);
    if (!manifest) return manifest.status();
    REMORA_RETURN_IF_ERROR(check_manifest_fits(source, *manifest));
    REMORA_RETURN_IF_ERROR(check_snapshot_files(source, *manifest));

    const std::string parent = parent_directory(target);
    REMORA_RETURN_IF_ERROR(create_directories_synced(parent));
    const std::string staging = target + kRestoreSuffix;
    REMORA_RETURN_IF_ERROR(remove_tree(staging));  // a crashed restore's leftover
    Status built = build_restore(source, *manifest, staging, progress);
    if (built) built = rename_no_replace(staging, target, /*replace_empty_directory=*/true);
    if (!built) {
        (void)remove_tree(staging);  // best effort; it never looks like a restored store's dir
        return built;
    }
    REMORA_RETURN_IF_ERROR(fsync_directory(parent));
    return SnapshotInfo{source, std::move(*manifest)};
}

}  // namespace remora::recovery
