#pragma once
// The workloads' random numbers: xoshiro256** seeded through SplitMix64 (common/random.h), with
// the exactly uniform draws (below_unbiased, between_unbiased) and unit_interval. The pinned
// workload digests in the tests depend on this generator and these draws.

#include <cstdint>

#include "common/random.h"

namespace remora::executor::workload {

using Rng = common::Xoshiro256StarStar;

// Each generator stream (accounts, kinds, ...) gets its seed as mix_seed(workload seed, stream).
using common::mix_seed;

}  // namespace remora::executor::workload
