#pragma once
// Pruning behind a kept commit (docs/storage_format.md, "Choosing the watermark"): turns "keep
// the state of commit C and of every later commit" into the object-version watermark that
// Store::prune takes. Shared by `remora-inspect prune` and the primary's snapshot policy
// (docs/node.md, "Snapshots").

#include "common/status.h"
#include "storage/store.h"

namespace remora::recovery {

// The highest watermark that deletes no version live at any commit >= `keep`: one below the
// lowest version written (tombstones included) by commits keep+1..applied, or, with no later
// write, the highest version stored. Reads commit records only.
common::Result<common::Version> safe_watermark(storage::Store& store, common::CommitIndex keep);

struct PruneBehind {
    common::Version safe_watermark = 0;
    common::Version previous_watermark = 0;
    bool pruned = false;  // false: the safe watermark is not above the current one
    storage::PruneResult result;
};

// Prunes `store` to safe_watermark(store, keep) when that is above its current watermark (the
// watermark never goes down). REQUIRES: 1 <= keep <= applied commit, store opened read-write.
common::Result<PruneBehind> prune_behind(storage::Store& store, common::CommitIndex keep);

}  // namespace remora::recovery
