#pragma once
// The bytecode verifier: the gate every package passes before it can run. It rejects, with a
// kVerificationFailed Status naming the function and offset:
//  - shape: function/constant counts, sizes, names (unique, valid), arg/local/return counts;
//  - decoding: unknown opcodes, truncated immediates;
//  - references: constant, local, function and host ids out of range; jump targets outside the
//    function or into the middle of an instruction;
//  - stack discipline, by abstract interpretation of stack heights from the entry (height 0):
//    every path to an instruction arrives with the same height, no instruction underflows,
//    no height passes limits::kFrameStackMax, `ret` sees exactly the return count, and no path
//    falls off the end of the code.
// Operand *types* are not tracked: the interpreter checks them and aborts with kTypeMismatch.
// Unreachable instructions are decoded and reference-checked but not stack-checked.

#include "common/status.h"
#include "executor/vm/package.h"

namespace remora::executor::vm {

class Verifier {
public:
    static common::Result<VerifiedPackage> verify(Package package);
};

inline common::Result<VerifiedPackage> verify_package(Package package) {
    return Verifier::verify(std::move(package));
}

// The shape checks alone (also run by the decoder, which must bound sizes before anything else).
common::Status check_package_shape(const Package& package);

}  // namespace remora::executor::vm
