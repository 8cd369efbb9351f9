#include "tests/executor/tx_raw.h"

namespace remora::executor::testing {

flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> raw_bytes(
    flatbuffers::FlatBufferBuilder& fbb, const OptionalBytes& bytes) {
    if (!bytes) return 0;
    return fbb.CreateVector(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size());
}

RawObject raw_object(const Object& object) {
    RawObject raw{Bytes(object.id.view()),
                  object.version,
                  static_cast<std::uint8_t>(object.owner.index()),
                  std::nullopt,
                  object.type_tag,
                  object.contents};
    if (const auto* a = std::get_if<OwnedByAddress>(&object.owner))
        raw.owner = Bytes(a->address.view());
    if (const auto* p = std::get_if<OwnedByParent>(&object.owner))
        raw.owner = Bytes(p->parent.view());
    return raw;
}

flatbuffers::Offset<fb::Object> build_raw(flatbuffers::FlatBufferBuilder& fbb, const RawObject& o) {
    auto id = raw_bytes(fbb, o.id);
    auto owner = raw_bytes(fbb, o.owner);
    auto type_tag = raw_bytes(fbb, o.type_tag);
    auto contents = raw_bytes(fbb, o.contents);
    return fb::CreateObject(fbb, id, o.version, static_cast<fb::OwnerKind>(o.owner_kind), owner,
                            type_tag, contents);
}

RawTransaction raw_transaction(const Transaction& tx) {
    RawTransaction raw;
    raw.sender = Bytes(tx.sender.view());
    raw.nonce = tx.nonce;
    for (const Authenticator& a : tx.authenticators) {
        raw.authenticators.push_back({Bytes(a.public_key.view()), Bytes(a.signature.view())});
    }
    for (const InputObject& input : tx.inputs) {
        raw.inputs.push_back(
            {Bytes(input.id.view()), static_cast<std::uint8_t>(input.kind), input.version});
    }
    raw.gas_budget = tx.gas_budget;
    raw.program_kind = static_cast<std::uint8_t>(tx.program.index());
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        raw.package_id = Bytes(call->package_id.view());
        raw.entry_point = call->entry_point;
    } else {
        raw.bytecode = std::get<InlineBytecode>(tx.program).bytecode;
    }
    for (const Value& v : tx.arguments) {
        if (const auto* n = std::get_if<std::uint64_t>(&v)) {
            raw.arguments.push_back({0, *n, std::nullopt});
        } else {
            raw.arguments.push_back({1, 0, std::get<Bytes>(v)});
        }
    }
    return raw;
}

flatbuffers::Offset<fb::Transaction> build_raw(flatbuffers::FlatBufferBuilder& fbb,
                                               const RawTransaction& tx) {
    auto sender = raw_bytes(fbb, tx.sender);
    std::vector<flatbuffers::Offset<fb::Authenticator>> auths;
    for (const RawAuthenticator& a : tx.authenticators) {
        auto key = raw_bytes(fbb, a.public_key);
        auths.push_back(fb::CreateAuthenticator(fbb, key, raw_bytes(fbb, a.signature)));
    }
    auto auth_vector = fbb.CreateVector(auths);
    std::vector<flatbuffers::Offset<fb::InputObject>> inputs;
    for (const RawInput& i : tx.inputs) {
        inputs.push_back(fb::CreateInputObject(fbb, raw_bytes(fbb, i.id),
                                               static_cast<fb::InputKind>(i.kind), i.version));
    }
    auto input_vector = fbb.CreateVector(inputs);
    auto package_id = raw_bytes(fbb, tx.package_id);
    auto entry_point = tx.entry_point ? fbb.CreateString(*tx.entry_point)
                                      : flatbuffers::Offset<flatbuffers::String>();
    auto bytecode = raw_bytes(fbb, tx.bytecode);
    std::vector<flatbuffers::Offset<fb::Value>> args;
    for (const RawValue& v : tx.arguments) {
        args.push_back(fb::CreateValue(fbb, static_cast<fb::ValueKind>(v.kind), v.u64,
                                       raw_bytes(fbb, v.bytes)));
    }
    auto arg_vector = fbb.CreateVector(args);
    return fb::CreateTransaction(fbb, sender, tx.nonce, auth_vector, input_vector, tx.gas_budget,
                                 static_cast<fb::ProgramKind>(tx.program_kind), package_id,
                                 entry_point, bytecode, arg_vector);
}

Bytes encode_raw(const RawObject& object) {
    flatbuffers::FlatBufferBuilder fbb;
    return finish(fbb, build_raw(fbb, object), fb::ObjectIdentifier());
}

Bytes encode_raw(const RawTransaction& tx) {
    flatbuffers::FlatBufferBuilder fbb;
    return finish(fbb, build_raw(fbb, tx), fb::TransactionIdentifier());
}

}  // namespace remora::executor::testing
