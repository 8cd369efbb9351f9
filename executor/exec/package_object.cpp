#include "executor/exec/package_object.h"

#include <string>
#include <variant>

#include "executor/exec/rules.h"
#include "executor/tx/limits.h"
#include "executor/vm/package_codec.h"

namespace remora::executor {

common::Result<Object> make_package_object(const ObjectId& id, Version version,
                                           const vm::Package& package) {
    Bytes encoded = vm::encode_package(package);
    if (encoded.size() > limits::kObjectContentsBytesMax) {
        return common::Status(common::Code::kInvalidArgument,
                              "package: " + std::to_string(encoded.size()) +
                                  " encoded bytes exceed an object's contents limit of " +
                                  std::to_string(limits::kObjectContentsBytesMax));
    }
    return Object{id, version, ImmutableOwner{}, TypeTag(kPackageTypeTag), std::move(encoded)};
}

bool is_package_object(const Object& object) {
    return std::holds_alternative<ImmutableOwner>(object.owner) &&
           object.type_tag == kPackageTypeTag;
}

}  // namespace remora::executor
