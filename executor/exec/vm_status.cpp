#include "executor/exec/vm_status.h"

#include "common/status.h"

namespace remora::executor {

AbortCode abort_code_for(vm::ExecStatus status) {
    using S = vm::ExecStatus;
    switch (status) {
        case S::kOk:
            return AbortCode::kNone;
        case S::kOutOfGas:
            return AbortCode::kOutOfGas;
        case S::kStepLimit:
            return AbortCode::kStepLimit;
        case S::kStackOverflow:
            return AbortCode::kStackOverflow;
        case S::kCallDepthExceeded:
            return AbortCode::kCallDepthExceeded;
        case S::kTypeMismatch:
            return AbortCode::kTypeMismatch;
        case S::kArithmeticOverflow:
            return AbortCode::kArithmeticOverflow;
        case S::kArithmeticUnderflow:
            return AbortCode::kArithmeticUnderflow;
        case S::kDivisionByZero:
            return AbortCode::kDivisionByZero;
        case S::kMemoryLimit:
            return AbortCode::kMemoryLimit;
        case S::kBytesTooLong:
            return AbortCode::kBytesTooLong;
        case S::kIndexOutOfRange:
            return AbortCode::kIndexOutOfRange;
        case S::kConversionFailed:
            return AbortCode::kConversionFailed;
        case S::kUserAbort:
            return AbortCode::kUserAbort;
        case S::kHostError:
            return AbortCode::kHostError;
        case S::kHostArgumentInvalid:
            return AbortCode::kHostArgumentInvalid;
        case S::kHostCallLimit:
            return AbortCode::kHostCallLimit;
        case S::kInvalidEntry:
            return AbortCode::kInvalidEntry;
        case S::kInvalidBytecode:
            return AbortCode::kBytecodeRejected;
    }
    REMORA_ASSERT(false && "unknown VM status");
    return AbortCode::kNone;
}

}  // namespace remora::executor
