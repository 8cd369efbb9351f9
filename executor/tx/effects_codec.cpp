#include "executor/tx/effects_codec.h"

#include <vector>

#include "executor/effects_generated.h"
#include "executor/tx/fb_effects.h"
#include "executor/tx/fb_io.h"
#include "executor/tx/fb_object.h"

namespace remora::executor {
namespace {

using namespace fb_io;
using ObjectVector = flatbuffers::Vector<flatbuffers::Offset<fb::Object>>;

flatbuffers::Offset<ObjectVector> build_objects(Builder& fbb, const std::vector<Object>& objects) {
    OffsetList<fb::Object> offsets(objects.size());
    for (const Object& object : objects) offsets.push_back(build_object(fbb, object));
    return fbb.offsets(offsets.data(), offsets.size());
}

common::Status read_objects(const ObjectVector* in, const FieldPath& path,
                            std::vector<Object>& out) {
    out.clear();
    if (in == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(check_count(in->size(), path, limits::kEffectsObjectsMax));
    out.resize(in->size());
    for (flatbuffers::uoffset_t i = 0; i < in->size(); ++i) {
        REMORA_RETURN_IF_ERROR(read_object(in->Get(i), FieldPath(path, i), out[i]));
    }
    return common::Status::ok();
}

common::Status read_deleted(const fb::Effects* in, std::vector<DeletedObject>& out) {
    out.clear();
    const auto* deleted = in->deleted();
    if (deleted == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(
        check_count(deleted->size(), "effects.deleted", limits::kEffectsObjectsMax));
    out.resize(deleted->size());
    const FieldPath list("effects.deleted");
    for (flatbuffers::uoffset_t i = 0; i < deleted->size(); ++i) {
        const FieldPath field(list, i);
        REMORA_RETURN_IF_ERROR(
            read_fixed(deleted->Get(i)->id(), FieldPath(field, ".id"), out[i].id.bytes));
        out[i].version = deleted->Get(i)->version();
    }
    return common::Status::ok();
}

common::Status read_events(const fb::Effects* in, std::vector<Event>& out) {
    out.clear();
    const auto* events = in->events();
    if (events == nullptr) return common::Status::ok();
    REMORA_RETURN_IF_ERROR(check_count(events->size(), "effects.events", limits::kEventsMax));
    out.resize(events->size());
    const FieldPath list("effects.events");
    for (flatbuffers::uoffset_t i = 0; i < events->size(); ++i) {
        const FieldPath field(list, i);
        REMORA_RETURN_IF_ERROR(read_bytes(events->Get(i)->type_tag(), FieldPath(field, ".type_tag"),
                                          limits::kTypeTagBytesMax, out[i].type_tag));
        REMORA_RETURN_IF_ERROR(read_bytes(events->Get(i)->data(), FieldPath(field, ".data"),
                                          limits::kEventBytesMax, out[i].data));
    }
    return common::Status::ok();
}

}  // namespace

namespace fb_io {

void finish_effects(Builder& fbb, const Effects& e) {
    fbb.Clear();
    auto tx_digest = fbb.bytes(e.tx_digest.bytes);
    auto detail = fbb.CreateString(e.status.detail);
    auto written = build_objects(fbb, e.written);
    auto created = build_objects(fbb, e.created);
    OffsetList<fb::DeletedObject> deleted(e.deleted.size());
    for (const DeletedObject& d : e.deleted) {
        // The order of fb::CreateDeletedObject's add_ calls.
        auto id = fbb.bytes(d.id.bytes);
        deleted.push_back(flatbuffers::Offset<fb::DeletedObject>(
            fbb.table({Builder::scalar(fb::DeletedObject::VT_VERSION, d.version),
                       Builder::offset(fb::DeletedObject::VT_ID, id)})));
    }
    auto deleted_vector = fbb.offsets(deleted.data(), deleted.size());
    OffsetList<fb::Event> events(e.events.size());
    for (const Event& event : e.events) {
        auto type_tag = fbb.bytes(event.type_tag);
        auto data = fbb.bytes(event.data);
        // The order of fb::CreateEvent's add_ calls.
        events.push_back(flatbuffers::Offset<fb::Event>(
            fbb.table({Builder::offset(fb::Event::VT_DATA, data),
                       Builder::offset(fb::Event::VT_TYPE_TAG, type_tag)})));
    }
    auto event_vector = fbb.offsets(events.data(), events.size());
    // The order of fb::CreateEffects's add_ calls.
    using T = fb::Effects;
    auto root = fbb.table({
        Builder::scalar(T::VT_GAS_USED, e.gas_used),
        Builder::scalar(T::VT_ABORT_VALUE, e.status.abort_value),
        Builder::offset(T::VT_EVENTS, event_vector),
        Builder::offset(T::VT_DELETED, deleted_vector),
        Builder::offset(T::VT_CREATED, created),
        Builder::offset(T::VT_WRITTEN, written),
        Builder::offset(T::VT_ABORT_DETAIL, detail),
        Builder::offset(T::VT_TX_DIGEST, tx_digest),
        Builder::scalar(T::VT_ABORT_CODE, static_cast<std::uint16_t>(e.status.code)),
    });
    fbb.Finish(flatbuffers::Offset<T>(root), fb::EffectsIdentifier());
}

}  // namespace fb_io

Bytes encode_effects(const Effects& e) {
    fb_io::Builder fbb(1024);
    fb_io::finish_effects(fbb, e);
    return finish_bytes(fbb);
}

common::Result<Effects> decode_effects(ByteView bytes) {
    auto buffer = VerifiedBuffer::open<fb::Effects>(bytes, "effects", fb::EffectsIdentifier(),
                                                    limits::kEffectsEncodedBytesMax);
    if (!buffer) return buffer.status();
    const auto* in = buffer->root<fb::Effects>();
    Effects e;
    REMORA_RETURN_IF_ERROR(read_fixed(in->tx_digest(), "effects.tx_digest", e.tx_digest.bytes));
    REMORA_RETURN_IF_ERROR(check_enum(in->abort_code(), "effects.abort_code", kAbortCodeMax));
    e.status.code = static_cast<AbortCode>(in->abort_code());
    e.status.abort_value = in->abort_value();
    REMORA_RETURN_IF_ERROR(read_string(in->abort_detail(), "effects.abort_detail",
                                       limits::kAbortDetailBytesMax, e.status.detail));
    e.gas_used = in->gas_used();
    REMORA_RETURN_IF_ERROR(read_objects(in->written(), "effects.written", e.written));
    REMORA_RETURN_IF_ERROR(read_objects(in->created(), "effects.created", e.created));
    REMORA_RETURN_IF_ERROR(read_deleted(in, e.deleted));
    REMORA_RETURN_IF_ERROR(read_events(in, e.events));
    REMORA_RETURN_IF_ERROR(as_corrupt(validate_effects(e)));
    return e;
}

}  // namespace remora::executor
