#include "executor/vm/opcode.h"

#include <array>

#include "common/status.h"

namespace remora::executor::vm {
namespace {

using O = Opcode;
using P = Operand;

// Gas is calibrated so that 1 gas is roughly one simple instruction (~10-20 ns interpreted);
// docs/vm.md carries the same table.
// clang-format off
constexpr OpInfo kOps[] = {
    // opcode        mnemonic   operand    pops push terminal gas_base gas_per_word
    {O::kNop,        "nop",     P::kNone,     0, 0, false, 1,  0},
    {O::kPush,       "push",    P::kInt,      0, 1, false, 1,  0},
    {O::kPushConst,  "pushc",   P::kConstant, 0, 1, false, 2,  1},
    {O::kPop,        "pop",     P::kNone,     1, 0, false, 1,  0},
    {O::kDup,        "dup",     P::kNone,     1, 2, false, 1,  1},
    {O::kSwap,       "swap",    P::kNone,     2, 2, false, 1,  0},
    {O::kPick,       "pick",    P::kDepth,    0, 1, false, 2,  1},
    {O::kAdd,        "add",     P::kNone,     2, 1, false, 2,  0},
    {O::kSub,        "sub",     P::kNone,     2, 1, false, 2,  0},
    {O::kMul,        "mul",     P::kNone,     2, 1, false, 3,  0},
    {O::kDiv,        "div",     P::kNone,     2, 1, false, 4,  0},
    {O::kMod,        "mod",     P::kNone,     2, 1, false, 4,  0},
    {O::kEq,         "eq",      P::kNone,     2, 1, false, 2,  0},
    {O::kNe,         "ne",      P::kNone,     2, 1, false, 2,  0},
    {O::kLt,         "lt",      P::kNone,     2, 1, false, 2,  0},
    {O::kLe,         "le",      P::kNone,     2, 1, false, 2,  0},
    {O::kGt,         "gt",      P::kNone,     2, 1, false, 2,  0},
    {O::kGe,         "ge",      P::kNone,     2, 1, false, 2,  0},
    {O::kAnd,        "and",     P::kNone,     2, 1, false, 1,  0},
    {O::kOr,         "or",      P::kNone,     2, 1, false, 1,  0},
    {O::kNot,        "not",     P::kNone,     1, 1, false, 1,  0},
    {O::kJmp,        "jmp",     P::kTarget,   0, 0, true,  2,  0},
    {O::kJz,         "jz",      P::kTarget,   1, 0, false, 3,  0},
    {O::kJnz,        "jnz",     P::kTarget,   1, 0, false, 3,  0},
    {O::kCall,       "call",    P::kFunction, 0, 0, false, 10, 0},
    {O::kRet,        "ret",     P::kNone,     0, 0, true,  5,  0},
    {O::kLoad,       "load",    P::kLocal,    0, 1, false, 2,  1},
    {O::kStore,      "store",   P::kLocal,    1, 0, false, 2,  0},
    {O::kConcat,     "concat",  P::kNone,     2, 1, false, 4,  1},
    {O::kLen,        "len",     P::kNone,     1, 1, false, 2,  0},
    {O::kSlice,      "slice",   P::kNone,     3, 1, false, 4,  1},
    {O::kByteAt,     "byte_at", P::kNone,     2, 1, false, 2,  0},
    {O::kBytesEq,    "beq",     P::kNone,     2, 1, false, 3,  1},
    {O::kIntToBytes, "itob",    P::kNone,     1, 1, false, 3,  0},
    {O::kBytesToInt, "btoi",    P::kNone,     1, 1, false, 3,  0},
    {O::kAbort,      "abort",   P::kNone,     1, 0, true,  1,  0},
    {O::kHost,       "host",    P::kHost,     0, 0, false, 0,  0},
};
// clang-format on

struct ByteTable {
    std::array<const OpInfo*, 256> entries{};
    constexpr ByteTable() {
        for (const OpInfo& op : kOps) entries[static_cast<std::uint8_t>(op.opcode)] = &op;
    }
};

constexpr ByteTable kByByte;

}  // namespace

std::size_t operand_width(Operand operand) {
    switch (operand) {
        case Operand::kNone:
            return 0;
        case Operand::kInt:
            return 8;
        case Operand::kConstant:
        case Operand::kTarget:
        case Operand::kFunction:
            return 2;
        case Operand::kDepth:
        case Operand::kLocal:
        case Operand::kHost:
            return 1;
    }
    return 0;
}

const OpInfo* op_info(std::uint8_t byte) { return kByByte.entries[byte]; }

const OpInfo* op_info(Opcode opcode) {
    const OpInfo* info = kByByte.entries[static_cast<std::uint8_t>(opcode)];
    REMORA_ASSERT(info != nullptr);
    return info;
}

const OpInfo* op_by_mnemonic(std::string_view mnemonic) {
    for (const OpInfo& op : kOps) {
        if (op.mnemonic == mnemonic) return &op;
    }
    return nullptr;
}

std::size_t op_count() { return std::size(kOps); }

const OpInfo& op_at(std::size_t i) {
    REMORA_ASSERT(i < std::size(kOps));
    return kOps[i];
}

DecodeResult decode_instruction(common::ByteView code, std::size_t offset) {
    REMORA_ASSERT(offset < code.size());
    const OpInfo* info = op_info(static_cast<std::uint8_t>(code[offset]));
    if (info == nullptr) return {std::nullopt, DecodeError::kUnknownOpcode};
    std::size_t width = operand_width(info->operand);
    if (code.size() - offset - 1 < width) return {std::nullopt, DecodeError::kTruncatedImmediate};
    Instruction ins;
    ins.info = info;
    ins.offset = static_cast<std::uint32_t>(offset);
    ins.size = static_cast<std::uint32_t>(1 + width);
    for (std::size_t i = 0; i < width; ++i) {
        ins.immediate = (ins.immediate << 8) | static_cast<std::uint8_t>(code[offset + 1 + i]);
    }
    return {ins, DecodeError::kUnknownOpcode};
}

void encode_instruction(common::Bytes& code, Opcode opcode, std::uint64_t immediate) {
    const OpInfo* info = op_info(opcode);
    std::size_t width = operand_width(info->operand);
    REMORA_ASSERT(width == 8 || immediate < (std::uint64_t{1} << (8 * width)));
    code.push_back(static_cast<char>(opcode));
    for (std::size_t i = width; i > 0; --i) {
        code.push_back(static_cast<char>(immediate >> (8 * (i - 1))));
    }
}

}  // namespace remora::executor::vm
