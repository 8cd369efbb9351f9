#include "tools/cli/exit_codes.h"

#include <cstdio>

#include "tools/cli/json_output.h"

namespace remora::tools {

int exit_code_for(const common::Status& status) {
    using common::Code;
    switch (status.code()) {
        case Code::kOk:
            return kExitOk;
        case Code::kVerificationFailed:
        case Code::kCorruption:
        case Code::kFormatVersion:
            return kExitVerificationFailed;
        case Code::kLocked:
            return kExitLocked;
        default:
            return kExitFailure;
    }
}

void print_error(const std::string& tool, const common::Status& status) {
    std::fprintf(stderr, "%s: error: %s\n", tool.c_str(),
                 printable(status.message(), true).c_str());
    if (status.code() == common::Code::kLocked) {
        std::fprintf(stderr,
                     "%s: the database is held by another process (a running node or another "
                     "tool's run). Read-only commands work beside it; for this one, stop the "
                     "node first, ask the node itself (e.g. its snapshot schedule) or use "
                     "another directory.\n",
                     tool.c_str());
    }
}

}  // namespace remora::tools
