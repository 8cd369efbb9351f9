#pragma once
// A transaction (docs/design.md §2): who sends it and who signed it, which objects it declares
// (the Anoma label), its gas budget, and the program it runs with its arguments. The digest commits
// to every field except the authenticators, which sign the digest.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/crypto.h"
#include "executor/tx/object.h"

namespace remora::executor {

using common::Digest;

struct Authenticator {
    PublicKey public_key;
    Signature signature;  // over the 32 bytes of transaction_digest()
    bool operator==(const Authenticator&) const = default;
};

// An owned (or immutable) input is declared at the exact version the sender saw; a shared
// input has no version, since ordering decides which version it gets.
struct InputObject {
    enum class Kind : std::uint8_t { kOwned = 0, kShared = 1 };
    ObjectId id;
    Kind kind = Kind::kOwned;
    Version version = 0;  // kOwned: 1..kVersionMax; kShared: always 0

    static InputObject owned(const ObjectId& id, Version version) {
        return {id, Kind::kOwned, version};
    }
    static InputObject shared(const ObjectId& id) { return {id, Kind::kShared, 0}; }
    bool operator==(const InputObject&) const = default;
};

// Calls `entry_point` of the package published as object `package_id`.
struct PackageCall {
    ObjectId package_id;
    std::string entry_point;  // [A-Za-z_][A-Za-z0-9_]*, 1..kEntryPointBytesMax bytes
    bool operator==(const PackageCall&) const = default;
};
// Runs bytecode carried in the transaction itself.
struct InlineBytecode {
    Bytes bytecode;  // 1..kInlineBytecodeBytesMax bytes
    bool operator==(const InlineBytecode&) const = default;
};
// The order of alternatives is the program kind number on the wire and in canonical bytes.
using Program = std::variant<PackageCall, InlineBytecode>;

// An argument: the alternatives' order is the value kind number.
using Value = std::variant<std::uint64_t, Bytes>;

struct Transaction {
    Address sender;
    // Distinguishes otherwise identical transactions (e.g. two increments of a shared counter),
    // whose digests and therefore created object ids would collide.
    std::uint64_t nonce = 0;
    std::vector<Authenticator> authenticators;  // 1..kAuthenticatorsMax
    std::vector<InputObject> inputs;            // distinct ids, 0..kInputsMax: the label
    std::uint64_t gas_budget = 0;
    Program program = InlineBytecode{};
    std::vector<Value> arguments;  // 0..kArgumentsMax
    // The last commit index the transaction may execute in; 0 = no expiry. Ordered later it is
    // rejected (AbortCode::kExpired), and its digest may leave the executed-digest index once
    // the chain is past it (docs/execution.md, "Replays and expiry").
    std::uint64_t expiry = 0;

    bool operator==(const Transaction&) const = default;
};

// Every semantic bound of docs/transactions.md; the message names the offending field.
common::Status validate_transaction(const Transaction& tx);

// The canonical bytes of the unsigned fields (everything but `authenticators`), byte by byte
// as docs/transactions.md defines them.
Bytes canonical_transaction_bytes(const Transaction& tx);

// BLAKE2b-256 of canonical_transaction_bytes(tx): what authenticators sign.
Digest transaction_digest(const Transaction& tx);

}  // namespace remora::executor
