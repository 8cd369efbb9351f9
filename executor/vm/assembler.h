#pragma once
// The text assembler (syntax in docs/vm.md, "Assembler syntax"):
//
//   ; factorial(n) -> n!
//   .const greeting "hello"          ; appends to the constant pool, in declaration order
//   .func fact args=1 locals=1 returns=1
//       push 1
//       store 1
//   loop:
//       load 0
//       jz done
//       ...
//   done:
//       load 1
//       ret
//
// Assembling checks syntax, names and immediate widths only: the result may still break a
// verifier rule (tests rely on that to build bad code); run verify_package before executing.
// Errors are kInvalidArgument Statuses reading "LINE:COL: message".

#include <string_view>

#include "common/status.h"
#include "executor/vm/package.h"

namespace remora::executor::vm {

common::Result<Package> assemble(std::string_view source);

}  // namespace remora::executor::vm
