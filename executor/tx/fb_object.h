#pragma once
// Internal to the codecs: an Object as a table inside a larger FlatBuffer.

#include <string>

#include "executor/object_generated.h"
#include "executor/tx/fb_io.h"
#include "executor/tx/field_path.h"
#include "executor/tx/object.h"

namespace remora::executor::fb_io {

flatbuffers::Offset<fb::Object> build_object(Builder& fbb, const Object& object);

// REQUIRES: the enclosing buffer passed its verifier. `path` names the table in errors.
common::Status read_object(const fb::Object* in, const FieldPath& path, Object& out);

}  // namespace remora::executor::fb_io
