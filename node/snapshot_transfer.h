#pragma once
// Snapshot bootstrap of a pre-executor over its cluster link (docs/node.md, "Joining"): the
// primary serves a snapshot of its store (recovery/snapshot.h) file by file in checksummed
// chunks; the pre-executor writes them under DIR/incoming, resumes a partial download after a
// reconnect or a restart, and installs the snapshot only once every file and the state digest
// verify.
//
// Nothing the primary sends is trusted: the manifest is decoded and bounded like a file from
// disk (its file names can never leave the download directory), each chunk must be exactly the
// piece asked for and carry a matching XXH3, and the installed store is the one
// recovery::restore_snapshot checked against the manifest's digest.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "net/node_messages.h"
#include "recovery/snapshot.h"
#include "storage/store.h"

namespace remora::node {

// The primary's side.
class SnapshotSource {
public:
    // Snapshots go to `dir` (DIR/bootstrap), which it owns: leftovers are removed here.
    static common::Result<SnapshotSource> open(std::string dir);

    // The snapshot at `resume` when still held, else the newest held at the store's applied
    // commit, else a new one taken now (the two newest are kept).
    common::Result<net::SnapshotOffer> offer(storage::Store& store, common::CommitIndex resume);
    // The piece asked for, clipped to the file's end. kNotFound for a snapshot no longer held,
    // kInvalidArgument for a file index or offset outside it.
    common::Result<net::SnapshotChunk> chunk(const net::SnapshotChunkRequest& request) const;

private:
    explicit SnapshotSource(std::string dir) : m_dir(std::move(dir)) {}
    common::Result<net::SnapshotOffer> offer_of(const recovery::SnapshotInfo& info) const;

    std::string m_dir;
    std::map<common::CommitIndex, recovery::SnapshotInfo> m_held;
};

// The pre-executor's side.
class SnapshotSink {
public:
    // Downloads go to `dir` (DIR/incoming).
    explicit SnapshotSink(std::string dir) : m_dir(std::move(dir)) {}

    // The commit of a partial download found on disk (0: none), to ask the primary to resume.
    common::CommitIndex resume_commit() const;
    // Starts (or resumes, when the same commit's files are on disk) the offered snapshot.
    // kCorruption for a manifest that does not decode or names another commit.
    common::Status begin(const net::SnapshotOffer& offer);
    // The next piece to ask for; nullopt when every file is whole.
    std::optional<net::SnapshotChunkRequest> next_request() const;
    // Appends a chunk. kCorruption when it is not exactly the piece next_request() names.
    common::Status accept(const net::SnapshotChunk& chunk);
    // Bytes received of the current snapshot, and its total (for progress).
    std::uint64_t received_bytes() const;
    std::uint64_t total_bytes() const;

    // Verifies the whole snapshot and restores it into `store_dir` (whose previous contents
    // are removed first: a pre-executor's store is a cache of primary-confirmed state), then
    // removes the download. Returns the snapshot's manifest.
    common::Result<recovery::SnapshotManifest> install(const std::string& store_dir);

private:
    std::string snapshot_path() const;

    std::string m_dir;
    std::optional<recovery::SnapshotManifest> m_manifest;
    std::vector<std::uint64_t> m_have;  // bytes on disk per file
};

}  // namespace remora::node
