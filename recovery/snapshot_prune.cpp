#include "recovery/snapshot_prune.h"

#include <algorithm>
#include <limits>

namespace remora::recovery {

using common::CommitIndex;
using common::Result;
using common::Version;

// A version v of an object, live at `keep`, is deleted by prune(W) only when the object has a
// newer version u <= W, and every newer version was written after `keep`. With no later write,
// every object's newest version is what `keep` needs, and the highest version stored is the
// answer.
Result<Version> safe_watermark(storage::Store& store, CommitIndex keep) {
    const CommitIndex applied = store.status().applied_commit;
    Version lowest_later = std::numeric_limits<Version>::max();
    Version highest = 0;
    for (CommitIndex c = keep + 1; c <= applied; ++c) {
        auto record = store.read_commit(c);
        if (!record) return record.status().with_context("reading commit " + std::to_string(c));
        for (const storage::ObjectRef& w : record->writes) {
            lowest_later = std::min(lowest_later, w.version);
        }
    }
    if (lowest_later != std::numeric_limits<Version>::max()) return lowest_later - 1;
    for (CommitIndex c = 1; c <= applied; ++c) {
        auto record = store.read_commit(c);
        if (!record) return record.status().with_context("reading commit " + std::to_string(c));
        for (const storage::ObjectRef& w : record->writes) highest = std::max(highest, w.version);
    }
    return highest;
}

Result<PruneBehind> prune_behind(storage::Store& store, CommitIndex keep) {
    auto safe = safe_watermark(store, keep);
    if (!safe) return safe.status();
    PruneBehind out;
    out.safe_watermark = *safe;
    out.previous_watermark = store.status().retention_watermark;
    out.result = {out.previous_watermark, 0};
    out.pruned = *safe > out.previous_watermark;
    if (out.pruned) {
        auto done = store.prune(*safe);
        if (!done) return done.status().with_context("pruning");
        out.result = *done;
    }
    return out;
}

}  // namespace remora::recovery
