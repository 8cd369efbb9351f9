#pragma once
// The precompiled functions: pure, deterministic and (on purpose) costly. A host may serve them
// from a lookup table instead of running them; precompile_input() gives the canonical bytes of
// a call so that (function, hash of input) names it.

#include <cstdint>
#include <span>

#include "common/bytes.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/value.h"

namespace remora::executor::vm {

common::Hash256 sha256(ByteView data);
// libsodium's crypto_sign_verify_detached; false for any malformed key or signature.
// REQUIRES: public_key.size() == 32 and signature.size() == 64.
bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature);
// h_1 = BLAKE2b-256(data), h_{i+1} = BLAKE2b-256(h_i); returns h_rounds.
// REQUIRES: 1 <= rounds <= limits::kIteratedHashRoundsMax.
common::Hash256 iterated_hash(ByteView data, std::uint64_t rounds);

// Runs a precompile. REQUIRES: host_signature(function)->precompile and `args` match its
// signature (the interpreter checks both before calling).
Value run_precompile(HostFunction function, std::span<const Value> args);

// Canonical encoding of a precompile call: the function id byte, then per argument a tag byte
// (0 integer, 1 bytes) and either the BE64 integer or a BE32 length and the bytes.
Bytes precompile_input(HostFunction function, std::span<const Value> args);

}  // namespace remora::executor::vm
