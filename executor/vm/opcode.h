#pragma once
// The instruction set: one opcode byte followed by at most one big-endian immediate. The table
// here is the single source of truth for the verifier, the interpreter, the assembler, the
// disassembler and docs/vm.md (keep them in step).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/bytes.h"

namespace remora::executor::vm {

enum class Opcode : std::uint8_t {
    kNop = 0x00,
    kPush = 0x01,       // u64 integer
    kPushConst = 0x02,  // u16 constant index -> byte string
    kPop = 0x03,
    kDup = 0x04,
    kSwap = 0x05,
    kPick = 0x06,  // u8 depth: copies the value `depth` below the top (pick 0 == dup)
    kAdd = 0x10,
    kSub = 0x11,
    kMul = 0x12,
    kDiv = 0x13,
    kMod = 0x14,
    kEq = 0x18,
    kNe = 0x19,
    kLt = 0x1A,
    kLe = 0x1B,
    kGt = 0x1C,
    kGe = 0x1D,
    kAnd = 0x20,
    kOr = 0x21,
    kNot = 0x22,
    kJmp = 0x28,  // u16 absolute target in the current function's code
    kJz = 0x29,
    kJnz = 0x2A,
    kCall = 0x30,  // u16 function index
    kRet = 0x31,
    kLoad = 0x32,   // u8 local index
    kStore = 0x33,  // u8 local index
    kConcat = 0x38,
    kLen = 0x39,
    kSlice = 0x3A,
    kByteAt = 0x3B,
    kBytesEq = 0x3C,
    kIntToBytes = 0x3D,
    kBytesToInt = 0x3E,
    kAbort = 0x40,
    kHost = 0x48,  // u8 host function id
};

// What an instruction's immediate names; fixes its width too.
enum class Operand : std::uint8_t {
    kNone,      // 0 bytes
    kInt,       // 8 bytes, the integer pushed
    kConstant,  // 2 bytes, index into the package's constant pool
    kDepth,     // 1 byte, pick depth
    kTarget,    // 2 bytes, byte offset of an instruction in the same function
    kFunction,  // 2 bytes, index of a function of the package
    kLocal,     // 1 byte, local slot (arguments first)
    kHost,      // 1 byte, host function id (executor/vm/host_functions.h)
};

std::size_t operand_width(Operand operand);

struct OpInfo {
    Opcode opcode;
    std::string_view mnemonic;
    Operand operand;
    // Static stack effect. kCall and kHost take theirs from the callee / host signature, kPick
    // needs depth + 1 values, kRet pops the function's return count.
    std::uint8_t pops;
    std::uint8_t pushes;
    bool terminal;  // control never falls through to the next instruction
    std::uint32_t gas_base;
    // Gas per 32-byte word of the byte length the instruction handles (docs/vm.md says which
    // length for each opcode); 0 for integer-only instructions.
    std::uint32_t gas_per_word;
};

// nullptr when `byte` is not an opcode.
const OpInfo* op_info(std::uint8_t byte);
const OpInfo* op_info(Opcode opcode);
// nullptr when `mnemonic` names no opcode.
const OpInfo* op_by_mnemonic(std::string_view mnemonic);
// Every opcode, in numeric order (for docs and tests).
std::size_t op_count();
const OpInfo& op_at(std::size_t i);

// One decoded instruction.
struct Instruction {
    const OpInfo* info = nullptr;
    std::uint32_t offset = 0;     // where the opcode byte is
    std::uint32_t size = 0;       // opcode byte plus immediate
    std::uint64_t immediate = 0;  // 0 when the opcode has none
};

enum class DecodeError : std::uint8_t { kUnknownOpcode, kTruncatedImmediate };

struct DecodeResult {
    std::optional<Instruction> instruction;
    DecodeError error = DecodeError::kUnknownOpcode;  // meaningful when !instruction
};

// Decodes the instruction at `offset`. REQUIRES: offset < code.size().
DecodeResult decode_instruction(common::ByteView code, std::size_t offset);

// Appends an instruction's bytes. REQUIRES: `immediate` fits the operand's width.
void encode_instruction(common::Bytes& code, Opcode opcode, std::uint64_t immediate = 0);

// Number of 32-byte words needed for `length` bytes: the unit of per-byte gas.
constexpr std::uint64_t gas_words(std::uint64_t length) { return (length + 31) / 32; }

}  // namespace remora::executor::vm
