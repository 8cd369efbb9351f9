#include "executor/exec/precompile_log.h"

#include <optional>

#include "common/hash.h"
#include "executor/exec/rules.h"
#include "executor/tx/limits.h"
#include "executor/vm/precompiles.h"

namespace remora::executor {
namespace {

// The value a recorded output stands for, if it is one `function` can return.
std::optional<vm::Value> decode_output(vm::HostFunction function, common::ByteView output) {
    const vm::HostSignature* sig = vm::host_signature(static_cast<std::uint8_t>(function));
    REMORA_ASSERT(sig != nullptr && sig->result_count == 1);
    const vm::HostParam& param = sig->result;
    if (param.kind == vm::ValueKind::kBytes) {
        if (output.size() < param.min || output.size() > param.max) return std::nullopt;
        return vm::Value::bytes(common::Bytes(output));
    }
    if (output.size() != 8) return std::nullopt;
    std::uint64_t v = common::get_be64(output);
    if (v < param.min || v > param.max) return std::nullopt;
    return vm::Value::integer(v);
}

}  // namespace

common::Bytes encode_precompile_output(const vm::Value& value) {
    if (value.is_bytes()) return value.as_bytes();
    common::Bytes out;
    common::put_be64(out, value.as_int());
    return out;
}

vm::HostResult<vm::Value> PrecompileLog::call(vm::HostFunction function,
                                              std::span<const vm::Value> args) {
    if (m_calls.size() == limits::kPrecompileCallsMax) {
        return vm::HostError{tx_host_error::kTooManyPrecompileCalls};
    }
    const auto function_id = static_cast<std::uint32_t>(function);
    const Hash256 input_hash = common::blake2b_256(vm::precompile_input(function, args));
    std::optional<vm::Value> result;
    if (m_hints != nullptr) {
        // The first matching record wins, so that duplicates in a table cannot make the
        // choice depend on anything but the table's order.
        for (const PrecompileCall& hint : m_hints->precompile_calls) {
            if (hint.function_id != function_id || hint.input_hash != input_hash) continue;
            result = decode_output(function, hint.output);
            break;
        }
        if (result) ++m_replayed;
    }
    if (!result) result = vm::run_precompile(function, args);
    common::Bytes output = encode_precompile_output(*result);
    REMORA_ASSERT(output.size() <= limits::kPrecompileOutputBytesMax);
    m_calls.push_back(PrecompileCall{function_id, input_hash, std::move(output)});
    return std::move(*result);
}

}  // namespace remora::executor
