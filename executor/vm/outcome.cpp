#include "executor/vm/outcome.h"

namespace remora::executor::vm {

const char* exec_status_name(ExecStatus status) {
    switch (status) {
        case ExecStatus::kOk:
            return "ok";
        case ExecStatus::kOutOfGas:
            return "out_of_gas";
        case ExecStatus::kStepLimit:
            return "step_limit";
        case ExecStatus::kStackOverflow:
            return "stack_overflow";
        case ExecStatus::kCallDepthExceeded:
            return "call_depth_exceeded";
        case ExecStatus::kTypeMismatch:
            return "type_mismatch";
        case ExecStatus::kArithmeticOverflow:
            return "arithmetic_overflow";
        case ExecStatus::kArithmeticUnderflow:
            return "arithmetic_underflow";
        case ExecStatus::kDivisionByZero:
            return "division_by_zero";
        case ExecStatus::kMemoryLimit:
            return "memory_limit";
        case ExecStatus::kBytesTooLong:
            return "bytes_too_long";
        case ExecStatus::kIndexOutOfRange:
            return "index_out_of_range";
        case ExecStatus::kConversionFailed:
            return "conversion_failed";
        case ExecStatus::kUserAbort:
            return "user_abort";
        case ExecStatus::kHostError:
            return "host_error";
        case ExecStatus::kHostArgumentInvalid:
            return "host_argument_invalid";
        case ExecStatus::kHostCallLimit:
            return "host_call_limit";
        case ExecStatus::kInvalidEntry:
            return "invalid_entry";
        case ExecStatus::kInvalidBytecode:
            return "invalid_bytecode";
    }
    return "unknown";
}

std::string ExecutionOutcome::to_string() const {
    std::string out = exec_status_name(status);
    if (status == ExecStatus::kUserAbort || status == ExecStatus::kHostError) {
        out += "(" + std::to_string(abort_code) + ")";
    }
    out += " gas=" + std::to_string(gas_used);
    if (is_ok()) {
        out += " returns=[";
        for (std::size_t i = 0; i < returns.size(); ++i) {
            if (i > 0) out += ",";
            out += returns[i].to_string();
        }
        out += "]";
    } else {
        out += " at f" + std::to_string(abort_function) + ":" + std::to_string(abort_pc);
    }
    return out;
}

}  // namespace remora::executor::vm
