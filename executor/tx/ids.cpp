#include "executor/tx/ids.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/hash.h"
#include "executor/tx/canonical.h"
#include "executor/tx/limits.h"

namespace remora::executor {

ObjectId created_object_id(const common::Digest& tx_digest, std::uint32_t creation_index) {
    Bytes index;
    common::put_be32(index, creation_index);
    return common::blake2b_256({domain_prefix(kCreatedObjectDomain), tx_digest.view(), index});
}

ObjectId dynamic_object_id(const ObjectId& parent, ByteView key) {
    return common::blake2b_256({domain_prefix(kDynamicObjectDomain), parent.view(), key});
}

common::Result<Version> output_version(std::span<const Version> versions_read) {
    Version highest = 0;
    for (Version v : versions_read) {
        if (v >= limits::kVersionMax) {
            return common::Status(common::Code::kInvalidArgument,
                                  "version " + std::to_string(v) +
                                      " read leaves no higher version within the limit of " +
                                      std::to_string(limits::kVersionMax));
        }
        highest = std::max(highest, v);
    }
    // highest < kVersionMax, so the result is at most kVersionMax.
    return highest + 1;
}

common::Result<Version> output_version(const LookupTable& table) {
    std::vector<Version> versions;
    versions.reserve(table.reads.size());
    for (const ObjectRead& read : table.reads) versions.push_back(read.version);
    return output_version(versions);
}

}  // namespace remora::executor
