// The stack, integer and byte-string instructions of the interpreter (machine.h).

#include <algorithm>
#include <utility>

#include "common/status.h"
#include "executor/vm/limits.h"
#include "executor/vm/machine.h"

namespace remora::executor::vm {

Machine::Flow Machine::op_stack(const Instruction& ins) {
    const OpInfo& op = *ins.info;
    Frame& frame = m_frames.back();
    switch (op.opcode) {
        case Opcode::kNop:
            return charge(op.gas_base) ? Flow::kNext : Flow::kStop;
        case Opcode::kPush:
            if (!charge(op.gas_base)) return Flow::kStop;
            return push(Value::integer(ins.immediate)) ? Flow::kNext : Flow::kStop;
        case Opcode::kPushConst: {
            const Bytes& constant = m_package.package().constants[ins.immediate];
            if (!charge_words(op.gas_base, op.gas_per_word, constant.size())) return Flow::kStop;
            return push(Value::bytes(constant)) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kPop:
            if (!charge(op.gas_base)) return Flow::kStop;
            pop();
            return Flow::kNext;
        case Opcode::kDup:
        case Opcode::kPick: {
            Value copy = peek(op.opcode == Opcode::kDup ? 0 : ins.immediate);
            if (!charge_words(op.gas_base, op.gas_per_word, copy.memory_bytes())) {
                return Flow::kStop;
            }
            return push(std::move(copy)) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kSwap:
            if (!charge(op.gas_base)) return Flow::kStop;
            std::swap(peek(0), peek(1));
            return Flow::kNext;
        case Opcode::kLoad: {
            Value copy = m_locals[frame.locals_base + ins.immediate];
            if (!charge_words(op.gas_base, op.gas_per_word, copy.memory_bytes())) {
                return Flow::kStop;
            }
            return push(std::move(copy)) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kStore: {
            if (!charge(op.gas_base)) return Flow::kStop;
            Value& slot = m_locals[frame.locals_base + ins.immediate];
            m_memory_bytes -= slot.memory_bytes();
            slot = pop();
            m_memory_bytes += slot.memory_bytes();  // was counted on the stack a moment ago
            return Flow::kNext;
        }
        default:
            break;
    }
    REMORA_ASSERT(false && "not a stack instruction");
    return Flow::kStop;
}

Machine::Flow Machine::op_int(const Instruction& ins) {
    const OpInfo& op = *ins.info;
    if (op.opcode == Opcode::kNot) {
        if (!types_are_ints(1) || !charge(op.gas_base)) return Flow::kStop;
        peek(0) = Value::integer(peek(0).as_int() == 0 ? 1 : 0);
        return Flow::kNext;
    }
    if (!types_are_ints(2) || !charge(op.gas_base)) return Flow::kStop;
    std::uint64_t b = peek(0).as_int();
    std::uint64_t a = peek(1).as_int();
    std::uint64_t r = 0;
    switch (op.opcode) {
        case Opcode::kAdd:
            if (__builtin_add_overflow(a, b, &r)) return trap(ExecStatus::kArithmeticOverflow);
            break;
        case Opcode::kSub:
            if (b > a) return trap(ExecStatus::kArithmeticUnderflow);
            r = a - b;
            break;
        case Opcode::kMul:
            if (__builtin_mul_overflow(a, b, &r)) return trap(ExecStatus::kArithmeticOverflow);
            break;
        case Opcode::kDiv:
        case Opcode::kMod:
            if (b == 0) return trap(ExecStatus::kDivisionByZero);
            r = op.opcode == Opcode::kDiv ? a / b : a % b;
            break;
        case Opcode::kEq:
            r = a == b;
            break;
        case Opcode::kNe:
            r = a != b;
            break;
        case Opcode::kLt:
            r = a < b;
            break;
        case Opcode::kLe:
            r = a <= b;
            break;
        case Opcode::kGt:
            r = a > b;
            break;
        case Opcode::kGe:
            r = a >= b;
            break;
        case Opcode::kAnd:
            r = (a != 0) && (b != 0);
            break;
        case Opcode::kOr:
            r = (a != 0) || (b != 0);
            break;
        default:
            REMORA_ASSERT(false && "not an integer instruction");
    }
    m_stack.pop_back();  // an integer: no memory to release
    peek(0) = Value::integer(r);
    return Flow::kNext;
}

}  // namespace remora::executor::vm
