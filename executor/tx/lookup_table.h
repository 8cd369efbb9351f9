#pragma once
// What a pre-executor observed while executing one transaction (docs/design.md §3, step 3). The
// primary adopts the pre-computed effects when every read still holds against its own state,
// and otherwise re-executes while reusing the parts that do not depend on state: authenticator
// results, dynamic object ids to prefetch, precompile outputs.

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/authenticators.h"
#include "executor/tx/object.h"

namespace remora::executor {

using common::Digest;

// One object read, declared or dynamic. A read that found no live object is recorded too: the
// primary may only adopt if the object is still absent.
struct ObjectRead {
    enum class Kind : std::uint8_t { kDeclared = 0, kDynamic = 1 };
    ObjectId id;
    Kind kind = Kind::kDeclared;
    bool exists = true;
    // exists: the version seen. Otherwise the version of the tombstone found, or 0 when the id
    // never held an object: a later re-creation must still get a higher version (ids.h).
    Version version = 0;

    bool operator==(const ObjectRead&) const = default;
};

// One authenticator check. The key and signature are recorded so that the primary reuses the
// result only for the very authenticator that was checked.
struct AuthenticatorCheck {
    PublicKey public_key;
    Signature signature;
    AuthenticatorStatus status = AuthenticatorStatus::kFailed;
    bool operator==(const AuthenticatorCheck&) const = default;
};

// One call of a precompiled function: (function, BLAKE2b-256 of the input) -> output.
struct PrecompileCall {
    std::uint32_t function_id = 0;
    Hash256 input_hash;
    Bytes output;  // at most limits::kPrecompileOutputBytesMax
    bool operator==(const PrecompileCall&) const = default;
};

struct LookupTable {
    Digest tx_digest;
    std::vector<ObjectRead> reads;                   // distinct ids, in first-read order
    std::vector<AuthenticatorCheck> authenticators;  // one per authenticator, in order
    bool sender_matches = false;
    std::vector<PrecompileCall> precompile_calls;  // in call order
    std::vector<ObjectId> dynamic_objects;         // strictly ascending ids

    bool operator==(const LookupTable&) const = default;
};

// Bounds of docs/transactions.md, distinct read ids, versions in range (>= 1 when present),
// ascending distinct dynamic object ids.
common::Status validate_lookup_table(const LookupTable& table);

}  // namespace remora::executor
