#pragma once
// The effects of one transaction (docs/design.md §2): what the executor function returns. The
// invariant of Remora is stated on these: the primary's effects are byte-identical to those of
// a sequential execution, where "byte-identical" means equal canonical_effects_bytes().

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/object.h"

namespace remora::executor {

using common::Digest;

// Why a transaction aborted. The numbers are on the wire and in canonical bytes: append new
// codes at the end, never renumber. Codes 1..8 are decided around the program (authorisation,
// inputs, loading it); codes 9..24 are the VM's statuses (executor/vm/outcome.h) one for one.
enum class AbortCode : std::uint16_t {
    kNone = 0,                  // success
    kInvalidAuthenticator = 1,  // a signature did not verify
    kSenderNotSigner = 2,       // the sender address is no authenticator's address
    kInputNotFound = 3,         // a declared input does not exist (or was deleted)
    kInputVersionMismatch = 4,  // an owned input is not at its declared version
    kInputOwnership = 5,        // an owned input is not the sender's, or is not owned at all
    kPackageNotFound = 6,       // the called package object does not exist or is no package
    kBytecodeRejected = 7,      // the package or inline bytecode failed decoding/verification
    kInvalidEntry = 8,          // no such entry point, or arguments that do not fit it
    kOutOfGas = 9,              // the gas budget ran out
    kStepLimit = 10,            // too many instructions
    kStackOverflow = 11,
    kCallDepthExceeded = 12,
    kTypeMismatch = 13,  // an operand of the wrong type
    kArithmeticOverflow = 14,
    kArithmeticUnderflow = 15,
    kDivisionByZero = 16,
    kMemoryLimit = 17,
    kBytesTooLong = 18,
    kIndexOutOfRange = 19,
    kConversionFailed = 20,
    kUserAbort = 21,  // the program aborted on purpose; abort_value is its code
    kHostError = 22,  // a host call failed; abort_value is the host's error code
    kHostArgumentInvalid = 23,
    kHostCallLimit = 24,
    // Commit-level rules (rules version 2, docs/execution.md "Replays and expiry"): decided
    // without executing, no state changes, no gas.
    kDuplicate = 25,  // the digest was already executed in the chain's history
    kExpired = 26,    // ordered after the transaction's expiry, or expiry past the horizon
};
inline constexpr std::uint16_t kAbortCodeMax = 26;

// "None", "InvalidAuthenticator", ...; "Unknown" for a value outside the enum.
const char* abort_code_name(AbortCode code);

struct ExecutionStatus {
    AbortCode code = AbortCode::kNone;
    // kUserAbort: the program's code; kHostError: the host's error code; otherwise 0.
    std::uint64_t abort_value = 0;
    // Deterministic text for people (e.g. where the VM stopped); empty on success; at most
    // limits::kAbortDetailBytesMax bytes. It is part of the canonical bytes, so executors must
    // produce it from the same inputs only.
    std::string detail;

    bool is_success() const { return code == AbortCode::kNone; }
    bool operator==(const ExecutionStatus&) const = default;
};

// Code in range, detail within its limit and empty on success, abort_value only where the code
// carries one. `field` names the status in the message ("effects.status").
common::Status validate_execution_status(const ExecutionStatus& status, const std::string& field);

struct DeletedObject {
    ObjectId id;
    Version version = 0;  // the tombstone's version
    bool operator==(const DeletedObject&) const = default;
};

struct Event {
    TypeTag type_tag;  // at most limits::kTypeTagBytesMax
    Bytes data;        // at most limits::kEventBytesMax
    bool operator==(const Event&) const = default;
};

struct Effects {
    Digest tx_digest;
    ExecutionStatus status;
    std::uint64_t gas_used = 0;
    std::vector<Object> written;  // existing objects with their new contents and version
    std::vector<Object> created;  // new objects
    std::vector<DeletedObject> deleted;
    std::vector<Event> events;  // in emission order

    bool operator==(const Effects&) const = default;
};

// Sorts written, created and deleted by id: the one order validate_effects() accepts, so that
// equal effects have equal bytes whatever order the VM produced them in.
void normalize_effects(Effects& effects);

// Bounds of docs/transactions.md, plus: each list sorted by id, no id twice across the three
// lists, and every changed object at one version (the version rule gives all of them the same).
common::Status validate_effects(const Effects& effects);

// The canonical bytes (docs/transactions.md) and their BLAKE2b-256.
Bytes canonical_effects_bytes(const Effects& effects);
Digest effects_digest(const Effects& effects);

}  // namespace remora::executor
