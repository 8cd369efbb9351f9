// Branches, calls, returns and abort (machine.h).

#include "common/status.h"
#include "executor/vm/limits.h"
#include "executor/vm/machine.h"

namespace remora::executor::vm {

Machine::Flow Machine::op_control(const Instruction& ins) {
    const OpInfo& op = *ins.info;
    switch (op.opcode) {
        case Opcode::kJmp:
            if (!charge(op.gas_base)) return Flow::kStop;
            m_frames.back().pc = static_cast<std::uint32_t>(ins.immediate);
            return Flow::kNext;
        case Opcode::kJz:
        case Opcode::kJnz: {
            if (!types_are_ints(1) || !charge(op.gas_base)) return Flow::kStop;
            bool zero = pop().as_int() == 0;
            if (zero == (op.opcode == Opcode::kJz)) {
                m_frames.back().pc = static_cast<std::uint32_t>(ins.immediate);
            }
            return Flow::kNext;
        }
        case Opcode::kCall:
            if (!charge(op.gas_base)) return Flow::kStop;
            return op_call(static_cast<std::uint16_t>(ins.immediate));
        case Opcode::kRet:
            if (!charge(op.gas_base)) return Flow::kStop;
            return op_ret();
        case Opcode::kAbort:
            if (!types_are_ints(1) || !charge(op.gas_base)) return Flow::kStop;
            return trap(ExecStatus::kUserAbort, peek(0).as_int());
        default:
            break;
    }
    REMORA_ASSERT(false && "not a control instruction");
    return Flow::kStop;
}

Machine::Flow Machine::op_call(std::uint16_t callee) {
    if (m_frames.size() >= limits::kCallDepthMax) return trap(ExecStatus::kCallDepthExceeded);
    const Function& f = m_package.function(callee);
    // The arguments move from the caller's stack into the callee's first slots: memory stays.
    std::size_t first_arg = m_stack.size() - f.arg_count;
    REMORA_ASSERT(first_arg >= m_frames.back().stack_base);
    auto locals_base = static_cast<std::uint32_t>(m_locals.size());
    for (std::size_t i = first_arg; i < m_stack.size(); ++i) {
        m_locals.push_back(std::move(m_stack[i]));
    }
    m_stack.resize(first_arg);
    m_locals.resize(locals_base + f.slot_count());
    m_frames.push_back(Frame{callee, 0, locals_base, static_cast<std::uint32_t>(m_stack.size())});
    return Flow::kNext;
}

Machine::Flow Machine::op_ret() {
    Frame frame = m_frames.back();
    const Function& f = m_package.function(frame.function);
    // The verifier guarantees the frame holds exactly the return values, already in place at
    // the caller's stack top.
    REMORA_ASSERT(m_stack.size() == frame.stack_base + f.return_count);
    for (std::size_t i = frame.locals_base; i < m_locals.size(); ++i) {
        m_memory_bytes -= m_locals[i].memory_bytes();
    }
    m_locals.resize(frame.locals_base);
    m_frames.pop_back();
    if (m_frames.empty()) {
        m_returns = std::move(m_stack);
        m_stack.clear();
    }
    return Flow::kNext;
}

}  // namespace remora::executor::vm
