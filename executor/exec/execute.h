#pragma once
// The executor function (docs/design.md §2): a pure, deterministic function of a transaction and
// the objects it reads, giving its effects and a lookup table that records every read (declared
// and dynamic, absent ones too), every authenticator check, every precompile call and every
// dynamic object touched (docs/design.md §3). No clock, randomness, threads or unordered
// iteration; the same transaction against the same state gives byte-identical effects and an
// equal table.
//
// Steps (docs/execution.md): 1. authenticators; 2. the declared inputs; 3. the program;
// 4. the VM over a transaction-local host (tx_host.h); 5. the version rule; 6. the effects.
// Any abort leaves the state unchanged: the effects carry the status and the gas charged, and
// no objects or events.

#include <cstddef>
#include <cstdint>

#include "common/status.h"
#include "executor/exec/state.h"
#include "executor/tx/effects.h"
#include "executor/tx/lookup_table.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

// The stretches of one execution, in the order they run (the steps of docs/execution.md).
enum class ExecutionPhase : std::uint8_t {
    kAuthenticate,  // step 1: authenticators, sender, intrinsic charge
    kLoadInputs,    // step 2 (and the hints' prefetch)
    kLoadProgram,   // step 3: the package read, decoded and verified
    kVm,            // step 4: entry and arguments checked, the VM run
    kFinish,        // steps 5-6: version rule, effects and table assembled and validated
};
inline constexpr std::size_t kExecutionPhaseCount = 5;

// "authenticate", "load_inputs", "load_program", "vm", "finish".
const char* execution_phase_name(ExecutionPhase phase);

// Told where an execution is, so that a caller (a benchmark) can read a clock around the
// phases and the state reads without a clock inside the executor function. It learns only
// which phase it is in and that a read happens (no transaction, object or result data) and
// returns nothing, so it cannot influence the result: the effects and the table are the same
// with or without it (tested in tests/executor/exec_observer_test.cpp).
//
// Calls, in order: for each phase that runs, on_phase_begin(p) then on_phase_end(p), phases
// in enum order, never nested. Validating and hashing the transaction come before the first
// phase. An abort in step 1 ends the execution after kAuthenticate; any later execution runs
// kLoadInputs, then kLoadProgram and kVm as far as it gets, then kFinish. Each
// StateReader::read (inside kLoadInputs, kLoadProgram or kVm) is bracketed by on_read_begin()
// and on_read_end(). An execution that returns an error (a state failure) still ends the phase
// it was in.
class ExecutionObserver {
public:
    virtual ~ExecutionObserver() = default;
    virtual void on_phase_begin(ExecutionPhase phase) = 0;
    virtual void on_phase_end(ExecutionPhase phase) = 0;
    virtual void on_read_begin() {}
    virtual void on_read_end() {}
};

struct ExecutionOptions {
    // A pre-executor's lookup table for this transaction (the Remora primary's re-execution,
    // docs/design.md §3), or nullptr. Used only when its tx_digest is this transaction's digest
    // and it passes validate_lookup_table; otherwise it is ignored entirely. It is trusted for:
    //  - authenticators it marks Verified for the same (public key, signature): not re-verified;
    //  - precompile outputs for the same (function id, input hash): taken as they are (when
    //    they are a value the function can return).
    // Its dynamic objects are prefetched, which never changes a result. With honest hints the
    // effects and the table equal those of an execution without hints.
    // REQUIRES: outlives the call.
    const LookupTable* hints = nullptr;
    // Told the phases and reads of the execution (see ExecutionObserver), or nullptr.
    // REQUIRES: outlives the call.
    ExecutionObserver* observer = nullptr;
};

struct ExecutionResult {
    Effects effects;    // normalized; passes validate_effects
    LookupTable table;  // passes validate_lookup_table
    // How much the hints saved (0 without hints): not part of the result proper.
    std::size_t authenticators_skipped = 0;
    std::size_t precompiles_replayed = 0;
};

// Executes `tx` against `state`. An error is returned only when the state fails (an I/O error
// or a corrupt answer: not an outcome of the transaction, so no effects exist) or when `tx`
// breaks validate_transaction (decoded transactions never do). Every outcome of the
// transaction itself, success or abort, is an ExecutionResult.
common::Result<ExecutionResult> execute_transaction(const Transaction& tx, StateReader& state,
                                                    const ExecutionOptions& options = {});

}  // namespace remora::executor
