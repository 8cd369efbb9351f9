#pragma once
// Every bound of the VM (docs/style.md §3: a limit on everything). The verifier enforces the
// static ones before a package is accepted; the interpreter enforces the dynamic ones and turns
// a crossing into a precise abort status (executor/vm/outcome.h). Documented in docs/vm.md.

#include <cstddef>
#include <cstdint>

#include "common/limits.h"

namespace remora::executor::vm::limits {

// --- Run time ---------------------------------------------------------------------------------
// Operand stack values of all frames together; crossing it aborts with kStackOverflow.
inline constexpr std::size_t kOperandStackMax = 1024;
// Largest operand stack height one function may reach (checked by the verifier).
inline constexpr std::size_t kFrameStackMax = 256;
// Active frames, the entry function included; crossing it aborts with kCallDepthExceeded.
inline constexpr std::size_t kCallDepthMax = 64;
// Instructions executed by one execution; crossing it aborts with kStepLimit.
inline constexpr std::uint64_t kStepsMax = 1'000'000;
// Length of one byte string value; crossing it aborts with kBytesTooLong. Equal to the largest
// object payload so that any stored object's contents fit in one value.
inline constexpr std::size_t kBytesLengthMax = common::limits::kObjectBytesMax;
// Sum of the lengths of all live byte strings (operand stack and locals of every frame);
// crossing it aborts with kMemoryLimit.
inline constexpr std::size_t kMemoryBytesMax = 1 << 20;
// Host calls made by one execution; crossing it aborts with kHostCallLimit. A program that
// reads and writes each of a transaction's 2,048 declared inputs needs a few calls per input
// (touch.rasm makes three).
inline constexpr std::size_t kHostCallsMax = 16384;
// Rounds of the iterated_hash precompile in one call.
inline constexpr std::uint64_t kIteratedHashRoundsMax = 1'000'000;
// Byte arguments of host calls with a documented bound.
inline constexpr std::size_t kTypeTagBytesMax = 64;
inline constexpr std::size_t kChildKeyBytesMax = 128;

// --- Package shape (checked when a package is decoded and verified) ---------------------------
inline constexpr std::size_t kFunctionsMax = 256;
inline constexpr std::size_t kConstantsMax = 1024;
inline constexpr std::size_t kConstantsBytesMax =
    std::size_t{256} * 1024;  // all constants together
inline constexpr std::size_t kFunctionCodeBytesMax =
    std::size_t{32} * 1024;  // jump targets are u16
inline constexpr std::size_t kPackageCodeBytesMax =
    std::size_t{256} * 1024;  // all functions together
inline constexpr std::size_t kFunctionNameBytesMax = 64;
inline constexpr std::size_t kArgsMax = 16;
inline constexpr std::size_t kReturnsMax = 16;
inline constexpr std::size_t kLocalsMax = 64;  // argument slots plus extra locals
// Encoded package (FlatBuffers) accepted by the decoder.
inline constexpr std::size_t kPackageBytesMax = 1 << 20;
// Assembler input.
inline constexpr std::size_t kAssemblySourceBytesMax = 4 << 20;

static_assert(kFrameStackMax <= kOperandStackMax);
static_assert(kFunctionCodeBytesMax <= 0xFFFF, "jump targets are 16-bit");
static_assert(kFunctionsMax <= 0xFFFF && kConstantsMax <= 0xFFFF, "indices are 16-bit");
static_assert(kLocalsMax <= 0xFF, "local indices are 8-bit");
static_assert(kArgsMax <= kLocalsMax && kReturnsMax <= kFrameStackMax);
static_assert(kBytesLengthMax <= kMemoryBytesMax);
static_assert(kConstantsBytesMax + kPackageCodeBytesMax < kPackageBytesMax);

}  // namespace remora::executor::vm::limits
