#include "executor/tx/transaction_codec.h"

#include <vector>

#include "executor/tx/fb_io.h"
#include "executor/tx/fb_transaction.h"

namespace remora::executor {
namespace fb_io {
namespace {

using AuthenticatorVector = flatbuffers::Vector<flatbuffers::Offset<fb::Authenticator>>;
using InputVector = flatbuffers::Vector<flatbuffers::Offset<fb::InputObject>>;
using ValueVector = flatbuffers::Vector<flatbuffers::Offset<fb::Value>>;

flatbuffers::Offset<fb::Value> build_value(Builder& fbb, const Value& value) {
    // The order of fb::CreateValue's add_ calls.
    using T = fb::Value;
    if (const auto* n = std::get_if<std::uint64_t>(&value)) {
        return flatbuffers::Offset<T>(fbb.table(
            {Builder::scalar(T::VT_U64, *n), Builder::scalar(T::VT_KIND, fb::ValueKind::U64)}));
    }
    auto bytes = fbb.bytes(std::get<Bytes>(value));
    return flatbuffers::Offset<T>(fbb.table(
        {Builder::offset(T::VT_BYTES, bytes), Builder::scalar(T::VT_KIND, fb::ValueKind::Bytes)}));
}

common::Status read_authenticators(const AuthenticatorVector* in, const FieldPath& path,
                                   std::vector<Authenticator>& out) {
    out.clear();
    if (in == nullptr) return common::Status::ok();  // validate_transaction reports "none"
    REMORA_RETURN_IF_ERROR(check_count(in->size(), path, limits::kAuthenticatorsMax));
    out.reserve(in->size());
    for (flatbuffers::uoffset_t i = 0; i < in->size(); ++i) {
        const FieldPath field(path, i);
        Authenticator auth;
        REMORA_RETURN_IF_ERROR(read_fixed(in->Get(i)->public_key(), FieldPath(field, ".public_key"),
                                          auth.public_key.bytes));
        REMORA_RETURN_IF_ERROR(read_fixed(in->Get(i)->signature(), FieldPath(field, ".signature"),
                                          auth.signature.bytes));
        out.push_back(auth);
    }
    return common::Status::ok();
}

common::Status read_inputs(const InputVector* in, const FieldPath& path,
                           std::vector<InputObject>& out) {
    out.clear();
    if (in == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(check_count(in->size(), path, limits::kInputsMax));
    out.reserve(in->size());
    for (flatbuffers::uoffset_t i = 0; i < in->size(); ++i) {
        const FieldPath field(path, i);
        const fb::InputObject* input = in->Get(i);
        InputObject decoded;
        REMORA_RETURN_IF_ERROR(read_fixed(input->id(), FieldPath(field, ".id"), decoded.id.bytes));
        auto kind = static_cast<unsigned>(input->kind());
        REMORA_RETURN_IF_ERROR(
            check_enum(kind, FieldPath(field, ".kind"), static_cast<unsigned>(fb::InputKind::MAX)));
        decoded.kind = static_cast<InputObject::Kind>(kind);
        decoded.version = input->version();
        out.push_back(decoded);
    }
    return common::Status::ok();
}

common::Status read_program(const fb::Transaction* in, const FieldPath& path, Program& out) {
    auto kind = static_cast<unsigned>(in->program_kind());
    REMORA_RETURN_IF_ERROR(check_enum(kind, FieldPath(path, ".program_kind"),
                                      static_cast<unsigned>(fb::ProgramKind::MAX)));
    if (in->program_kind() == fb::ProgramKind::Package) {
        if (in->bytecode() != nullptr) {
            return corrupt(path.str() + ".bytecode: present, but the program is a package call");
        }
        PackageCall call;
        REMORA_RETURN_IF_ERROR(
            read_fixed(in->package_id(), FieldPath(path, ".package_id"), call.package_id.bytes));
        REMORA_RETURN_IF_ERROR(read_string(in->entry_point(), FieldPath(path, ".entry_point"),
                                           limits::kEntryPointBytesMax, call.entry_point));
        out = std::move(call);
        return common::Status::ok();
    }
    if (in->package_id() != nullptr || in->entry_point() != nullptr) {
        return corrupt(path.str() + ".package_id/entry_point: present, but the program is inline");
    }
    InlineBytecode code;
    REMORA_RETURN_IF_ERROR(read_bytes(in->bytecode(), FieldPath(path, ".bytecode"),
                                      limits::kInlineBytecodeBytesMax, code.bytecode));
    out = std::move(code);
    return common::Status::ok();
}

common::Status read_arguments(const ValueVector* in, const FieldPath& path,
                              std::vector<Value>& out) {
    out.clear();
    if (in == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(check_count(in->size(), path, limits::kArgumentsMax));
    out.reserve(in->size());
    for (flatbuffers::uoffset_t i = 0; i < in->size(); ++i) {
        const FieldPath field(path, i);
        const fb::Value* value = in->Get(i);
        REMORA_RETURN_IF_ERROR(check_enum(static_cast<unsigned>(value->kind()),
                                          FieldPath(field, ".kind"),
                                          static_cast<unsigned>(fb::ValueKind::MAX)));
        if (value->kind() == fb::ValueKind::U64) {
            if (value->bytes() != nullptr) {
                return corrupt(field.str() + ".bytes: present in a u64 value");
            }
            out.emplace_back(value->u64());
            continue;
        }
        if (value->u64() != 0) return corrupt(field.str() + ".u64: non-zero in a bytes value");
        Bytes bytes;
        REMORA_RETURN_IF_ERROR(read_bytes(value->bytes(), FieldPath(field, ".bytes"),
                                          limits::kArgumentBytesMax, bytes));
        out.emplace_back(std::move(bytes));
    }
    return common::Status::ok();
}

}  // namespace

flatbuffers::Offset<fb::Transaction> build_transaction(Builder& fbb, const Transaction& tx) {
    auto sender = fbb.bytes(tx.sender.bytes);
    OffsetList<fb::Authenticator> auths(tx.authenticators.size());
    for (const Authenticator& a : tx.authenticators) {
        auto key = fbb.bytes(a.public_key.bytes);
        auto sig = fbb.bytes(a.signature.bytes);
        // The order of fb::CreateAuthenticator's add_ calls.
        auths.push_back(flatbuffers::Offset<fb::Authenticator>(
            fbb.table({Builder::offset(fb::Authenticator::VT_SIGNATURE, sig),
                       Builder::offset(fb::Authenticator::VT_PUBLIC_KEY, key)})));
    }
    auto auth_vector = fbb.offsets(auths.data(), auths.size());
    OffsetList<fb::InputObject> inputs(tx.inputs.size());
    for (const InputObject& input : tx.inputs) {
        // The order of fb::CreateInputObject's add_ calls.
        using T = fb::InputObject;
        auto id = fbb.bytes(input.id.bytes);
        inputs.push_back(flatbuffers::Offset<T>(
            fbb.table({Builder::scalar(T::VT_VERSION, input.version), Builder::offset(T::VT_ID, id),
                       Builder::scalar(T::VT_KIND, static_cast<std::uint8_t>(input.kind))})));
    }
    auto input_vector = fbb.offsets(inputs.data(), inputs.size());
    flatbuffers::Offset<ByteVector> package_id, bytecode;
    flatbuffers::Offset<flatbuffers::String> entry_point;
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        package_id = fbb.bytes(call->package_id.bytes);
        entry_point = fbb.CreateString(call->entry_point);
    } else {
        bytecode = fbb.bytes(std::get<InlineBytecode>(tx.program).bytecode);
    }
    OffsetList<fb::Value> args(tx.arguments.size());
    for (const Value& value : tx.arguments) args.push_back(build_value(fbb, value));
    auto arg_vector = fbb.offsets(args.data(), args.size());
    // The order of fb::CreateTransaction's add_ calls.
    using T = fb::Transaction;
    return flatbuffers::Offset<T>(fbb.table({
        Builder::scalar(T::VT_EXPIRY, tx.expiry),
        Builder::scalar(T::VT_GAS_BUDGET, tx.gas_budget),
        Builder::scalar(T::VT_NONCE, tx.nonce),
        Builder::offset(T::VT_ARGUMENTS, arg_vector),
        Builder::offset(T::VT_BYTECODE, bytecode),
        Builder::offset(T::VT_ENTRY_POINT, entry_point),
        Builder::offset(T::VT_PACKAGE_ID, package_id),
        Builder::offset(T::VT_INPUTS, input_vector),
        Builder::offset(T::VT_AUTHENTICATORS, auth_vector),
        Builder::offset(T::VT_SENDER, sender),
        Builder::scalar(T::VT_PROGRAM_KIND, static_cast<std::uint8_t>(tx.program.index())),
    }));
}

common::Status read_transaction(const fb::Transaction* in, const FieldPath& path,
                                Transaction& out) {
    if (in == nullptr) return corrupt(path.str() + ": missing");
    REMORA_RETURN_IF_ERROR(read_fixed(in->sender(), FieldPath(path, ".sender"), out.sender.bytes));
    out.nonce = in->nonce();
    REMORA_RETURN_IF_ERROR(read_authenticators(
        in->authenticators(), FieldPath(path, ".authenticators"), out.authenticators));
    REMORA_RETURN_IF_ERROR(read_inputs(in->inputs(), FieldPath(path, ".inputs"), out.inputs));
    out.gas_budget = in->gas_budget();
    REMORA_RETURN_IF_ERROR(read_program(in, path, out.program));
    REMORA_RETURN_IF_ERROR(
        read_arguments(in->arguments(), FieldPath(path, ".arguments"), out.arguments));
    out.expiry = in->expiry();
    common::Status valid = validate_transaction(out);
    if (valid.is_ok()) return valid;
    const std::string name = path.str();
    if (name != "transaction") valid = valid.with_context(name);
    return as_corrupt(valid);
}

void finish_transaction(Builder& fbb, const Transaction& tx) {
    fbb.Clear();
    fbb.Finish(build_transaction(fbb, tx), fb::TransactionIdentifier());
}

}  // namespace fb_io

Bytes encode_transaction(const Transaction& tx) {
    fb_io::Builder fbb(1024);
    fb_io::finish_transaction(fbb, tx);
    return fb_io::finish_bytes(fbb);
}

common::Result<Transaction> decode_transaction(ByteView bytes) {
    auto buffer = fb_io::VerifiedBuffer::open<fb::Transaction>(
        bytes, "transaction", fb::TransactionIdentifier(), limits::kTransactionEncodedBytesMax);
    if (!buffer) return buffer.status();
    Transaction tx;
    REMORA_RETURN_IF_ERROR(
        fb_io::read_transaction(buffer->root<fb::Transaction>(), "transaction", tx));
    return tx;
}

}  // namespace remora::executor
