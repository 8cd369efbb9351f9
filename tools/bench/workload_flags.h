#pragma once
// The workload flags that every executing mode of remora-bench accepts: --workload, --seed,
// --accounts, --skew, --contention, --invalid-sig-rate, --compute-rounds.

#include <optional>
#include <string>

#include "common/status.h"
#include "executor/workload/workload.h"

namespace remora::tools::bench {

// Applies `--name value` to `config` when `name` is a workload flag (the result is then the
// flag's usage error or ok); nullopt when it is not one, for the mode to handle.
std::optional<common::Status> apply_workload_flag(executor::workload::WorkloadConfig& config,
                                                  const std::string& name,
                                                  const std::string& value);

}  // namespace remora::tools::bench
