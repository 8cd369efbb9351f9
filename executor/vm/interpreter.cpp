#include "executor/vm/interpreter.h"

#include "common/status.h"
#include "executor/vm/limits.h"
#include "executor/vm/machine.h"

namespace remora::executor::vm {
namespace {

ExecutionOutcome invalid_entry() {
    ExecutionOutcome outcome;
    outcome.status = ExecStatus::kInvalidEntry;
    return outcome;
}

// Saturating a * b + c: gas arithmetic never wraps (a huge length just runs out of gas).
std::uint64_t saturating_mul_add(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    if (a != 0 && b > (UINT64_MAX - c) / a) return UINT64_MAX;
    return a * b + c;
}

}  // namespace

ExecutionOutcome execute(const VerifiedPackage& package, std::uint16_t entry_function,
                         std::span<const Value> args, std::uint64_t gas_budget,
                         HostInterface& host) {
    if (entry_function >= package.function_count()) return invalid_entry();
    const Function& f = package.function(entry_function);
    if (args.size() != f.arg_count) return invalid_entry();
    std::size_t memory = 0;
    for (const Value& arg : args) {
        if (arg.memory_bytes() > limits::kBytesLengthMax) return invalid_entry();
        memory += arg.memory_bytes();
    }
    if (memory > limits::kMemoryBytesMax) return invalid_entry();
    Machine machine(package, gas_budget, host);
    return machine.run(entry_function, args);
}

ExecutionOutcome execute(const VerifiedPackage& package, std::string_view entry_function,
                         std::span<const Value> args, std::uint64_t gas_budget,
                         HostInterface& host) {
    std::optional<std::uint16_t> index = package.package().find_function(entry_function);
    if (!index) return invalid_entry();
    return execute(package, *index, args, gas_budget, host);
}

Machine::Machine(const VerifiedPackage& package, std::uint64_t gas_budget, HostInterface& host)
    : m_package(package), m_host(host), m_gas_budget(gas_budget) {
    m_stack.reserve(limits::kOperandStackMax);
    m_frames.reserve(limits::kCallDepthMax);
}

ExecutionOutcome Machine::run(std::uint16_t entry, std::span<const Value> args) {
    const Function& f = m_package.function(entry);
    m_frames.push_back(Frame{entry, 0, 0, 0});
    for (const Value& arg : args) {
        m_memory_bytes += arg.memory_bytes();
        m_locals.push_back(arg);
    }
    m_locals.resize(f.slot_count());

    while (!m_trap && !m_frames.empty()) {
        Frame& frame = m_frames.back();
        const Bytes& code = m_package.function(frame.function).code;
        DecodeResult decoded = decode_instruction(code, frame.pc);
        REMORA_ASSERT(decoded.instruction.has_value());  // the verifier decoded all of it
        m_current_pc = frame.pc;
        if (m_steps == limits::kStepsMax) {
            trap(ExecStatus::kStepLimit);
            break;
        }
        ++m_steps;
        frame.pc += decoded.instruction->size;
        step(*decoded.instruction);
    }

    ExecutionOutcome outcome;
    outcome.gas_used = m_gas_used;
    outcome.steps = m_steps;
    if (m_trap) {
        outcome.status = *m_trap;
        outcome.abort_code = m_abort_code;
        outcome.abort_function = m_frames.back().function;
        outcome.abort_pc = m_current_pc;
    } else {
        outcome.returns = std::move(m_returns);
    }
    return outcome;
}

Machine::Flow Machine::trap(ExecStatus status, std::uint64_t code) {
    m_trap = status;
    m_abort_code = code;
    return Flow::kStop;
}

bool Machine::charge(std::uint64_t cost) {
    if (cost > m_gas_budget - m_gas_used) {
        m_gas_used = m_gas_budget;
        trap(ExecStatus::kOutOfGas);
        return false;
    }
    m_gas_used += cost;
    return true;
}

bool Machine::charge_words(std::uint32_t base, std::uint32_t per_word, std::uint64_t length) {
    return charge(saturating_mul_add(per_word, gas_words(length), base));
}

bool Machine::push(Value value) {
    if (m_stack.size() >= limits::kOperandStackMax) {
        trap(ExecStatus::kStackOverflow);
        return false;
    }
    std::uint64_t bytes = value.memory_bytes();
    if (bytes > limits::kMemoryBytesMax - m_memory_bytes) {
        trap(ExecStatus::kMemoryLimit);
        return false;
    }
    m_memory_bytes += bytes;
    m_stack.push_back(std::move(value));
    return true;
}

Value Machine::pop() {
    REMORA_ASSERT(m_stack.size() > m_frames.back().stack_base);
    Value v = std::move(m_stack.back());
    m_stack.pop_back();
    m_memory_bytes -= v.memory_bytes();
    return v;
}

bool Machine::types_are_ints(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (!peek(i).is_int()) {
            trap(ExecStatus::kTypeMismatch);
            return false;
        }
    }
    return true;
}

Machine::Flow Machine::step(const Instruction& ins) {
    switch (ins.info->opcode) {
        case Opcode::kNop:
        case Opcode::kPush:
        case Opcode::kPushConst:
        case Opcode::kPop:
        case Opcode::kDup:
        case Opcode::kSwap:
        case Opcode::kPick:
        case Opcode::kLoad:
        case Opcode::kStore:
            return op_stack(ins);
        case Opcode::kAdd:
        case Opcode::kSub:
        case Opcode::kMul:
        case Opcode::kDiv:
        case Opcode::kMod:
        case Opcode::kEq:
        case Opcode::kNe:
        case Opcode::kLt:
        case Opcode::kLe:
        case Opcode::kGt:
        case Opcode::kGe:
        case Opcode::kAnd:
        case Opcode::kOr:
        case Opcode::kNot:
            return op_int(ins);
        case Opcode::kConcat:
        case Opcode::kLen:
        case Opcode::kSlice:
        case Opcode::kByteAt:
        case Opcode::kBytesEq:
        case Opcode::kIntToBytes:
        case Opcode::kBytesToInt:
            return op_bytes(ins);
        case Opcode::kJmp:
        case Opcode::kJz:
        case Opcode::kJnz:
        case Opcode::kCall:
        case Opcode::kRet:
        case Opcode::kAbort:
            return op_control(ins);
        case Opcode::kHost:
            return op_host(ins);
    }
    REMORA_ASSERT(false && "opcode without an implementation");
    return Flow::kStop;
}

}  // namespace remora::executor::vm
