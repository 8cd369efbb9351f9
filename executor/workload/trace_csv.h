#pragma once
// The trace CSV contract (docs/design.md §7, docs/workloads.md "trace:<file>"): a header naming at
// least the columns block, tx_index, sender, receiver, extra_objects (in any order; other
// columns are ignored), then one row per transaction in execution order. Parsing is pure
// (text in, rows or a Status out) and never trusts its input: every error names the line.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace remora::executor::workload {

struct TraceRow {
    std::size_t line = 0;  // in the file, for messages
    std::uint64_t block = 0;
    std::uint32_t tx_index = 0;
    std::string sender;                   // 1..64 hex digits, lower case
    std::optional<std::string> receiver;  // lower-case hex; nullopt for CREATE (a deployment)
    // Each is one or more hex identifiers joined by ':' (e.g. token:holder), lower case, in
    // file order, duplicates kept.
    std::vector<std::string> extra_objects;

    bool operator==(const TraceRow&) const = default;
};

// `source` names the input in messages ("trace.csv line 7: ..."). Errors are kInvalidArgument.
common::Result<std::vector<TraceRow>> parse_trace_csv(std::string_view text,
                                                      std::string_view source);

// Reads the file (at most limits::kTraceFileBytesMax) and parses it. kNotFound / kIoError when
// it cannot be read.
common::Result<std::vector<TraceRow>> read_trace_file(const std::string& path);

}  // namespace remora::executor::workload
