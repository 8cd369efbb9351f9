#include "tools/inspect/report.h"

namespace remora::tools::inspect {

std::string payload_preview(common::ByteView payload, std::size_t shown_bytes_max) {
    if (payload.size() <= shown_bytes_max) return common::to_hex(payload);
    return common::to_hex(payload.substr(0, shown_bytes_max)) + "...";
}

Json version_json(const storage::ObjectVersion& v) {
    return {{"version", v.version},
            {"tombstone", v.tombstone},
            {"payload_size", v.payload.size()},
            {"payload_hex", common::to_hex(v.payload)}};
}

}  // namespace remora::tools::inspect
