#pragma once
// Long-running tools that own child processes (remora-testnet, remora-crashtest) stop them
// cleanly on SIGINT or SIGTERM: the signal only sets a flag (async-signal-safe), which the
// tool's loop reads.

#include <atomic>

namespace remora::tools::cli {

// Installs the SIGINT and SIGTERM handlers (once; SIGPIPE is ignored too) and returns the flag
// they set.
const std::atomic<bool>& interrupt_flag();

}  // namespace remora::tools::cli
