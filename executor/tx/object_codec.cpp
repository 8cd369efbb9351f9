#include "executor/tx/object_codec.h"

#include "executor/tx/fb_io.h"
#include "executor/tx/fb_object.h"

namespace remora::executor {
namespace fb_io {

flatbuffers::Offset<fb::Object> build_object(Builder& fbb, const Object& object) {
    auto id = fbb.bytes(object.id.bytes);
    flatbuffers::Offset<ByteVector> owner;
    if (const auto* a = std::get_if<OwnedByAddress>(&object.owner)) {
        owner = fbb.bytes(a->address.bytes);
    } else if (const auto* p = std::get_if<OwnedByParent>(&object.owner)) {
        owner = fbb.bytes(p->parent.bytes);
    }
    auto type_tag = fbb.bytes(object.type_tag);
    auto contents = fbb.bytes(object.contents);
    // The order of the add_ calls this table has always been built with (the bytes depend on
    // it).
    using T = fb::Object;
    return flatbuffers::Offset<T>(fbb.table({
        Builder::offset(T::VT_ID, id),
        Builder::scalar(T::VT_VERSION, object.version),
        Builder::scalar(T::VT_OWNER_KIND, static_cast<std::uint8_t>(object.owner.index())),
        Builder::offset(T::VT_OWNER, owner),
        Builder::offset(T::VT_TYPE_TAG, type_tag),
        Builder::offset(T::VT_CONTENTS, contents),
    }));
}

common::Status read_object(const fb::Object* in, const FieldPath& path, Object& out) {
    if (in == nullptr) return corrupt(path.str() + ": missing");
    REMORA_RETURN_IF_ERROR(read_fixed(in->id(), FieldPath(path, ".id"), out.id.bytes));
    out.version = in->version();
    auto kind = static_cast<unsigned>(in->owner_kind());
    REMORA_RETURN_IF_ERROR(check_enum(kind, FieldPath(path, ".owner_kind"),
                                      static_cast<unsigned>(fb::OwnerKind::MAX)));
    const bool has_id = kind == static_cast<unsigned>(fb::OwnerKind::Address) ||
                        kind == static_cast<unsigned>(fb::OwnerKind::Parent);
    Hash256 owner_id;
    if (has_id) {
        REMORA_RETURN_IF_ERROR(read_fixed(in->owner(), FieldPath(path, ".owner"), owner_id.bytes));
    } else if (in->owner() != nullptr) {
        return corrupt(path.str() + ".owner: present, but an owner of kind " +
                       fb::EnumNameOwnerKind(in->owner_kind()) + " has no id");
    }
    switch (in->owner_kind()) {
        case fb::OwnerKind::Address:
            out.owner = OwnedByAddress{owner_id};
            break;
        case fb::OwnerKind::Shared:
            out.owner = SharedOwner{};
            break;
        case fb::OwnerKind::Parent:
            out.owner = OwnedByParent{owner_id};
            break;
        case fb::OwnerKind::Immutable:
            out.owner = ImmutableOwner{};
            break;
    }
    REMORA_RETURN_IF_ERROR(read_bytes(in->type_tag(), FieldPath(path, ".type_tag"),
                                      limits::kTypeTagBytesMax, out.type_tag));
    REMORA_RETURN_IF_ERROR(read_bytes(in->contents(), FieldPath(path, ".contents"),
                                      limits::kObjectContentsBytesMax, out.contents));
    return as_corrupt(validate_object(out, path));
}

}  // namespace fb_io

Bytes encode_object(const Object& object) {
    // One builder per thread, cleared per call: a commit encodes every object it writes (the
    // store's payloads), and a fresh builder allocated and freed its buffer each time. The bytes
    // do not depend on the builder's capacity; it keeps at most one largest object's.
    thread_local fb_io::Builder fbb(1024);
    fbb.Clear();
    fbb.Finish(fb_io::build_object(fbb, object), fb::ObjectIdentifier());
    return fb_io::finish_bytes(fbb);
}

common::Result<Object> decode_object(ByteView bytes) {
    auto buffer = fb_io::VerifiedBuffer::open<fb::Object>(bytes, "object", fb::ObjectIdentifier(),
                                                          limits::kObjectEncodedBytesMax);
    if (!buffer) return buffer.status();
    Object object;
    REMORA_RETURN_IF_ERROR(fb_io::read_object(buffer->root<fb::Object>(), "object", object));
    return object;
}

}  // namespace remora::executor
