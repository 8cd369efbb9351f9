#pragma once
// How snapshots are shown, shared by `status` and the `snapshot` commands.

#include <string>

#include "recovery/snapshot.h"
#include "tools/inspect/report.h"

namespace remora::tools::inspect {

// {"name", "path", "commit_index", "state_digest", "live_objects", "shard_count",
//  "store_format_version", "snapshot_format_version", "created_unix_ms", "file_count",
//  "total_bytes"} plus, with `with_files`, "files": [{"name", "size_bytes", "xxh3"}].
Json snapshot_json(const recovery::SnapshotInfo& info, bool with_files);

// One line: "<name>  commit N  digest HEX  N live objects  N files, N bytes".
std::string snapshot_line(const recovery::SnapshotInfo& info);

// The manifest as aligned fields (and one line per file with `with_files`).
void add_snapshot_fields(std::string& text, const recovery::SnapshotInfo& info, bool with_files);

}  // namespace remora::tools::inspect
