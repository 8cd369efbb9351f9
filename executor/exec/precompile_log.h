#pragma once
// Precompile calls of one transaction: each is run (or, on the Remora primary, replayed from a
// pre-executor's lookup table) and recorded as (function id, BLAKE2b-256 of the canonical input,
// output) for the transaction's own lookup table (docs/design.md §3).
//
// Outputs are recorded as bytes: a byte result as it is, an integer result (ed25519_verify's
// 0/1) as 8 bytes big-endian. A replayed output must decode to a value the function's signature
// allows (kind and bounds); one that does not is ignored and the precompile runs instead, so a
// malformed table can never hand the VM an ill-formed value.

#include <span>
#include <vector>

#include "executor/tx/lookup_table.h"
#include "executor/vm/host.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/value.h"

namespace remora::executor {

class PrecompileLog {
public:
    // `hints`: a lookup table whose outputs are trusted for a matching (function, input hash),
    // or nullptr. REQUIRES: hints outlive the log.
    explicit PrecompileLog(const LookupTable* hints) : m_hints(hints) {}

    // Runs or replays the precompile and records the call. Fails with
    // tx_host_error::kTooManyPrecompileCalls past limits::kPrecompileCallsMax calls.
    // REQUIRES: args passed the VM's checks of `function`'s signature.
    vm::HostResult<vm::Value> call(vm::HostFunction function, std::span<const vm::Value> args);

    const std::vector<PrecompileCall>& calls() const { return m_calls; }
    // Calls whose output came from the hints (for statistics and tests).
    std::size_t replayed() const { return m_replayed; }

private:
    const LookupTable* m_hints;
    std::vector<PrecompileCall> m_calls;
    std::size_t m_replayed = 0;
};

// The recorded form of a precompile result (see above).
common::Bytes encode_precompile_output(const vm::Value& value);

}  // namespace remora::executor
