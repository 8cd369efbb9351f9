#pragma once
// Exit codes shared by every Remora tool (docs/design.md §6):
//   0 ok, 1 failure, 2 usage, 65 verification failed (bad data), 70 internal software error
//   (remora-node: a commit failed fatally, docs/tools/remora-node.md), 75 database locked.

#include <string>

#include "common/status.h"

namespace remora::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitVerificationFailed = 65;  // sysexits EX_DATAERR
inline constexpr int kExitSoftware = 70;            // sysexits EX_SOFTWARE
inline constexpr int kExitLocked = 75;              // sysexits EX_TEMPFAIL

// kVerificationFailed, kCorruption and kFormatVersion -> 65; kLocked -> 75; others -> 1.
int exit_code_for(const common::Status& status);

// Prints "<tool>: error: <message>" to stderr (control bytes and invalid UTF-8 escaped), plus what
// to do instead for a locked database.
void print_error(const std::string& tool, const common::Status& status);

}  // namespace remora::tools
