#include "executor/vm/verifier.h"

#include <string>
#include <vector>

#include "executor/vm/host_functions.h"
#include "executor/vm/limits.h"
#include "executor/vm/opcode.h"

namespace remora::executor::vm {
namespace {

using common::Code;
using common::Status;

constexpr std::int32_t kUnvisited = -1;

// Verifies one function's code (verifier.h lists the rules).
class FunctionVerifier {
public:
    FunctionVerifier(const Package& package, std::size_t index)
        : m_package(package), m_function(package.functions[index]) {}

    Status run() {
        REMORA_RETURN_IF_ERROR(decode_all());
        REMORA_RETURN_IF_ERROR(check_targets());
        return check_stack();
    }
    std::uint32_t max_stack() const { return m_max_stack; }

private:
    Status fail(std::uint32_t offset, const std::string& message) const {
        return Status(Code::kVerificationFailed, "function '" + m_function.name + "' offset " +
                                                     std::to_string(offset) + ": " + message);
    }

    // Pass 1: linear decoding and the range checks of every immediate.
    Status decode_all() {
        const Bytes& code = m_function.code;
        m_index_at.assign(code.size(), -1);
        for (std::size_t offset = 0; offset < code.size();) {
            DecodeResult decoded = decode_instruction(code, offset);
            auto at = static_cast<std::uint32_t>(offset);
            if (!decoded.instruction) {
                if (decoded.error == DecodeError::kUnknownOpcode) {
                    return fail(at, "unknown opcode 0x" + common::to_hex(code.substr(offset, 1)));
                }
                return fail(at, "truncated immediate");
            }
            REMORA_RETURN_IF_ERROR(check_immediate(*decoded.instruction));
            m_index_at[offset] = static_cast<std::int32_t>(m_instructions.size());
            m_instructions.push_back(*decoded.instruction);
            offset += decoded.instruction->size;
        }
        return Status::ok();
    }

    Status check_immediate(const Instruction& ins) const {
        std::uint64_t v = ins.immediate;
        switch (ins.info->operand) {
            case Operand::kConstant:
                if (v >= m_package.constants.size()) {
                    return fail(ins.offset, "constant #" + std::to_string(v) + " out of range");
                }
                break;
            case Operand::kLocal:
                if (v >= m_function.slot_count()) {
                    return fail(ins.offset, "local " + std::to_string(v) + " out of range (" +
                                                std::to_string(m_function.slot_count()) +
                                                " slots)");
                }
                break;
            case Operand::kFunction:
                if (v >= m_package.functions.size()) {
                    return fail(ins.offset, "call to unknown function #" + std::to_string(v));
                }
                break;
            case Operand::kHost:
                if (host_signature(static_cast<std::uint8_t>(v)) == nullptr) {
                    return fail(ins.offset, "unknown host function " + std::to_string(v));
                }
                break;
            case Operand::kDepth:
                if (v >= limits::kFrameStackMax) {
                    return fail(ins.offset, "pick depth " + std::to_string(v) + " too deep");
                }
                break;
            case Operand::kTarget:  // checked once every instruction start is known
            case Operand::kInt:
            case Operand::kNone:
                break;
        }
        return Status::ok();
    }

    Status check_targets() const {
        for (const Instruction& ins : m_instructions) {
            if (ins.info->operand != Operand::kTarget) continue;
            if (ins.immediate >= m_function.code.size()) {
                return fail(ins.offset, "jump target " + std::to_string(ins.immediate) +
                                            " outside the function");
            }
            if (m_index_at[ins.immediate] < 0) {
                return fail(ins.offset, "jump target " + std::to_string(ins.immediate) +
                                            " is inside an instruction");
            }
        }
        return Status::ok();
    }

    // Stack effect of one instruction: values it needs, values it leaves after popping.
    void stack_effect(const Instruction& ins, std::uint32_t& needs, std::uint32_t& pops,
                      std::uint32_t& pushes) const {
        needs = pops = ins.info->pops;
        pushes = ins.info->pushes;
        switch (ins.info->opcode) {
            case Opcode::kPick:
                needs = static_cast<std::uint32_t>(ins.immediate) + 1;
                break;
            case Opcode::kCall: {
                const Function& callee = m_package.functions[ins.immediate];
                needs = pops = callee.arg_count;
                pushes = callee.return_count;
                break;
            }
            case Opcode::kHost: {
                const HostSignature* sig = host_signature(static_cast<std::uint8_t>(ins.immediate));
                needs = pops = sig->arg_count;
                pushes = sig->result_count;
                break;
            }
            case Opcode::kRet:
                needs = pops = m_function.return_count;
                break;
            default:
                break;
        }
    }

    // Pass 2: abstract interpretation of stack heights along every path from offset 0.
    Status check_stack() {
        std::vector<std::int32_t> height(m_instructions.size(), kUnvisited);
        std::vector<std::size_t> work;
        height[0] = 0;
        work.push_back(0);
        while (!work.empty()) {
            std::size_t i = work.back();
            work.pop_back();
            const Instruction& ins = m_instructions[i];
            auto h = static_cast<std::uint32_t>(height[i]);
            std::uint32_t needs = 0, pops = 0, pushes = 0;
            stack_effect(ins, needs, pops, pushes);
            if (ins.info->opcode == Opcode::kRet && h != m_function.return_count) {
                return fail(ins.offset, "ret with stack height " + std::to_string(h) +
                                            ", function returns " +
                                            std::to_string(m_function.return_count));
            }
            if (h < needs) {
                return fail(ins.offset, std::string(ins.info->mnemonic) + " needs " +
                                            std::to_string(needs) + " values, stack has " +
                                            std::to_string(h));
            }
            std::uint32_t after = h - pops + pushes;
            if (after > limits::kFrameStackMax) {
                return fail(ins.offset, "stack height " + std::to_string(after) +
                                            " exceeds the limit " +
                                            std::to_string(limits::kFrameStackMax));
            }
            if (after > m_max_stack) m_max_stack = after;
            if (!ins.info->terminal) {
                std::uint32_t next = ins.offset + ins.size;
                if (next >= m_function.code.size()) {
                    return fail(ins.offset, "control falls off the end of the function");
                }
                REMORA_RETURN_IF_ERROR(
                    merge(ins, static_cast<std::size_t>(m_index_at[next]), after, height, work));
            }
            if (ins.info->operand == Operand::kTarget) {
                auto target = static_cast<std::size_t>(m_index_at[ins.immediate]);
                REMORA_RETURN_IF_ERROR(merge(ins, target, after, height, work));
            }
        }
        return Status::ok();
    }

    Status merge(const Instruction& from, std::size_t to, std::uint32_t h,
                 std::vector<std::int32_t>& height, std::vector<std::size_t>& work) const {
        if (height[to] == kUnvisited) {
            height[to] = static_cast<std::int32_t>(h);
            work.push_back(to);
            return Status::ok();
        }
        if (height[to] != static_cast<std::int32_t>(h)) {
            return fail(from.offset, "reaches offset " + std::to_string(m_instructions[to].offset) +
                                         " with stack height " + std::to_string(h) +
                                         ", another path arrives with " +
                                         std::to_string(height[to]));
        }
        return Status::ok();
    }

    const Package& m_package;
    const Function& m_function;
    std::vector<Instruction> m_instructions;
    std::vector<std::int32_t> m_index_at;  // instruction index per code offset, -1 inside one
    std::uint32_t m_max_stack = 0;
};

}  // namespace

common::Result<VerifiedPackage> Verifier::verify(Package package) {
    REMORA_RETURN_IF_ERROR(check_package_shape(package));
    std::vector<std::uint32_t> max_stack;
    max_stack.reserve(package.functions.size());
    for (std::size_t i = 0; i < package.functions.size(); ++i) {
        FunctionVerifier verifier(package, i);
        REMORA_RETURN_IF_ERROR(verifier.run());
        max_stack.push_back(verifier.max_stack());
    }
    return VerifiedPackage(std::move(package), std::move(max_stack));
}

}  // namespace remora::executor::vm
