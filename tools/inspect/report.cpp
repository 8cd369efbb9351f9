#include "tools/inspect/report.h"

namespace remora::tools::inspect {
namespace {

constexpr std::size_t kLabelColumnChars = 23;

}  // namespace

void add_field(std::string& text, std::string_view label, std::string_view value) {
    text += label;
    text += ':';
    std::size_t used = label.size() + 1;
    text.append(used < kLabelColumnChars ? kLabelColumnChars - used : 1, ' ');
    text += value;
    text += '\n';
}

void add_field(std::string& text, std::string_view label, std::uint64_t value) {
    add_field(text, label, std::to_string(value));
}

std::string payload_preview(common::ByteView payload, std::size_t shown_bytes_max) {
    if (payload.size() <= shown_bytes_max) return common::to_hex(payload);
    return common::to_hex(payload.substr(0, shown_bytes_max)) + "...";
}

void add_error(Json& report, const common::Status& status, int exit_code) {
    report["error"] = status.message();
    report["code"] = exit_code;
    report["status"] = common::code_name(status.code());
}

}  // namespace remora::tools::inspect
