#pragma once
// replay-verify: re-executes a store's persisted commits from its genesis in a scratch store
// and compares, commit by commit, every transaction's effects (canonical bytes) and the state
// digest with what the store recorded.

#include <string>

#include "common/progress.h"
#include "storage/store.h"

namespace remora::executor {

struct ReplayReport {
    common::CommitIndex commits = 0;  // commits replayed, genesis included
    std::uint64_t transactions = 0;
    bool match = true;
    common::CommitIndex first_mismatch = 0;  // 0 when everything matched
    std::string detail;                      // what differed, for people
    common::Digest recorded_digest;          // the source's digest after the last commit
    common::Digest replayed_digest;
};

// `source` may be read-only. `scratch_dir` must be absent or empty; it is left holding the
// replayed store. A mismatch is a report with match = false, not an error; errors are I/O or
// records that do not decode (kCorruption), or a store without a genesis commit. `progress`
// hears of every commit replayed (done, total commits).
common::Result<ReplayReport> replay_verify(storage::Store& source, const std::string& scratch_dir,
                                           const common::ProgressFn& progress = {});

}  // namespace remora::executor
