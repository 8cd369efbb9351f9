#pragma once
// The generative `random` workload (docs/workloads.md, "random"): every transaction calls the
// `random` program (executor/programs/random.rasm) with a seeded, random list of operations
// over a small hot set of shared parent objects and the sender's own objects, so that one run
// reaches every host call of the VM in many orders: objects created, written, deleted,
// transferred and wrapped into a parent; dynamic children set, read, removed and re-created
// (the same child ids, across and within commits); precompiles; events; aborts midway.
//
// Its model is the state itself: the generator executes each transaction it makes
// (execute_transaction over an InMemoryState) and applies the effects, so owned inputs always
// declare the version they will find in generation order, and `expected_status` is exact.

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "executor/workload/workload.h"

namespace remora::executor::workload {

// Keys 0..kRandomChildKeys-1 under each hot parent: few, so that children are re-created.
inline constexpr std::uint32_t kRandomChildKeys = 4;
// The hot child of the churn transactions is drawn among this many keys of a hot parent: it
// moves to a fresh id now and then, so a run sees many first incarnations.
inline constexpr std::uint32_t kRandomHotKeys = 64;
// At most this many operations per transaction (at least 1).
inline constexpr std::uint32_t kRandomOpsMax = 8;

// The hot parents: `config.shared_objects` shared objects of type "random/parent", contents
// BE64(0), id BLAKE2b-256(domain("remora/random/parent/v1") ‖ BE64(seed) ‖ BE64(index)).
ObjectId random_parent_id(std::uint64_t seed, std::uint32_t index);

// REQUIRES: validate_workload_config(config) is ok and names "random".
common::Result<std::unique_ptr<Workload>> make_random_workload(const WorkloadConfig& config);

}  // namespace remora::executor::workload
