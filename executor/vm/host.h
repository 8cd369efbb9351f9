#pragma once
// HostInterface: the VM's only door to the world. The interpreter validates each host call's
// arity, argument types and sizes (executor/vm/host_functions.h) and charges its gas; the host
// gives the calls their meaning (the transaction's inputs, the object model, dynamic children,
// the lookup table of the Remora protocol). A host reports failure with a HostError code, which
// aborts the execution with status kHostError and that code.
//
// REQUIRES of every implementation: determinism. The same sequence of calls against the same
// state returns the same results (no clock, randomness or unordered iteration).

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <variant>

#include "common/bytes.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/value.h"

namespace remora::executor::vm {

using common::ObjectId;
using Address = common::Hash256;

// Error codes a host returns. Values are stable (they end up in effects); codes from 0x100 up
// are free for a host's own use.
namespace host_error {
inline constexpr std::uint32_t kNotFound = 1;          // no such input, object or child
inline constexpr std::uint32_t kAlreadyExists = 2;     // e.g. a created id that is taken
inline constexpr std::uint32_t kPermissionDenied = 3;  // object not writable by this transaction
inline constexpr std::uint32_t kInvalidArgument = 4;   // arguments the host rejects
inline constexpr std::uint32_t kLimitExceeded = 5;     // too many writes, events, ...
inline constexpr std::uint32_t kUnavailable = 6;       // the host cannot serve this call
inline constexpr std::uint32_t kFirstHostDefined = 0x100;
}  // namespace host_error

struct HostError {
    std::uint32_t code = host_error::kUnavailable;
};

// A host call's value or the error that aborts the execution.
template <typename T>
class HostResult {
public:
    HostResult(T value) : m_value(std::in_place_index<0>, std::move(value)) {}  // NOLINT
    HostResult(HostError error) : m_value(std::in_place_index<1>, error) {}     // NOLINT

    bool is_ok() const { return m_value.index() == 0; }
    // REQUIRES: is_ok() / !is_ok().
    T& value() { return std::get<0>(m_value); }
    std::uint32_t error_code() const { return std::get<1>(m_value).code; }

private:
    std::variant<T, HostError> m_value;
};

struct HostOk {};
using HostStatus = HostResult<HostOk>;

class HostInterface {
public:
    virtual ~HostInterface() = default;

    // --- Objects. `index` counts the transaction's declared inputs from 0. ------------------
    virtual HostResult<Bytes> input_read(std::uint64_t index) = 0;
    virtual HostResult<ObjectId> input_id(std::uint64_t index) = 0;
    virtual HostResult<Bytes> object_read(const ObjectId& id) = 0;
    virtual HostStatus object_write(const ObjectId& id, ByteView contents) = 0;
    // Creates an object owned by the sender; the host derives its id deterministically.
    virtual HostResult<ObjectId> object_create(ByteView type_tag, ByteView contents) = 0;
    virtual HostStatus object_delete(const ObjectId& id) = 0;
    // Makes `recipient` the owner of the object.
    virtual HostStatus object_transfer(const ObjectId& id, const Address& recipient) = 0;

    // --- Dynamic children: objects whose id the host derives from (parent, key). ------------
    // Absent children: child_get and child_remove fail with kNotFound, child_exists gives false.
    virtual HostResult<Bytes> child_get(const ObjectId& parent, ByteView key) = 0;
    virtual HostStatus child_set(const ObjectId& parent, ByteView key, ByteView contents) = 0;
    virtual HostResult<bool> child_exists(const ObjectId& parent, ByteView key) = 0;
    virtual HostStatus child_remove(const ObjectId& parent, ByteView key) = 0;

    // --- Precompiles (blake2b_256, sha256, ed25519_verify, iterated_hash). -----------------
    // Pure functions. `args` already passed the signature checks. The default computes the
    // result with run_precompile (executor/vm/precompiles.h); a Remora host overrides this to
    // record (function, input) -> output in the lookup table, or to replay a recorded output.
    virtual HostResult<Value> precompile(HostFunction function, std::span<const Value> args);

    // --- Context and events. ----------------------------------------------------------------
    virtual HostStatus emit_event(ByteView type_tag, ByteView data) = 0;
    virtual HostResult<Address> tx_sender() = 0;
};

// Calls the HostInterface method for `function` with already-validated `args` and returns its
// result value (nullopt for functions without one). Used by the interpreter.
// REQUIRES: args match host_signature(function)'s parameters.
HostResult<std::optional<Value>> dispatch_host_call(HostInterface& host, HostFunction function,
                                                    std::span<const Value> args);

}  // namespace remora::executor::vm
