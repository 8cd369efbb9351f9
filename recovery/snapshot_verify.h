#pragma once
// The checks behind verify_snapshot and restore_snapshot (docs/snapshot_format.md, "Verify").
// Internal to recovery.

#include <string>

#include "common/status.h"
#include "recovery/snapshot.h"

namespace remora::recovery {

// The snapshot directory holds exactly db/ and the manifest, and db/ holds exactly the
// manifest's files with their sizes and XXH3-64 checksums. kVerificationFailed names the
// first file that differs (missing, extra, not a plain file, size, checksum).
Status check_snapshot_files(const std::string& snapshot_path, const SnapshotManifest& manifest);

// Opens the store in `db_dir` read-only and checks that its status (format, shards, applied
// commit, digest, live objects) and a digest recomputed from a full scan equal the manifest's.
// kVerificationFailed names what differs; errors opening the store are returned as they are.
Status check_store_against_manifest(const std::string& db_dir, const SnapshotManifest& manifest);

// Checks that the manifest fits its directory and this build: a directory named like
// snapshot_name() must name the manifest's commit (else kVerificationFailed), and the store
// format must be the one this build reads (else kFormatVersion).
Status check_manifest_fits(const std::string& snapshot_path, const SnapshotManifest& manifest);

}  // namespace remora::recovery
