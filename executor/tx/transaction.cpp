#include "executor/tx/transaction.h"

#include <algorithm>

#include "common/hash.h"
#include "executor/tx/canonical.h"
#include "executor/tx/field_path.h"
#include "executor/tx/limits.h"

namespace remora::executor {
namespace {

// Precedes the expiry in the canonical bytes (docs/transactions.md).
constexpr std::uint8_t kTransactionExpiryTag = 0x01;

common::Status invalid(const std::string& message) {
    return {common::Code::kInvalidArgument, "transaction." + message};
}

bool is_identifier(const std::string& name) {
    if (name.empty()) return false;
    auto letter = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    };
    if (!letter(name[0])) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

common::Status validate_inputs(const std::vector<InputObject>& inputs) {
    if (inputs.size() > limits::kInputsMax) {
        return invalid("inputs: " + std::to_string(inputs.size()) + " inputs exceed the limit of " +
                       std::to_string(limits::kInputsMax));
    }
    std::vector<ObjectId> ids;
    ids.reserve(inputs.size());
    const FieldPath list("inputs");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const InputObject& input = inputs[i];
        const FieldPath field(list, i);
        if (input.kind != InputObject::Kind::kOwned && input.kind != InputObject::Kind::kShared) {
            return invalid(field.str() + ".kind: unknown input kind " +
                           std::to_string(static_cast<int>(input.kind)));
        }
        if (input.kind == InputObject::Kind::kOwned &&
            (input.version == 0 || input.version > limits::kVersionMax)) {
            return invalid(field.str() + ".version: owned input version " +
                           std::to_string(input.version) + " is outside 1.." +
                           std::to_string(limits::kVersionMax));
        }
        if (input.kind == InputObject::Kind::kShared && input.version != 0) {
            return invalid(field.str() + ".version: a shared input carries no version (got " +
                           std::to_string(input.version) + ")");
        }
        ids.push_back(input.id);
    }
    std::sort(ids.begin(), ids.end());
    auto dup = std::adjacent_find(ids.begin(), ids.end());
    if (dup != ids.end()) return invalid("inputs: object " + dup->hex() + " is declared twice");
    return common::Status::ok();
}

common::Status validate_program(const Program& program) {
    if (const auto* call = std::get_if<PackageCall>(&program)) {
        if (call->entry_point.size() > limits::kEntryPointBytesMax) {
            return invalid("entry_point: " + std::to_string(call->entry_point.size()) +
                           " bytes exceed the limit of " +
                           std::to_string(limits::kEntryPointBytesMax));
        }
        if (!is_identifier(call->entry_point)) {
            return invalid("entry_point: \"" + common::to_hex(call->entry_point) +
                           "\" (hex) is not an identifier [A-Za-z_][A-Za-z0-9_]*");
        }
        return common::Status::ok();
    }
    const auto& code = std::get<InlineBytecode>(program).bytecode;
    if (code.empty()) return invalid("bytecode: inline bytecode is empty");
    if (code.size() > limits::kInlineBytecodeBytesMax) {
        return invalid("bytecode: " + std::to_string(code.size()) + " bytes exceed the limit of " +
                       std::to_string(limits::kInlineBytecodeBytesMax));
    }
    return common::Status::ok();
}

common::Status validate_arguments(const std::vector<Value>& arguments) {
    if (arguments.size() > limits::kArgumentsMax) {
        return invalid("arguments: " + std::to_string(arguments.size()) +
                       " arguments exceed the limit of " + std::to_string(limits::kArgumentsMax));
    }
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const auto* bytes = std::get_if<Bytes>(&arguments[i]);
        if (bytes != nullptr && bytes->size() > limits::kArgumentBytesMax) {
            return invalid("arguments[" + std::to_string(i) +
                           "]: " + std::to_string(bytes->size()) + " bytes exceed the limit of " +
                           std::to_string(limits::kArgumentBytesMax));
        }
    }
    return common::Status::ok();
}

}  // namespace

common::Status validate_transaction(const Transaction& tx) {
    if (tx.authenticators.empty()) return invalid("authenticators: at least one is required");
    if (tx.authenticators.size() > limits::kAuthenticatorsMax) {
        return invalid("authenticators: " + std::to_string(tx.authenticators.size()) +
                       " authenticators exceed the limit of " +
                       std::to_string(limits::kAuthenticatorsMax));
    }
    REMORA_RETURN_IF_ERROR(validate_inputs(tx.inputs));
    REMORA_RETURN_IF_ERROR(validate_program(tx.program));
    return validate_arguments(tx.arguments);
}

Bytes canonical_transaction_bytes(const Transaction& tx) {
    std::size_t expected = 128 + 41 * tx.inputs.size();
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        expected += call->entry_point.size();
    } else {
        expected += std::get<InlineBytecode>(tx.program).bytecode.size();
    }
    for (const Value& value : tx.arguments) {
        const auto* b = std::get_if<Bytes>(&value);
        expected += 9 + (b != nullptr ? b->size() : 0);
    }
    CanonicalWriter w(kTransactionDomain, expected);
    w.hash(tx.sender);
    w.u64(tx.nonce);
    w.u64(tx.gas_budget);
    w.count(tx.inputs.size());
    for (const InputObject& input : tx.inputs) {
        w.hash(input.id);
        w.u8(static_cast<std::uint8_t>(input.kind));
        if (input.kind == InputObject::Kind::kOwned) w.u64(input.version);
    }
    w.u8(static_cast<std::uint8_t>(tx.program.index()));
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        w.hash(call->package_id);
        w.bytes(call->entry_point);
    } else {
        w.bytes(std::get<InlineBytecode>(tx.program).bytecode);
    }
    w.count(tx.arguments.size());
    for (const Value& value : tx.arguments) {
        w.u8(static_cast<std::uint8_t>(value.index()));
        if (const auto* n = std::get_if<std::uint64_t>(&value)) {
            w.u64(*n);
        } else {
            w.bytes(std::get<Bytes>(value));
        }
    }
    // An extension: present only with an expiry, so a transaction without one keeps the bytes
    // (and the digest) it had before expiries existed.
    if (tx.expiry != 0) {
        w.u8(kTransactionExpiryTag);
        w.u64(tx.expiry);
    }
    return w.take();
}

Digest transaction_digest(const Transaction& tx) {
    return common::blake2b_256(canonical_transaction_bytes(tx));
}

}  // namespace remora::executor
