#pragma once
// The disassembler: prints a package in the assembler's syntax. For any package that
// decode_package accepts, assemble(disassemble(p)) == p, byte for byte: constants are printed
// as `.const cN` in pool order, jump targets as labels `L<offset>` (or `@offset` when the target
// is not an instruction start), and undecodable bytes as `.raw`.

#include <string>

#include "executor/vm/package.h"

namespace remora::executor::vm {

std::string disassemble(const Package& package);

}  // namespace remora::executor::vm
