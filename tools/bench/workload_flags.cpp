#include "tools/bench/workload_flags.h"

#include <cstdint>

#include "executor/vm/limits.h"
#include "executor/workload/limits.h"
#include "tools/bench/option_values.h"

namespace remora::tools::bench {

namespace wl = executor::workload;

std::optional<common::Status> apply_workload_flag(wl::WorkloadConfig& w, const std::string& name,
                                                  const std::string& value) {
    if (name == "--workload") {
        auto spec = wl::parse_workload_name(value);
        if (!spec) return usage_error("--workload: " + spec.status().message());
        w.name = value;
        return common::Status::ok();
    }
    if (name == "--seed") return set_integer(w.seed, name, value, 0, UINT64_MAX);
    if (name == "--accounts") {
        return set_integer(w.accounts, name, value, 1, wl::limits::kAccountsMax);
    }
    if (name == "--skew") {
        return set_number(w.zipf_theta, name, value, 0, wl::limits::kZipfThetaMax);
    }
    if (name == "--contention") {
        return set_integer(w.shared_objects, name, value, 1, wl::limits::kSharedObjectsMax);
    }
    if (name == "--invalid-sig-rate") {
        return set_number(w.invalid_signature_rate, name, value, 0, 1);
    }
    if (name == "--compute-rounds") {
        return set_integer(w.compute_rounds, name, value, 1,
                           executor::vm::limits::kIteratedHashRoundsMax);
    }
    return std::nullopt;
}

}  // namespace remora::tools::bench
