#include "executor/tx/object.h"

#include "common/hash.h"
#include "executor/tx/canonical.h"
#include "executor/tx/limits.h"

namespace remora::executor {

common::Status validate_object(const Object& object, const FieldPath& field) {
    if (object.version == 0 || object.version > limits::kVersionMax) {
        return {common::Code::kInvalidArgument,
                field.str() + ".version: " + std::to_string(object.version) + " is outside 1.." +
                    std::to_string(limits::kVersionMax)};
    }
    if (object.type_tag.size() > limits::kTypeTagBytesMax) {
        return {common::Code::kInvalidArgument,
                field.str() + ".type_tag: " + std::to_string(object.type_tag.size()) +
                    " bytes exceed the limit of " + std::to_string(limits::kTypeTagBytesMax)};
    }
    if (object.contents.size() > limits::kObjectContentsBytesMax) {
        return {common::Code::kInvalidArgument,
                field.str() + ".contents: " + std::to_string(object.contents.size()) +
                    " bytes exceed the limit of " +
                    std::to_string(limits::kObjectContentsBytesMax)};
    }
    return common::Status::ok();
}

void append_canonical_object(Bytes& out, const Object& object) {
    // Written in place (no nested writer): this runs for every object of every effects digest.
    out.append(object.id.view());
    common::put_be64(out, object.version);
    out.push_back(static_cast<char>(object.owner.index()));
    if (const auto* a = std::get_if<OwnedByAddress>(&object.owner)) out.append(a->address.view());
    if (const auto* p = std::get_if<OwnedByParent>(&object.owner)) out.append(p->parent.view());
    common::put_be32(out, static_cast<std::uint32_t>(object.type_tag.size()));
    out.append(object.type_tag);
    common::put_be32(out, static_cast<std::uint32_t>(object.contents.size()));
    out.append(object.contents);
}

Bytes canonical_object_bytes(const Object& object) {
    Bytes out = domain_prefix(kObjectDomain);
    append_canonical_object(out, object);
    return out;
}

Hash256 object_digest(const Object& object) {
    return common::blake2b_256(canonical_object_bytes(object));
}

}  // namespace remora::executor
