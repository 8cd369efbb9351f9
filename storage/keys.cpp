#include "storage/keys.h"

#include "common/hash.h"
#include "common/status.h"

namespace remora::storage {

std::uint32_t shard_for(const common::ObjectId& id, std::uint32_t shard_count) {
    REMORA_ASSERT(shard_count > 0 && shard_count <= common::limits::kShardCountMax);
    return static_cast<std::uint32_t>(common::xxh3_64(id.view()) % shard_count);
}

common::Bytes object_prefix(std::uint32_t shard, const common::ObjectId& id) {
    common::Bytes key;
    key.reserve(kObjectKeyBytes);
    common::put_be16(key, static_cast<std::uint16_t>(shard));
    key.append(id.view());
    return key;
}

common::Bytes object_key(std::uint32_t shard, const common::ObjectId& id, common::Version version) {
    common::Bytes key = object_prefix(shard, id);
    common::put_be64(key, version);
    return key;
}

std::optional<DecodedObjectKey> decode_object_key(std::string_view key) {
    if (key.size() != kObjectKeyBytes) return std::nullopt;
    DecodedObjectKey out;
    out.shard = common::get_be16(key, 0);
    out.id = common::ObjectId::from_bytes(key.substr(2, 32));
    out.version = common::get_be64(key, kObjectPrefixBytes);
    return out;
}

common::Bytes commit_key(common::CommitIndex index) {
    common::Bytes key;
    common::put_be64(key, index);
    return key;
}

common::Bytes transaction_value(common::CommitIndex index, std::uint32_t position) {
    common::Bytes value;
    common::put_be64(value, index);
    common::put_be32(value, position);
    return value;
}

}  // namespace remora::storage
