#pragma once
// The primary's snapshot policy (docs/node.md, "Snapshots"): a snapshot (recovery/snapshot.h)
// every snapshot.every_commits commits and on demand (SIGUSR1), the newest snapshot.keep kept
// and older ones removed, and with snapshot.prune the object versions behind the oldest kept
// snapshot pruned (recovery/snapshot_prune.h, as `remora-inspect prune --keep-snapshots`).
//
// Runs on the primary's engine strand between two commits, so a snapshot is always of a commit
// boundary and nothing commits while it is taken (the checkpoint hard-links the table files; its
// cost is listing and checksumming them). A retired snapshot is first renamed to ".tmp-..."
// (which recovery::list_snapshots ignores), then removed, so a crash never leaves a listed
// snapshot half removed; leftovers are removed when the policy opens.

#include <cstdint>
#include <string>

#include "common/status.h"
#include "node/config.h"
#include "storage/store.h"

namespace remora::node {

struct SnapshotTaken {
    common::CommitIndex commit = 0;
    std::string path;
    std::uint64_t removed = 0;          // older snapshots removed (beyond snapshot.keep)
    std::uint64_t versions_pruned = 0;  // with snapshot.prune
    bool already_there = false;         // a snapshot of that commit existed: nothing new taken
};

class SnapshotPolicy {
public:
    // Removes ".tmp-*" leftovers in the snapshot directory (created by the first snapshot).
    static common::Result<SnapshotPolicy> open(const NodeConfig& config,
                                               common::CommitIndex applied);

    // After a commit: true when snapshot.every_commits commits have been applied since the last
    // snapshot the policy took (or since start).
    bool due(common::CommitIndex applied) const;
    // Takes a snapshot of the store's applied commit, then removes and prunes as configured.
    common::Result<SnapshotTaken> take(storage::Store& store);

    const std::string& dir() const { return m_dir; }

private:
    SnapshotPolicy(SnapshotConfig config, std::string dir, common::CommitIndex applied)
        : m_config(std::move(config)), m_dir(std::move(dir)), m_last(applied) {}

    SnapshotConfig m_config;
    std::string m_dir;
    common::CommitIndex m_last = 0;
};

}  // namespace remora::node
