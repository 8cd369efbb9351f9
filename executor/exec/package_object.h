#pragma once
// Published packages: a package is an object of the state, immutable, with the type tag
// kPackageTypeTag and an encoded VM package (executor/vm/package_codec.h) as its contents.
// A transaction calls one with a PackageCall naming its object id and an entry point.

#include "common/status.h"
#include "executor/tx/object.h"
#include "executor/vm/package.h"

namespace remora::executor {

// The object that publishes `package` at `id` and `version` (genesis uses version 1).
// Fails (InvalidArgument) when the encoded package does not fit an object's contents
// (limits::kObjectContentsBytesMax).
common::Result<Object> make_package_object(const ObjectId& id, Version version,
                                           const vm::Package& package);

// True when `object` has the shape of a published package: immutable, kPackageTypeTag.
bool is_package_object(const Object& object);

}  // namespace remora::executor
