#pragma once
// The VM's statuses as transaction abort codes: one for one (docs/transactions.md).

#include "executor/tx/effects.h"
#include "executor/vm/outcome.h"

namespace remora::executor {

// kOk -> kNone; kOutOfGas..kHostCallLimit -> kOutOfGas..kHostCallLimit (codes 9..24);
// kInvalidEntry -> kInvalidEntry (8); kInvalidBytecode -> kBytecodeRejected (7).
AbortCode abort_code_for(vm::ExecStatus status);

}  // namespace remora::executor
