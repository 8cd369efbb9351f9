#pragma once
// The interpreter: runs one function of a verified package to completion or to an abort.
// Deterministic: the outcome (status, codes, gas, steps, returns, abort location) is a function
// of (package, entry, args, gas_budget, host responses) only. No clock, randomness, threads or
// unordered containers; memory is bounded by executor/vm/limits.h.
//
// Per instruction the checks run in this order: step limit, operand types, gas (charged before
// the work; an out-of-gas execution reports gas_used == gas_budget), then the instruction's
// own checks (arithmetic, bounds, lengths, memory, stack, host arguments and errors).

#include <cstdint>
#include <span>
#include <string_view>

#include "executor/vm/host.h"
#include "executor/vm/outcome.h"
#include "executor/vm/package.h"
#include "executor/vm/value.h"

namespace remora::executor::vm {

ExecutionOutcome execute(const VerifiedPackage& package, std::uint16_t entry_function,
                         std::span<const Value> args, std::uint64_t gas_budget,
                         HostInterface& host);

// Looks the entry up by name; an unknown name gives kInvalidEntry.
ExecutionOutcome execute(const VerifiedPackage& package, std::string_view entry_function,
                         std::span<const Value> args, std::uint64_t gas_budget,
                         HostInterface& host);

}  // namespace remora::executor::vm
