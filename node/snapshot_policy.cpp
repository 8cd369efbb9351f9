#include "node/snapshot_policy.h"

#include "recovery/file_io.h"
#include "recovery/snapshot.h"
#include "recovery/snapshot_prune.h"

namespace remora::node {

using common::Code;
using common::CommitIndex;
using common::Result;
using common::Status;

namespace {

bool is_temporary(const std::string& name) { return name.rfind(recovery::kTempPrefix, 0) == 0; }

}  // namespace

Result<SnapshotPolicy> SnapshotPolicy::open(const NodeConfig& config, CommitIndex applied) {
    const std::string dir = snapshot_dir_of(config);
    if (!recovery::path_exists(dir)) return SnapshotPolicy(config.snapshot, dir, applied);
    auto entries = recovery::list_directory(dir);
    if (!entries) return entries.status();
    for (const recovery::DirectoryEntry& entry : *entries) {
        if (!is_temporary(entry.name)) continue;
        REMORA_RETURN_IF_ERROR(recovery::remove_tree(dir + "/" + entry.name));
    }
    return SnapshotPolicy(config.snapshot, dir, applied);
}

bool SnapshotPolicy::due(CommitIndex applied) const {
    return m_config.every_commits > 0 && applied >= m_last + m_config.every_commits;
}

Result<SnapshotTaken> SnapshotPolicy::take(storage::Store& store) {
    SnapshotTaken taken;
    taken.commit = store.status().applied_commit;
    m_last = taken.commit;
    auto created = recovery::create_snapshot(store, m_dir);
    if (created) {
        taken.path = created->path;
    } else if (created.status().code() == Code::kAlreadyExists) {
        taken.already_there = true;
        taken.path = m_dir + "/" + recovery::snapshot_name(taken.commit);
    } else {
        return created.status().with_context("taking a snapshot of commit " +
                                             std::to_string(taken.commit));
    }
    auto listed = recovery::list_snapshots(m_dir);
    if (!listed) return listed.status().with_context("listing the snapshots");
    while (listed->size() > m_config.keep) {
        const std::string name = recovery::snapshot_name(listed->front().manifest.commit_index);
        const std::string retired = m_dir + "/" + recovery::kTempPrefix + "retired-" + name;
        REMORA_RETURN_IF_ERROR(recovery::rename_no_replace(listed->front().path, retired));
        REMORA_RETURN_IF_ERROR(recovery::fsync_directory(m_dir));
        REMORA_RETURN_IF_ERROR(recovery::remove_tree(retired));
        listed->erase(listed->begin());
        ++taken.removed;
    }
    if (m_config.prune && !listed->empty()) {
        auto pruned = recovery::prune_behind(store, listed->front().manifest.commit_index);
        if (!pruned) return pruned.status();
        taken.versions_pruned = pruned->result.versions_deleted;
    }
    return taken;
}

}  // namespace remora::node
