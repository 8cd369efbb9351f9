#pragma once
// Every mode that persists through a store ends by checking its incremental digest against a
// full recomputation, and reports both.

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/store.h"

namespace remora::tools::bench {

// Fills `result`'s digest_hex, live_objects, recomputed_digest_hex, recomputed_live_objects
// and digest_verified (equal digest and count). Errors are the recomputation's (I/O).
template <typename BenchResult>
common::Status check_digest(storage::Store& store, BenchResult& result) {
    const storage::StoreStatus& status = store.status();
    result.digest_hex = status.state_digest.hex();
    result.live_objects = status.live_objects;
    auto recomputed = store.recompute_digest();
    if (!recomputed) return recomputed.status().with_context("recomputing the store's digest");
    result.recomputed_digest_hex = recomputed->state_digest.hex();
    result.recomputed_live_objects = recomputed->live_objects;
    result.digest_verified = result.digest_hex == result.recomputed_digest_hex &&
                             result.live_objects == result.recomputed_live_objects;
    return common::Status::ok();
}

}  // namespace remora::tools::bench
