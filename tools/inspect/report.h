#pragma once
// What an inspect command produces: the shared report (tools/cli/report.h), and inspect's own
// formatting helpers.

#include <cstddef>
#include <string>

#include "common/bytes.h"
#include "storage/types.h"
#include "tools/cli/json_output.h"
#include "tools/cli/report.h"

namespace remora::tools::inspect {

using cli::add_field;
using cli::Json;
using cli::Report;

// Human form of a payload: the hex of its first `shown_bytes_max` bytes, then "..." when cut.
std::string payload_preview(common::ByteView payload, std::size_t shown_bytes_max);

// One stored object version as `get` and `history` print it: {version, tombstone, payload_size,
// payload_hex}; `tx` and `diff` add the id.
Json version_json(const storage::ObjectVersion& v);

}  // namespace remora::tools::inspect
