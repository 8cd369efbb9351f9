#pragma once
// The trace:<file> workload: replays a real-chain trace (docs/workloads.md). Every account and
// extra object named in the file is a shared object created at genesis holding a touch count;
// each row becomes one transaction, in file order, that runs touch.rasm on the sender's
// account object, the receiver's object and every extra object. Blocks are the suggested
// commit boundaries. Senders sign with keys derived from the seed and their id.

#include <memory>
#include <string>

#include "common/status.h"
#include "executor/workload/limits.h"
#include "executor/workload/trace_csv.h"
#include "executor/workload/workload.h"

namespace remora::executor::workload {

// Type tags of the trace's genesis objects.
inline constexpr common::ByteView kTraceAccountType = "trace/account";
inline constexpr common::ByteView kTraceObjectType = "trace/object";

// The shared object of an account id (lower-case hex), and of an extra object.
ObjectId trace_account_id(std::string_view account);
ObjectId trace_extra_object_id(std::string_view extra_object);

// Builds the workload from parsed rows. A suggested commit ends at each block's last row, and
// also before a row whose objects would take the commit's declared objects past
// `commit_objects_max` (a block too large for one store commit is split).
// REQUIRES: rows is not empty, config is valid, commit_objects_max > 0.
common::Result<std::unique_ptr<Workload>> make_trace_workload_from_rows(
    std::string name, std::vector<TraceRow> rows, const WorkloadConfig& config,
    std::size_t commit_objects_max = limits::kTraceCommitObjectsMax);

// Reads, parses and builds.
common::Result<std::unique_ptr<Workload>> make_trace_workload(const std::string& path,
                                                              const WorkloadConfig& config);

}  // namespace remora::executor::workload
