#include "executor/vm/value.h"

namespace remora::executor::vm {

std::string Value::to_string() const {
    if (is_int()) return std::to_string(as_int());
    return "0x" + common::to_hex(as_bytes());
}

}  // namespace remora::executor::vm
