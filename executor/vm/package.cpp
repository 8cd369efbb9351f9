#include "executor/vm/package.h"

#include "executor/vm/limits.h"

namespace remora::executor::vm {

std::optional<std::uint16_t> Package::find_function(std::string_view name) const {
    for (std::size_t i = 0; i < functions.size(); ++i) {
        if (functions[i].name == name) return static_cast<std::uint16_t>(i);
    }
    return std::nullopt;
}

bool is_valid_function_name(std::string_view name) {
    if (name.empty() || name.size() > limits::kFunctionNameBytesMax) return false;
    if (name[0] >= '0' && name[0] <= '9') return false;
    for (char c : name) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace remora::executor::vm
