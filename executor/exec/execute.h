#pragma once
// The executor function (DESIGN.md §2): a pure, deterministic function of a transaction and the
// objects it reads, giving its effects and a lookup table that records every read (declared and
// dynamic, absent ones too), every authenticator check, every precompile call and every dynamic
// object touched (DESIGN.md §3). No clock, randomness, threads or unordered iteration; the same
// transaction against the same state gives byte-identical effects and an equal table.
//
// Steps (docs/execution.md): 1. authenticators; 2. the declared inputs; 3. the program;
// 4. the VM over a transaction-local host (tx_host.h); 5. the version rule; 6. the effects.
// Any abort leaves the state unchanged: the effects carry the status and the gas charged, and
// no objects or events.

#include "common/status.h"
#include "executor/exec/state.h"
#include "executor/tx/effects.h"
#include "executor/tx/lookup_table.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

struct ExecutionOptions {
    // A pre-executor's lookup table for this transaction (the Remora primary's re-execution,
    // DESIGN.md §3), or nullptr. Used only when its tx_digest is this transaction's digest and
    // it passes validate_lookup_table; otherwise it is ignored entirely. It is trusted for:
    //  - authenticators it marks Verified for the same (public key, signature): not re-verified;
    //  - precompile outputs for the same (function id, input hash): taken as they are (when
    //    they are a value the function can return).
    // Its dynamic objects are prefetched, which never changes a result. With honest hints the
    // effects and the table equal those of an execution without hints.
    // REQUIRES: outlives the call.
    const LookupTable* hints = nullptr;
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
