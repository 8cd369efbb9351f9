#pragma once
// Builds the state update the primary pushes to a pre-executor (docs/design.md §3): every object
// changed after the pre-executor's acknowledged commit, at its newest version. The changed ids
// come from the write lists of commits from+1..now (kept in memory for recent commits by a
// WriteLog, read from the store's commit records for older ones); the objects are read from the
// store. Bounded: past the commit, object or byte bound the update holds the most recently
// changed objects only and is marked incomplete.

#include <cstdint>
#include <deque>
#include <vector>

#include "common/status.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/messages.h"
#include "storage/store.h"

namespace remora::executor::protocol {

// The write lists (id, version, tombstone) of the last `capacity` commits.
class WriteLog {
public:
    explicit WriteLog(std::size_t capacity) : m_capacity(capacity) {}
    // REQUIRES: `index` follows the last one added (or the log is empty).
    void add(CommitIndex index, std::vector<storage::ObjectRef> writes);
    const std::vector<storage::ObjectRef>* find(CommitIndex index) const;

private:
    std::size_t m_capacity;
    std::deque<std::pair<CommitIndex, std::vector<storage::ObjectRef>>> m_commits;
};

struct StateUpdateBounds {
    std::size_t objects_max = limits::kStateUpdateObjectsDefault;    // objects + tombstones
    std::size_t bytes_max = limits::kStateUpdateBytesDefault;        // encoded object bytes
    std::uint64_t commits_max = limits::kStateUpdateCommitsDefault;  // commits scanned
};

// The update for `pre_executor`, changes after `from_commit` up to the store's applied commit.
// Errors are store errors, or kCorruption for a stored object that does not decode.
common::Result<StateUpdate> build_state_update(storage::Store& store, const WriteLog& log,
                                               PreExecutorId pre_executor, CommitIndex from_commit,
                                               const StateUpdateBounds& bounds);

}  // namespace remora::executor::protocol
