#pragma once
// Internal to the codecs: Effects as a FlatBuffer built in the caller's builder.

#include <flatbuffers/flatbuffers.h>

#include "executor/tx/effects.h"
#include "executor/tx/fb_io.h"

namespace remora::executor::fb_io {

// Clears `fbb` and finishes in it exactly the bytes encode_effects(effects) returns: a caller
// that encodes many effects reuses one builder's memory instead of allocating per call.
void finish_effects(Builder& fbb, const Effects& effects);

}  // namespace remora::executor::fb_io
