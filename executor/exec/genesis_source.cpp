#include "executor/exec/genesis_source.h"

#include <algorithm>

namespace remora::executor {

namespace {

// What an object adds to a part's byte count: its contents and type tag, and a fixed allowance
// for the id, version, owner and encoding.
std::size_t part_bytes(const Object& object) {
    constexpr std::size_t kFixed = 128;
    return object.contents.size() + object.type_tag.size() + kFixed;
}

common::Status emit(std::vector<Object>& objects,
                    const std::function<common::Status(std::vector<Object>&)>& part) {
    std::sort(objects.begin(), objects.end(),
              [](const Object& a, const Object& b) { return a.id < b.id; });
    common::Status status = part(objects);
    objects.clear();
    return status;
}

}  // namespace

common::Status genesis_parts(GenesisSource& source,
                             const std::function<common::Status(std::vector<Object>&)>& part) {
    std::vector<Object> objects;
    objects.reserve(
        static_cast<std::size_t>(std::min<std::uint64_t>(source.size(), kGenesisPartObjectsMax)));
    std::size_t bytes = 0;
    bool emitted = false;
    while (auto object = source.next()) {
        const std::size_t size = part_bytes(*object);
        if (!objects.empty() &&
            (objects.size() == kGenesisPartObjectsMax || bytes + size > kGenesisPartBytesMax)) {
            REMORA_RETURN_IF_ERROR(emit(objects, part));
            emitted = true;
            bytes = 0;
        }
        objects.push_back(std::move(*object));
        bytes += size;
    }
    if (!objects.empty() || !emitted) return emit(objects, part);
    return common::Status::ok();
}

}  // namespace remora::executor
