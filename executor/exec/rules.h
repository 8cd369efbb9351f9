#pragma once
// The executor function's own rules, beside the VM's (executor/vm/) and the data model's
// (executor/tx/limits.h): the gas charged around the VM, the host error codes of the
// transaction host, and the type tags the executor reserves. docs/execution.md lists them.

#include <cstdint>
#include <string_view>

#include "executor/tx/transaction.h"

namespace remora::executor {

// --- Gas charged before the VM runs -------------------------------------------------------------
// Charged to every transaction, whatever its outcome, so that a transaction that fails early
// (a bad signature, a missing input) still costs gas deterministically. 1 gas is about 15 ns of
// work, as in the VM (docs/vm.md §5).
namespace gas {
// Digest, effects and lookup table bookkeeping, loading and verifying the program.
inline constexpr std::uint64_t kPerTransaction = 1000;
// One Ed25519 verification (~45 us), priced like the VM's ed25519_verify precompile.
inline constexpr std::uint64_t kPerAuthenticator = 3000;
// One state read of a declared input, priced like the VM's object_read.
inline constexpr std::uint64_t kPerInput = 300;
}  // namespace gas

// kPerTransaction + kPerAuthenticator × authenticators + kPerInput × inputs. The VM runs with
// what is left of the budget after this charge.
std::uint64_t intrinsic_gas(const Transaction& tx);

// --- Expiry -------------------------------------------------------------------------------------
// A transaction's expiry may lie at most this many commits past the commit it is ordered in;
// further is rejected as kExpired. It bounds how long the executed-digest index must remember
// a transaction (docs/execution.md, "Replays and expiry").
inline constexpr std::uint64_t kExpiryHorizonCommits = 1'000'000;

// --- Host error codes of the transaction host ---------------------------------------------------
// A failed host call aborts the transaction with AbortCode::kHostError and this code as its
// abort value. Codes 1..6 are the VM's generic ones (vm::host_error); these are the executor's
// own (from vm::host_error::kFirstHostDefined up). Stable numbers: append, never renumber.
namespace tx_host_error {
inline constexpr std::uint32_t kObjectTooLarge = 0x100;          // contents past the limit
inline constexpr std::uint32_t kTooManyChangedObjects = 0x101;   // past kEffectsObjectsMax
inline constexpr std::uint32_t kTooManyEvents = 0x102;           // past kEventsMax
inline constexpr std::uint32_t kEventTooLarge = 0x103;           // data past kEventBytesMax
inline constexpr std::uint32_t kTooManyReads = 0x104;            // past kLookupReadsMax
inline constexpr std::uint32_t kTooManyDynamicObjects = 0x105;   // past kDynamicObjectsMax
inline constexpr std::uint32_t kTooManyPrecompileCalls = 0x106;  // past kPrecompileCallsMax
// An object read has version kVersionMax, so no higher version exists for the writes.
inline constexpr std::uint32_t kVersionExhausted = 0x107;
// The written and created objects' contents together pass limits::kEffectsContentsBytesMax
// (checked once the program has finished).
inline constexpr std::uint32_t kEffectsTooLarge = 0x108;
}  // namespace tx_host_error

// --- Reserved type tags -------------------------------------------------------------------------
// A published package: an immutable object whose contents are an encoded VM package
// (executor/exec/package_object.h).
inline constexpr std::string_view kPackageTypeTag = "package";
// A dynamic child created by child_set (a child that already exists keeps its tag).
inline constexpr std::string_view kChildTypeTag = "child";

}  // namespace remora::executor
