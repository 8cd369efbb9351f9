#include "executor/tx/lookup_table_codec.h"

#include <cstring>
#include <vector>

#include "executor/lookup_table_generated.h"
#include "executor/tx/fb_io.h"

namespace remora::executor {
namespace {

using namespace fb_io;

common::Status read_reads(const fb::LookupTable* in, std::vector<ObjectRead>& out) {
    const auto* reads = in->reads();
    if (reads == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(
        check_count(reads->size(), "lookup_table.reads", limits::kLookupReadsMax));
    out.resize(reads->size());
    const FieldPath list("lookup_table.reads");
    for (flatbuffers::uoffset_t i = 0; i < reads->size(); ++i) {
        const FieldPath field(list, i);
        const fb::ObjectRead* read = reads->Get(i);
        REMORA_RETURN_IF_ERROR(read_fixed(read->id(), FieldPath(field, ".id"), out[i].id.bytes));
        REMORA_RETURN_IF_ERROR(check_enum(static_cast<unsigned>(read->kind()),
                                          FieldPath(field, ".kind"),
                                          static_cast<unsigned>(fb::ReadKind::MAX)));
        out[i].kind = static_cast<ObjectRead::Kind>(read->kind());
        out[i].exists = read->exists();
        out[i].version = read->version();
    }
    return common::Status::ok();
}

common::Status read_checks(const fb::LookupTable* in, std::vector<AuthenticatorCheck>& out) {
    const auto* checks = in->authenticators();
    if (checks == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(
        check_count(checks->size(), "lookup_table.authenticators", limits::kAuthenticatorsMax));
    out.resize(checks->size());
    const FieldPath list("lookup_table.authenticators");
    for (flatbuffers::uoffset_t i = 0; i < checks->size(); ++i) {
        const FieldPath field(list, i);
        const fb::AuthenticatorCheck* check = checks->Get(i);
        REMORA_RETURN_IF_ERROR(read_fixed(check->public_key(), FieldPath(field, ".public_key"),
                                          out[i].public_key.bytes));
        REMORA_RETURN_IF_ERROR(
            read_fixed(check->signature(), FieldPath(field, ".signature"), out[i].signature.bytes));
        REMORA_RETURN_IF_ERROR(check_enum(static_cast<unsigned>(check->status()),
                                          FieldPath(field, ".status"),
                                          static_cast<unsigned>(fb::AuthenticatorStatus::MAX)));
        out[i].status = static_cast<AuthenticatorStatus>(check->status());
    }
    return common::Status::ok();
}

common::Status read_calls(const fb::LookupTable* in, std::vector<PrecompileCall>& out) {
    const auto* calls = in->precompile_calls();
    if (calls == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(
        check_count(calls->size(), "lookup_table.precompile_calls", limits::kPrecompileCallsMax));
    out.resize(calls->size());
    const FieldPath list("lookup_table.precompile_calls");
    for (flatbuffers::uoffset_t i = 0; i < calls->size(); ++i) {
        const FieldPath field(list, i);
        const fb::PrecompileCall* call = calls->Get(i);
        out[i].function_id = call->function_id();
        REMORA_RETURN_IF_ERROR(read_fixed(call->input_hash(), FieldPath(field, ".input_hash"),
                                          out[i].input_hash.bytes));
        REMORA_RETURN_IF_ERROR(read_bytes(call->output(), FieldPath(field, ".output"),
                                          limits::kPrecompileOutputBytesMax, out[i].output));
    }
    return common::Status::ok();
}

common::Status read_dynamic(const fb::LookupTable* in, std::vector<ObjectId>& out) {
    const auto* ids = in->dynamic_objects();
    if (ids == nullptr) return common::Status::ok();
    if (ids->size() % limits::kHashBytes != 0) {
        return corrupt("lookup_table.dynamic_objects: " + std::to_string(ids->size()) +
                       " bytes are not a whole number of 32-byte ids");
    }
    std::size_t count = ids->size() / limits::kHashBytes;
    REMORA_RETURN_IF_ERROR(
        check_count(count, "lookup_table.dynamic_objects", limits::kDynamicObjectsMax));
    out.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::memcpy(out[i].bytes.data(), ids->data() + i * limits::kHashBytes, limits::kHashBytes);
    }
    return common::Status::ok();
}

}  // namespace

Bytes encode_lookup_table(const LookupTable& t) {
    flatbuffers::FlatBufferBuilder fbb(1024);
    auto tx_digest = make_bytes(fbb, t.tx_digest.bytes);
    std::vector<flatbuffers::Offset<fb::ObjectRead>> reads;
    for (const ObjectRead& r : t.reads) {
        reads.push_back(fb::CreateObjectRead(fbb, make_bytes(fbb, r.id.bytes),
                                             static_cast<fb::ReadKind>(r.kind), r.exists,
                                             r.version));
    }
    auto read_vector = fbb.CreateVector(reads);
    std::vector<flatbuffers::Offset<fb::AuthenticatorCheck>> checks;
    for (const AuthenticatorCheck& c : t.authenticators) {
        auto key = make_bytes(fbb, c.public_key.bytes);
        auto sig = make_bytes(fbb, c.signature.bytes);
        checks.push_back(fb::CreateAuthenticatorCheck(
            fbb, key, sig, static_cast<fb::AuthenticatorStatus>(c.status)));
    }
    auto check_vector = fbb.CreateVector(checks);
    std::vector<flatbuffers::Offset<fb::PrecompileCall>> calls;
    for (const PrecompileCall& c : t.precompile_calls) {
        auto hash = make_bytes(fbb, c.input_hash.bytes);
        calls.push_back(
            fb::CreatePrecompileCall(fbb, c.function_id, hash, make_bytes(fbb, c.output)));
    }
    auto call_vector = fbb.CreateVector(calls);
    Bytes dynamic;
    for (const ObjectId& id : t.dynamic_objects) dynamic.append(id.view());
    auto dynamic_vector = make_bytes(fbb, dynamic);
    fbb.Finish(fb::CreateLookupTable(fbb, tx_digest, read_vector, check_vector, t.sender_matches,
                                     call_vector, dynamic_vector),
               fb::LookupTableIdentifier());
    return finish_bytes(fbb);
}

common::Result<LookupTable> decode_lookup_table(ByteView bytes) {
    auto buffer = VerifiedBuffer::open<fb::LookupTable>(
        bytes, "lookup_table", fb::LookupTableIdentifier(), limits::kLookupTableEncodedBytesMax);
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::LookupTable>();
    LookupTable t;
    REMORA_RETURN_IF_ERROR(
        read_fixed(in->tx_digest(), "lookup_table.tx_digest", t.tx_digest.bytes));
    REMORA_RETURN_IF_ERROR(read_reads(in, t.reads));
    REMORA_RETURN_IF_ERROR(read_checks(in, t.authenticators));
    t.sender_matches = in->sender_matches();
    REMORA_RETURN_IF_ERROR(read_calls(in, t.precompile_calls));
    REMORA_RETURN_IF_ERROR(read_dynamic(in, t.dynamic_objects));
    REMORA_RETURN_IF_ERROR(as_corrupt(validate_lookup_table(t)));
    return t;
}

}  // namespace remora::executor
