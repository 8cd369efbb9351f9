#pragma once
// Internal to the interpreter (interpreter.h is the contract): the machine state of one
// execution and the implementation of each instruction.
//
// Invariants, established by the verifier and kept by every instruction:
//  - each frame's operand stack height stays within [0, verified max] and matches the
//    verifier's height at every instruction, so pops never reach below the frame's base;
//  - m_memory_bytes == sum of memory_bytes() over m_stack and m_locals;
//  - m_gas_used <= m_gas_budget, m_steps <= limits::kStepsMax.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "executor/vm/host.h"
#include "executor/vm/opcode.h"
#include "executor/vm/outcome.h"
#include "executor/vm/package.h"

namespace remora::executor::vm {

class Machine {
public:
    Machine(const VerifiedPackage& package, std::uint64_t gas_budget, HostInterface& host);

    ExecutionOutcome run(std::uint16_t entry, std::span<const Value> args);

private:
    struct Frame {
        std::uint16_t function = 0;
        std::uint32_t pc = 0;           // next instruction to run
        std::uint32_t locals_base = 0;  // first slot in m_locals
        std::uint32_t stack_base = 0;   // height of m_stack when the frame started
    };
    enum class Flow { kNext, kStop };

    // Sets the abort status and returns kStop.
    Flow trap(ExecStatus status, std::uint64_t code = 0);
    // Charges `cost`; on failure gas_used becomes the budget and the machine traps.
    bool charge(std::uint64_t cost);
    bool charge_words(std::uint32_t base, std::uint32_t per_word, std::uint64_t length);
    // Pushes with the stack and memory checks; false after a trap.
    bool push(Value value);
    Value pop();
    Value& peek(std::size_t depth) { return m_stack[m_stack.size() - 1 - depth]; }
    bool types_are_ints(std::size_t count);

    Flow step(const Instruction& ins);
    Flow op_stack(const Instruction& ins);
    Flow op_int(const Instruction& ins);
    Flow op_bytes(const Instruction& ins);
    Flow op_control(const Instruction& ins);
    Flow op_call(std::uint16_t callee);
    Flow op_ret();
    Flow op_host(const Instruction& ins);
    Flow check_host_args(const HostSignature& sig);

    const VerifiedPackage& m_package;
    HostInterface& m_host;
    const std::uint64_t m_gas_budget;

    std::vector<Value> m_stack;
    std::vector<Value> m_locals;
    std::vector<Frame> m_frames;
    std::uint64_t m_gas_used = 0;
    std::uint64_t m_steps = 0;
    std::uint64_t m_memory_bytes = 0;
    std::uint64_t m_host_calls = 0;
    std::uint32_t m_current_pc = 0;  // offset of the instruction being run
    std::optional<ExecStatus> m_trap;
    std::uint64_t m_abort_code = 0;
    std::vector<Value> m_returns;
};

}  // namespace remora::executor::vm
