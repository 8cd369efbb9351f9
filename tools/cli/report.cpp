#include "tools/cli/report.h"

namespace remora::tools::cli {
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

void add_error(Json& report, const common::Status& status, int exit_code) {
    report["error"] = status.message();
    report["code"] = exit_code;
    report["status"] = common::code_name(status.code());
}

}  // namespace remora::tools::cli
