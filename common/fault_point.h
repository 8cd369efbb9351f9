#pragma once
// Named fault points (docs/design.md, "Fault points"): places in the node where a crash test
// can make the process die, by SIGKILL to itself, at the Nth time execution passes there. They
// exist only in a build configured with REMORA_FAULT_POINTS=ON (the `faults` preset); in any
// other build REMORA_FAULT_POINT expands to nothing and costs nothing. One point is not a crash:
// primary.commit.internal_error makes a commit fail with kInternal (the poison path, exit 70).
//
// A process arms them from the environment, REMORA_FAULT=name:hit[,name:hit...]
// (arm_fault_points_from_environment), once at start before it starts threads. Asking a build
// without fault points to arm one is an error (kUnsupported) that names the preset it needs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/fault_points_config.h"  // generated: REMORA_FAULT_POINTS_COMPILED 0 or 1
#include "common/status.h"

namespace remora::common {

inline constexpr const char* kFaultEnvironmentVariable = "REMORA_FAULT";

// Every fault point's name, what it interrupts, and which role passes there.
struct FaultPointInfo {
    const char* name;
    const char* where;
    const char* role;  // "primary", "pre-executor" or "any"
};
const std::vector<FaultPointInfo>& fault_point_catalogue();

// True in a build with fault points (REMORA_FAULT_POINTS=ON).
bool fault_points_compiled();

// Arms the points `spec` names ("name:hit[,name:hit...]", hit >= 1): each fires the hit-th time
// execution reaches it. An empty spec disarms everything. kInvalidArgument for a bad spec or an
// unknown name, kUnsupported in a build without fault points. Not thread-safe: call it before
// any thread that may pass a fault point starts.
Status arm_fault_points(std::string_view spec);
// arm_fault_points(getenv(REMORA_FAULT)); nothing to do when the variable is unset or empty.
Status arm_fault_points_from_environment();

// Counts one pass of `name`; true on the armed hit. Thread-safe.
bool fault_point_fires(const char* name);
// Writes "fault point NAME fired: crashing" to stderr and kills the process with SIGKILL.
[[noreturn]] void fault_point_crash(const char* name);

}  // namespace remora::common

#if REMORA_FAULT_POINTS_COMPILED
// Crashes here (SIGKILL) when `name` is armed and this is its hit.
#define REMORA_FAULT_POINT(name)                                                                  \
    do {                                                                                          \
        if (::remora::common::fault_point_fires(name)) ::remora::common::fault_point_crash(name); \
    } while (false)
// True when `name` is armed and this is its hit: the caller does part of the work, then calls
// fault_point_crash (a partial frame, for instance).
#define REMORA_FAULT_POINT_FIRES(name) ::remora::common::fault_point_fires(name)
#else
#define REMORA_FAULT_POINT(name) \
    do {                         \
    } while (false)
#define REMORA_FAULT_POINT_FIRES(name) false
#endif
