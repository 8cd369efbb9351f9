// The byte-string instructions of the interpreter (machine.h).

#include <algorithm>

#include "common/status.h"
#include "executor/vm/limits.h"
#include "executor/vm/machine.h"

namespace remora::executor::vm {

Machine::Flow Machine::op_bytes(const Instruction& ins) {
    const OpInfo& op = *ins.info;
    auto type_error = [this] { return trap(ExecStatus::kTypeMismatch); };
    switch (op.opcode) {
        case Opcode::kConcat: {
            if (!peek(0).is_bytes() || !peek(1).is_bytes()) return type_error();
            std::uint64_t total = peek(0).as_bytes().size() + peek(1).as_bytes().size();
            if (!charge_words(op.gas_base, op.gas_per_word, total)) return Flow::kStop;
            if (total > limits::kBytesLengthMax) return trap(ExecStatus::kBytesTooLong);
            Value tail = pop();
            peek(0).mutable_bytes() += tail.as_bytes();
            m_memory_bytes += tail.as_bytes().size();  // moved into the result, still live
            return Flow::kNext;
        }
        case Opcode::kLen: {
            if (!peek(0).is_bytes()) return type_error();
            if (!charge(op.gas_base)) return Flow::kStop;
            Value v = pop();
            return push(Value::integer(v.as_bytes().size())) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kSlice: {
            if (!peek(2).is_bytes() || !peek(1).is_int() || !peek(0).is_int()) return type_error();
            std::uint64_t length = peek(0).as_int();
            std::uint64_t start = peek(1).as_int();
            std::uint64_t size = peek(2).as_bytes().size();
            if (!charge_words(op.gas_base, op.gas_per_word, length)) return Flow::kStop;
            if (start > size || length > size - start) {
                return trap(ExecStatus::kIndexOutOfRange);
            }
            pop();
            pop();
            Value v = pop();
            return push(Value::bytes(v.as_bytes().substr(start, length))) ? Flow::kNext
                                                                          : Flow::kStop;
        }
        case Opcode::kByteAt: {
            if (!peek(1).is_bytes() || !peek(0).is_int()) return type_error();
            if (!charge(op.gas_base)) return Flow::kStop;
            std::uint64_t index = peek(0).as_int();
            if (index >= peek(1).as_bytes().size()) return trap(ExecStatus::kIndexOutOfRange);
            auto byte = static_cast<std::uint8_t>(peek(1).as_bytes()[index]);
            pop();
            pop();
            return push(Value::integer(byte)) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kBytesEq: {
            if (!peek(0).is_bytes() || !peek(1).is_bytes()) return type_error();
            std::uint64_t shorter = std::min(peek(0).as_bytes().size(), peek(1).as_bytes().size());
            if (!charge_words(op.gas_base, op.gas_per_word, shorter)) return Flow::kStop;
            bool equal = peek(0).as_bytes() == peek(1).as_bytes();
            pop();
            pop();
            return push(Value::integer(equal ? 1 : 0)) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kIntToBytes: {
            if (!peek(0).is_int()) return type_error();
            if (!charge(op.gas_base)) return Flow::kStop;
            Bytes out;
            common::put_be64(out, pop().as_int());
            return push(Value::bytes(std::move(out))) ? Flow::kNext : Flow::kStop;
        }
        case Opcode::kBytesToInt: {
            if (!peek(0).is_bytes()) return type_error();
            if (!charge(op.gas_base)) return Flow::kStop;
            if (peek(0).as_bytes().size() != 8) return trap(ExecStatus::kConversionFailed);
            std::uint64_t v = common::get_be64(pop().as_bytes());
            return push(Value::integer(v)) ? Flow::kNext : Flow::kStop;
        }
        default:
            break;
    }
    REMORA_ASSERT(false && "not a byte-string instruction");
    return Flow::kStop;
}

}  // namespace remora::executor::vm
