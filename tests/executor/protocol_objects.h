#pragma once
// Small objects and effects for the protocol engines' unit tests: an id filled with one byte, a
// shared object with that id, and effects that write a list of objects.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "executor/tx/effects.h"
#include "executor/tx/object.h"

namespace remora::testing {

inline executor::ObjectId id_of(std::uint8_t n) {
    executor::ObjectId id;
    id.bytes.fill(n);
    return id;
}

inline executor::Object object_of(std::uint8_t n, executor::Version version,
                                  std::size_t contents_bytes = 8) {
    return executor::Object{id_of(n), version, executor::SharedOwner{}, "t",
                            executor::Bytes(contents_bytes, 'x')};
}

inline executor::Effects writes(std::uint8_t tx, std::vector<executor::Object> written) {
    executor::Effects effects;
    effects.tx_digest = id_of(tx);
    effects.written = std::move(written);
    return effects;
}

}  // namespace remora::testing
