// The `host` instruction (machine.h): validation, gas and the call through HostInterface.

#include "common/status.h"
#include "executor/vm/limits.h"
#include "executor/vm/machine.h"

namespace remora::executor::vm {
namespace {

bool kind_matches(const Value& v, ValueKind kind) {
    return kind == ValueKind::kInt ? v.is_int() : v.is_bytes();
}

bool within(const Value& v, const HostParam& param) {
    std::uint64_t measure = v.is_int() ? v.as_int() : v.as_bytes().size();
    return measure >= param.min && measure <= param.max;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
    return a != 0 && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

}  // namespace

Machine::Flow Machine::op_host(const Instruction& ins) {
    const HostSignature* sig = host_signature(static_cast<std::uint8_t>(ins.immediate));
    REMORA_ASSERT(sig != nullptr);  // the verifier rejects unknown ids
    const std::size_t argc = sig->arg_count;
    std::span<const Value> args(m_stack.data() + m_stack.size() - argc, argc);

    std::uint64_t input_bytes = 0;
    for (std::size_t i = 0; i < argc; ++i) {
        if (!kind_matches(args[i], sig->args[i].kind)) return trap(ExecStatus::kTypeMismatch);
        input_bytes += args[i].memory_bytes();
    }
    std::uint64_t cost = saturating_add(
        sig->gas_base, saturating_mul(sig->gas_per_input_word, gas_words(input_bytes)));
    if (sig->function == HostFunction::kIteratedHash) {
        cost = saturating_add(cost, saturating_mul(sig->gas_per_round, args[1].as_int()));
    }
    if (!charge(cost)) return Flow::kStop;
    for (std::size_t i = 0; i < argc; ++i) {
        if (!within(args[i], sig->args[i])) return trap(ExecStatus::kHostArgumentInvalid);
    }
    if (m_host_calls == limits::kHostCallsMax) return trap(ExecStatus::kHostCallLimit);
    ++m_host_calls;

    HostResult<std::optional<Value>> result = dispatch_host_call(m_host, sig->function, args);
    if (!result.is_ok()) return trap(ExecStatus::kHostError, result.error_code());
    std::optional<Value>& value = result.value();
    REMORA_ASSERT(value.has_value() == (sig->result_count == 1));
    if (value) {
        REMORA_ASSERT(kind_matches(*value, sig->result.kind));
        if (value->memory_bytes() > limits::kBytesLengthMax) {
            return trap(ExecStatus::kBytesTooLong);
        }
        REMORA_ASSERT(within(*value, sig->result));  // hosts return well-formed values
        if (!charge(saturating_mul(sig->gas_per_output_word, gas_words(value->memory_bytes())))) {
            return Flow::kStop;
        }
    }
    for (std::size_t i = 0; i < argc; ++i) pop();
    if (value && !push(std::move(*value))) return Flow::kStop;
    return Flow::kNext;
}

}  // namespace remora::executor::vm
