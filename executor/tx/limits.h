#pragma once
// Bounds of the executor's data model and messages (docs/style.md §3: a limit on everything).
// Decoders reject inbound values past these with a Status naming the field; docs/transactions.md
// lists them. Units are last in names.

#include <cstddef>
#include <cstdint>

#include "common/limits.h"

namespace remora::executor::limits {

// --- Fixed sizes -------------------------------------------------------------------------------
inline constexpr std::size_t kHashBytes = 32;       // object ids, digests, addresses
inline constexpr std::size_t kPublicKeyBytes = 32;  // Ed25519
inline constexpr std::size_t kSignatureBytes = 64;  // Ed25519, detached
inline constexpr std::size_t kSeedBytes = 32;       // Ed25519 key seed
inline constexpr std::size_t kIdentityBytes = 32;   // Anoma ExternalIdentity (curator, issuer)

// --- Objects -----------------------------------------------------------------------------------
// Contents of one object. The rest of the 64 KiB store payload (common::limits::kObjectBytesMax)
// is headroom for the header (id, version, owner, type tag) and the FlatBuffers framing.
inline constexpr std::size_t kObjectContentsBytesMax = std::size_t{63} * 1024;
// Type tag of an object or event; equal to the VM's bound on its host-call argument.
inline constexpr std::size_t kTypeTagBytesMax = 64;
// An encoded Object (FlatBuffers) as the store and KVS messages carry it.
inline constexpr std::size_t kObjectEncodedBytesMax = common::limits::kObjectBytesMax;
// Versions are below 2^63 so that `1 + max(versions)` can never overflow a u64.
inline constexpr std::uint64_t kVersionMax = (std::uint64_t{1} << 63) - 1;

// --- Transactions ------------------------------------------------------------------------------
inline constexpr std::size_t kAuthenticatorsMax = 8;  // at least one is required
// Declared inputs (the Anoma label). Real transactions touch many objects: an Ethereum mainnet
// transaction writes up to about 400 storage slots, and Sui accepts 2,048 input objects, so
// 2,048 lets a real block trace replay whole (docs/workloads.md, "trace:<file>").
inline constexpr std::size_t kInputsMax = 2048;
inline constexpr std::size_t kEntryPointBytesMax = 64;  // [A-Za-z_][A-Za-z0-9_]*
inline constexpr std::size_t kInlineBytecodeBytesMax = std::size_t{32} * 1024;
inline constexpr std::size_t kArgumentsMax = 32;
inline constexpr std::size_t kArgumentBytesMax = 1024;  // one bytes-valued argument
inline constexpr std::size_t kTransactionEncodedBytesMax = std::size_t{256} * 1024;

// --- Effects -----------------------------------------------------------------------------------
// Objects changed by one transaction: written + created + deleted together. Every declared
// input written, plus 512 created, deleted or dynamic objects.
inline constexpr std::size_t kEffectsObjectsMax = kInputsMax + 512;
inline constexpr std::size_t kEventsMax = 256;
inline constexpr std::size_t kEventBytesMax = 1024;
inline constexpr std::size_t kAbortDetailBytesMax = 256;
// Contents of the written and created objects together (as Sui bounds the bytes a transaction
// writes): 16 MiB, at least the 256 full objects the old 256-object limit allowed, so every
// transaction that succeeded before still does. Without it 2,560 full objects would make one
// result 168 MB, too large for a wire frame (net::limits::kFrameBodyBytesMax).
inline constexpr std::size_t kEffectsContentsBytesMax = 16u << 20;
// Worst case: every changed object with the largest header (the object encoding's headroom
// over its contents) and framing, the contents limit, every event at its limit, and the fixed
// fields.
inline constexpr std::size_t kEffectsEncodedBytesMax =
    kEffectsObjectsMax * (kObjectEncodedBytesMax - kObjectContentsBytesMax + 128) +
    kEffectsContentsBytesMax + kEventsMax * (kEventBytesMax + kTypeTagBytesMax + 64) + 4096;

// --- Lookup table ------------------------------------------------------------------------------
inline constexpr std::size_t kLookupReadsMax = 8192;    // declared and dynamic reads
inline constexpr std::size_t kDynamicObjectsMax = 512;  // dynamic object ids touched
inline constexpr std::size_t kPrecompileCallsMax = 256;
inline constexpr std::size_t kPrecompileOutputBytesMax = 1024;
inline constexpr std::size_t kLookupTableEncodedBytesMax = std::size_t{1024} * 1024;

// --- Anoma messages ----------------------------------------------------------------------------
inline constexpr std::size_t kAnomaMessageEncodedBytesMax =
    kTransactionEncodedBytesMax + kObjectEncodedBytesMax + 4096;

// --- FlatBuffers verifier ----------------------------------------------------------------------
// Nesting of our schemas is at most 4 (message -> transaction -> argument -> bytes); 16 leaves
// room for schema evolution while bounding recursion on hostile input.
inline constexpr std::uint32_t kVerifierDepthMax = 16;
// Tables the verifier will visit in one buffer: bounds verification work on hostile input.
// The largest legitimate count is a lookup table (8192 reads + 256 calls + 8 checks + 1).
inline constexpr std::uint32_t kVerifierTablesMax = 16384;

static_assert(kObjectContentsBytesMax + kTypeTagBytesMax + 512 <= kObjectEncodedBytesMax);
static_assert(kInlineBytecodeBytesMax + kArgumentsMax * (kArgumentBytesMax + 32) + kInputsMax * 64 +
                  kAuthenticatorsMax * 128 + 4096 <=
              kTransactionEncodedBytesMax);
static_assert(kLookupReadsMax * 64 + kDynamicObjectsMax * 32 +
                  kPrecompileCallsMax * (kPrecompileOutputBytesMax + 64) + 4096 <=
              kLookupTableEncodedBytesMax);
static_assert(kLookupReadsMax + kPrecompileCallsMax + kAuthenticatorsMax + 16 <=
              kVerifierTablesMax);
static_assert(kEffectsObjectsMax + kEventsMax + 16 <= kVerifierTablesMax);
static_assert(kInputsMax + kArgumentsMax + kAuthenticatorsMax + 16 <= kVerifierTablesMax);
static_assert(kEffectsEncodedBytesMax < common::limits::kCommitBodyBytesMax);
static_assert(kEffectsContentsBytesMax >= 256 * kObjectContentsBytesMax,
              "every transaction valid under the former 256-object limit stays valid");

}  // namespace remora::executor::limits
