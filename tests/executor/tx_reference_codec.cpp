#include "tests/executor/tx_reference_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <vector>

#include "executor/commit_body_generated.h"
#include "executor/effects_generated.h"
#include "executor/object_generated.h"
#include "executor/sequential/commit_body.h"
#include "executor/transaction_generated.h"

namespace remora::testing {

using namespace remora::executor;

namespace {

using Builder = flatbuffers::FlatBufferBuilder;
using ByteVector = flatbuffers::Vector<std::uint8_t>;

flatbuffers::Offset<ByteVector> bytes(Builder& fbb, common::ByteView view) {
    return fbb.CreateVector(reinterpret_cast<const std::uint8_t*>(view.data()), view.size());
}
template <std::size_t N>
flatbuffers::Offset<ByteVector> bytes(Builder& fbb, const std::array<std::uint8_t, N>& array) {
    return fbb.CreateVector(array.data(), N);
}
common::Bytes finished(const Builder& fbb) {
    return {reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize()};
}

flatbuffers::Offset<fb::Object> object_table(Builder& fbb, const Object& object) {
    auto id = bytes(fbb, object.id.bytes);
    flatbuffers::Offset<ByteVector> owner;
    if (const auto* a = std::get_if<OwnedByAddress>(&object.owner)) {
        owner = bytes(fbb, a->address.bytes);
    } else if (const auto* p = std::get_if<OwnedByParent>(&object.owner)) {
        owner = bytes(fbb, p->parent.bytes);
    }
    auto type_tag = bytes(fbb, object.type_tag);
    auto contents = bytes(fbb, object.contents);
    fb::ObjectBuilder b(fbb);
    b.add_id(id);
    b.add_version(object.version);
    b.add_owner_kind(static_cast<fb::OwnerKind>(object.owner.index()));
    if (!owner.IsNull()) b.add_owner(owner);
    b.add_type_tag(type_tag);
    b.add_contents(contents);
    return b.Finish();
}

flatbuffers::Offset<fb::Value> value_table(Builder& fbb, const Value& value) {
    if (const auto* n = std::get_if<std::uint64_t>(&value)) {
        return fb::CreateValue(fbb, fb::ValueKind::U64, *n);
    }
    return fb::CreateValue(fbb, fb::ValueKind::Bytes, 0, bytes(fbb, std::get<Bytes>(value)));
}

flatbuffers::Offset<fb::Transaction> transaction_table(Builder& fbb, const Transaction& tx) {
    auto sender = bytes(fbb, tx.sender.bytes);
    std::vector<flatbuffers::Offset<fb::Authenticator>> auths;
    for (const Authenticator& a : tx.authenticators) {
        auto key = bytes(fbb, a.public_key.bytes);
        auto sig = bytes(fbb, a.signature.bytes);
        auths.push_back(fb::CreateAuthenticator(fbb, key, sig));
    }
    auto auth_vector = fbb.CreateVector(auths);
    std::vector<flatbuffers::Offset<fb::InputObject>> inputs;
    for (const InputObject& input : tx.inputs) {
        inputs.push_back(fb::CreateInputObject(fbb, bytes(fbb, input.id.bytes),
                                               static_cast<fb::InputKind>(input.kind),
                                               input.version));
    }
    auto input_vector = fbb.CreateVector(inputs);
    flatbuffers::Offset<ByteVector> package_id, bytecode;
    flatbuffers::Offset<flatbuffers::String> entry_point;
    if (const auto* call = std::get_if<PackageCall>(&tx.program)) {
        package_id = bytes(fbb, call->package_id.bytes);
        entry_point = fbb.CreateString(call->entry_point);
    } else {
        bytecode = bytes(fbb, std::get<InlineBytecode>(tx.program).bytecode);
    }
    std::vector<flatbuffers::Offset<fb::Value>> args;
    for (const Value& value : tx.arguments) args.push_back(value_table(fbb, value));
    auto arg_vector = fbb.CreateVector(args);
    return fb::CreateTransaction(fbb, sender, tx.nonce, auth_vector, input_vector, tx.gas_budget,
                                 static_cast<fb::ProgramKind>(tx.program.index()), package_id,
                                 entry_point, bytecode, arg_vector, tx.expiry);
}

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Object>>> object_tables(
    Builder& fbb, const std::vector<Object>& objects) {
    std::vector<flatbuffers::Offset<fb::Object>> offsets;
    for (const Object& object : objects) offsets.push_back(object_table(fbb, object));
    return fbb.CreateVector(offsets);
}

}  // namespace

common::Bytes reference_encode_object(const Object& object) {
    Builder fbb(1024);
    fbb.Finish(object_table(fbb, object), fb::ObjectIdentifier());
    return finished(fbb);
}

common::Bytes reference_encode_transaction(const Transaction& tx) {
    Builder fbb(1024);
    fbb.Finish(transaction_table(fbb, tx), fb::TransactionIdentifier());
    return finished(fbb);
}

common::Bytes reference_encode_effects(const Effects& e) {
    Builder fbb(1024);
    auto tx_digest = bytes(fbb, e.tx_digest.bytes);
    auto detail = fbb.CreateString(e.status.detail);
    auto written = object_tables(fbb, e.written);
    auto created = object_tables(fbb, e.created);
    std::vector<flatbuffers::Offset<fb::DeletedObject>> deleted;
    for (const DeletedObject& d : e.deleted) {
        deleted.push_back(fb::CreateDeletedObject(fbb, bytes(fbb, d.id.bytes), d.version));
    }
    auto deleted_vector = fbb.CreateVector(deleted);
    std::vector<flatbuffers::Offset<fb::Event>> events;
    for (const Event& event : e.events) {
        auto type_tag = bytes(fbb, event.type_tag);
        events.push_back(fb::CreateEvent(fbb, type_tag, bytes(fbb, event.data)));
    }
    auto event_vector = fbb.CreateVector(events);
    auto root = fb::CreateEffects(fbb, tx_digest, static_cast<std::uint16_t>(e.status.code),
                                  e.status.abort_value, detail, e.gas_used, written, created,
                                  deleted_vector, event_vector);
    fbb.Finish(root, fb::EffectsIdentifier());
    return finished(fbb);
}

common::Bytes reference_encode_commit_body(std::span<const Transaction* const> transactions,
                                           std::span<const Effects> effects,
                                           const ExecutorIdentity& identity) {
    Builder fbb(1024);
    std::vector<flatbuffers::Offset<fb::CommittedTx>> entries;
    for (std::size_t i = 0; i < transactions.size(); ++i) {
        auto tx = bytes(fbb, reference_encode_transaction(*transactions[i]));
        auto fx = bytes(fbb, reference_encode_effects(effects[i]));
        entries.push_back(fb::CreateCommittedTx(fbb, tx, fx));
    }
    auto entry_vector = fbb.CreateVector(entries);
    auto identity_bytes = bytes(fbb, identity.digest.bytes);
    fb::CommitBodyBuilder root(fbb);
    root.add_format_version(kCommitBodyFormatVersion);
    root.add_transactions(entry_vector);
    root.add_rules_version(identity.rules_version);
    root.add_executor_identity(identity_bytes);
    fb::FinishCommitBodyBuffer(fbb, root.Finish());
    return finished(fbb);
}

}  // namespace remora::testing
