#include "common/status.h"

#include <cstdio>
#include <cstdlib>

namespace remora::common {

const char* code_name(Code code) {
    switch (code) {
        case Code::kOk:
            return "OK";
        case Code::kNotFound:
            return "NotFound";
        case Code::kInvalidArgument:
            return "InvalidArgument";
        case Code::kCorruption:
            return "Corruption";
        case Code::kFormatVersion:
            return "FormatVersion";
        case Code::kNotADatabase:
            return "NotADatabase";
        case Code::kLocked:
            return "Locked";
        case Code::kIoError:
            return "IoError";
        case Code::kPruned:
            return "Pruned";
        case Code::kVerificationFailed:
            return "VerificationFailed";
        case Code::kAlreadyExists:
            return "AlreadyExists";
        case Code::kUnsupported:
            return "Unsupported";
        case Code::kInternal:
            return "Internal";
    }
    return "Unknown";
}

std::string Status::to_string() const {
    if (is_ok()) return "OK";
    return std::string(code_name(m_code)) + ": " + m_message;
}

Status Status::with_context(const std::string& context) const {
    if (is_ok()) return *this;
    return {m_code, context + ": " + m_message};
}

void assertion_failed(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "remora: assertion failed: %s (%s:%d)\n", expr, file, line);
    std::abort();
}

}  // namespace remora::common
