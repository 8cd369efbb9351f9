#pragma once
// What an execution produced. The status values are stable numbers (they are persisted inside
// transaction effects): append new ones, never renumber. docs/vm.md lists when each occurs.

#include <cstdint>
#include <string>
#include <vector>

#include "executor/vm/value.h"

namespace remora::executor::vm {

enum class ExecStatus : std::uint8_t {
    kOk = 0,
    kOutOfGas = 1,              // the next charge would pass the budget; gas_used == budget
    kStepLimit = 2,             // more than limits::kStepsMax instructions
    kStackOverflow = 3,         // more than limits::kOperandStackMax values on the stack
    kCallDepthExceeded = 4,     // more than limits::kCallDepthMax frames
    kTypeMismatch = 5,          // an operand had the wrong type (int vs bytes)
    kArithmeticOverflow = 6,    // add or mul past 2^64 - 1
    kArithmeticUnderflow = 7,   // sub below 0
    kDivisionByZero = 8,        // div or mod by 0
    kMemoryLimit = 9,           // live byte strings past limits::kMemoryBytesMax
    kBytesTooLong = 10,         // a byte string longer than limits::kBytesLengthMax
    kIndexOutOfRange = 11,      // slice or byte_at outside the string
    kConversionFailed = 12,     // btoi of a string that is not exactly 8 bytes
    kUserAbort = 13,            // the `abort` instruction; abort_code holds its operand
    kHostError = 14,            // a host call failed; abort_code holds the host's code
    kHostArgumentInvalid = 15,  // a host argument outside its signature's bounds
    kHostCallLimit = 16,        // more than limits::kHostCallsMax host calls
    kInvalidEntry = 17,         // unknown entry function, or arguments that do not fit it
    kInvalidBytecode = 18,      // the package failed decoding or verification (set by callers)
};

const char* exec_status_name(ExecStatus status);

struct ExecutionOutcome {
    ExecStatus status = ExecStatus::kOk;
    std::uint64_t abort_code = 0;  // kUserAbort: the program's code; kHostError: the host's code
    std::uint64_t gas_used = 0;    // deterministic for every status, never above the budget
    std::uint64_t steps = 0;       // instructions executed (the failing one included)
    std::vector<Value> returns;    // the entry function's results when status == kOk
    // Where a failed execution stopped: the function index and the failing instruction's
    // offset (both 0 for kInvalidEntry and kInvalidBytecode).
    std::uint32_t abort_function = 0;
    std::uint32_t abort_pc = 0;

    bool is_ok() const { return status == ExecStatus::kOk; }
    bool operator==(const ExecutionOutcome&) const = default;
    // "ok gas=12 returns=[120]" or "user_abort(7) gas=40 at f1:17", for logs and tests.
    std::string to_string() const;
};

}  // namespace remora::executor::vm
