#pragma once
// The package binary format: a FlatBuffers VmPackage (executor/schema/package.fbs, identifier
// "RXVM"). Decoding never trusts its input: a size bound first, then the FlatBuffers Verifier,
// then the shape bounds of limits.h, and for load_package the bytecode verifier. Bad bytes give
// a Status (kCorruption for an undecodable buffer, kFormatVersion for another format version,
// kVerificationFailed for a package that breaks a rule), never a crash.

#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/vm/package.h"

namespace remora::executor::vm {

inline constexpr std::uint32_t kPackageFormatVersion = 1;

// Deterministic: equal packages encode to equal bytes.
common::Bytes encode_package(const Package& package);

// Structure and shape only (the disassembler uses this on packages that may not verify).
common::Result<Package> decode_package(common::ByteView bytes);

// decode_package followed by the bytecode verifier: the form the interpreter runs.
common::Result<VerifiedPackage> load_package(common::ByteView bytes);

}  // namespace remora::executor::vm
