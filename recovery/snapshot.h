#pragma once
// Snapshots: a RocksDB checkpoint of the store plus a manifest (docs/snapshot_format.md).
//
// Layout: <store dir>/snapshots/<name>/ with <name> = "snapshot-" + 20-digit commit index,
// holding db/ (the checkpoint) and REMORA-SNAPSHOT (the manifest, a FlatBuffer).
// A snapshot is built in "<store dir>/snapshots/.tmp-<name>-<pid>" and renamed when complete, so
// a listed snapshot is always whole; leftovers of an interrupted creation are ignored by list.
//
// Invariant: a snapshot whose verify passes restores into a store whose digest, applied commit
// and contents equal the source's at the snapshot's commit.
//
// Error codes: kVerificationFailed (a file or digest differs; the message names the file or
// the digests), kCorruption (an unreadable or inconsistent manifest, named), kFormatVersion (a
// snapshot or store format this build does not read), kAlreadyExists (a snapshot of that
// commit exists; a restore target that is not empty), kNotFound, kIoError.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/progress.h"
#include "common/status.h"
#include "storage/store.h"

namespace remora::recovery {

using common::Result;
using common::Status;

inline constexpr std::uint32_t kSnapshotFormatVersion = 1;
inline constexpr const char* kManifestFileName = "REMORA-SNAPSHOT";
inline constexpr const char* kSnapshotDbDirName = "db";
inline constexpr const char* kSnapshotNamePrefix = "snapshot-";
inline constexpr const char* kTempPrefix = ".tmp-";
// Decimal digits of the commit index in a snapshot's name (enough for any u64).
inline constexpr std::size_t kSnapshotNameCommitDigits = 20;

struct SnapshotFile {
    std::string name;  // relative to the snapshot's db directory
    std::uint64_t size_bytes = 0;
    std::uint64_t xxh3 = 0;  // XXH3-64 (seed 0) of the file's contents

    bool operator==(const SnapshotFile&) const = default;
};

struct SnapshotManifest {
    std::uint32_t snapshot_format_version = kSnapshotFormatVersion;
    std::uint32_t store_format_version = 0;
    std::uint32_t shard_count = 0;
    common::CommitIndex commit_index = 0;
    common::Digest state_digest;
    std::uint64_t live_objects = 0;
    std::uint64_t created_unix_ms = 0;  // informational only
    std::vector<SnapshotFile> files;    // sorted by name

    bool operator==(const SnapshotManifest&) const = default;
};

struct SnapshotInfo {
    std::string path;  // the snapshot directory
    SnapshotManifest manifest;
};

// Default snapshot directory of a store: "<store_dir>/snapshots".
std::string snapshots_dir(const std::string& store_dir);

// "snapshot-" + the commit index in 20 decimal digits, zero-padded.
std::string snapshot_name(common::CommitIndex commit);
// The commit index of a well-formed snapshot name; nullopt for anything else.
std::optional<common::CommitIndex> parse_snapshot_name(std::string_view name);

// Checkpoints `store` into snapshots_dir(store.dir()) (or `into_dir` when not empty) at its
// applied commit. kAlreadyExists when a snapshot of that commit is already there. With the
// default directory, first removes ".tmp-*" leftovers (safe: the caller holds the store's lock).
// REQUIRES: store opened read-write (else kInvalidArgument). `progress` hears of the bytes of the
// checkpoint's files checksummed so far (done, total).
Result<SnapshotInfo> create_snapshot(storage::Store& store, const std::string& into_dir = "",
                                     const common::ProgressFn& progress = {});

// Complete snapshots under `dir`, oldest commit first. A missing dir is an empty list. Only
// entries named like snapshot_name() count; ".tmp-*" and other names are ignored. A listed
// snapshot whose manifest is unreadable, or names another commit than the directory, fails the
// whole listing (kCorruption / kFormatVersion naming it): a damaged snapshot is never hidden.
Result<std::vector<SnapshotInfo>> list_snapshots(const std::string& dir);

// Reads and checks the manifest only: kNotFound when `snapshot_path` does not exist,
// kCorruption (naming the file) when the manifest is missing, too large or malformed,
// kFormatVersion for another snapshot format.
Result<SnapshotManifest> read_manifest(const std::string& snapshot_path);

// Checks every file's size and checksum, that no file is missing or extra, the format
// versions, and recomputes the digest from the checkpoint (opened read-only, nothing written).
// kVerificationFailed names the file or the digest that differs; kFormatVersion for an
// unknown format.
Result<SnapshotInfo> verify_snapshot(const std::string& snapshot_path);

// Verifies, then copies the snapshot into `target_dir` (absent or empty, else kAlreadyExists)
// and checks the restored store's digest before returning. The copy is built in the sibling
// "<target_dir>.tmp-restore" and renamed into place only once checked, so on any failure
// `target_dir` is left as it was. Returns the snapshot's info (path = `snapshot_path`).
// `progress` hears of the bytes copied so far (done, total).
Result<SnapshotInfo> restore_snapshot(const std::string& snapshot_path,
                                      const std::string& target_dir,
                                      const common::ProgressFn& progress = {});

}  // namespace remora::recovery
