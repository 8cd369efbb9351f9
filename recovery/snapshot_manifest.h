#pragma once
// The snapshot manifest file (REMORA-SNAPSHOT): a FlatBuffer of
// recovery/schema/snapshot_manifest.fbs, file identifier "RMSN" (docs/snapshot_format.md).
//
// Every read bounds the size (kSnapshotManifestBytesMax), checks the identifier, runs the
// FlatBuffers Verifier, and only then reads a field; a manifest that fails any check is
// kCorruption with a message naming the file, never a crash.

#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "recovery/snapshot.h"

namespace remora::recovery {

// "<snapshot_path>/REMORA-SNAPSHOT".
std::string manifest_path(const std::string& snapshot_path);

// Serializes `manifest` exactly as given (any snapshot_format_version, so that tests can forge
// manifests of other formats). REQUIRES: files.size() <= kSnapshotFilesMax.
common::Bytes encode_manifest(const SnapshotManifest& manifest);

// Parses and checks manifest bytes; `source` names the file in error messages.
// kCorruption: not a manifest, fails the Verifier, bad file names, unsorted or too many files.
// kFormatVersion: a snapshot_format_version other than kSnapshotFormatVersion.
common::Result<SnapshotManifest> decode_manifest(common::ByteView bytes, const std::string& source);

// Creates <snapshot_path>/REMORA-SNAPSHOT (which must not exist) and fsyncs it; the caller
// fsyncs the directory.
common::Status write_manifest(const std::string& snapshot_path, const SnapshotManifest& manifest);

// True for a name a manifest may list: 1..255 bytes, no '/' or NUL, not "." or "..".
bool is_valid_file_name(const std::string& name);

}  // namespace remora::recovery
