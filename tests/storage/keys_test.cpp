#include <catch2/catch.hpp>

#include "common/hash.h"
#include "storage/commit_codec.h"
#include "storage/keys.h"

using namespace remora;
using namespace remora::storage;

namespace {
common::ObjectId id_of(std::uint8_t fill) {
    common::ObjectId id;
    id.bytes.fill(fill);
    return id;
}
}  // namespace

TEST_CASE("object keys are shard, id, big-endian version and sort by version", "[keys]") {
    auto id = id_of(0xAB);
    auto key = object_key(7, id, 0x0102);
    REQUIRE(key.size() == kObjectKeyBytes);
    CHECK(common::to_hex(key.substr(0, 2)) == "0007");
    CHECK(key.substr(2, 32) == std::string(32, '\xAB'));
    CHECK(common::to_hex(key.substr(34)) == "0000000000000102");
    CHECK(object_key(7, id, 255) < object_key(7, id, 256));
    CHECK(key.substr(0, kObjectPrefixBytes) == object_prefix(7, id));

    auto decoded = decode_object_key(key);
    REQUIRE(decoded);
    CHECK(decoded->shard == 7);
    CHECK(decoded->id == id);
    CHECK(decoded->version == 0x0102);
    CHECK_FALSE(decode_object_key(key.substr(1)));
    CHECK_FALSE(decode_object_key(key + "x"));
}

TEST_CASE("shard is XXH3-64 of the id modulo the shard count", "[keys]") {
    auto id = id_of(0x11);
    CHECK(shard_for(id, 16) == common::xxh3_64(id.view()) % 16);
    CHECK(shard_for(id, 1) == 0);
    // Ids spread over shards.
    std::vector<int> seen(16);
    for (int i = 0; i < 256; ++i) ++seen[shard_for(common::blake2b_256(std::to_string(i)), 16)];
    for (int count : seen) CHECK(count > 0);
}

TEST_CASE("commit and transaction encodings", "[keys]") {
    CHECK(common::to_hex(commit_key(1)) == "0000000000000001");
    CHECK(common::to_hex(transaction_value(2, 3)) == "000000000000000200000003");
}

TEST_CASE("commit records round trip and damaged ones are rejected", "[keys]") {
    CommitRecord record;
    record.index = 42;
    record.state_digest = id_of(0x5A);
    record.live_objects = 9;
    record.transactions = 3;
    record.body = "body-bytes";
    record.writes = {{id_of(1), 5, false}, {id_of(2), 6, true}};
    auto bytes = encode_commit_record(record);
    auto decoded = decode_commit_record(bytes);
    REQUIRE(decoded);
    CHECK(decoded->index == 42);
    CHECK(decoded->state_digest == record.state_digest);
    CHECK(decoded->live_objects == 9);
    CHECK(decoded->transactions == 3);
    CHECK(decoded->body == "body-bytes");
    CHECK(decoded->writes == record.writes);

    CHECK(decode_commit_record("").status().code() == common::Code::kCorruption);
    CHECK(decode_commit_record(bytes.substr(0, bytes.size() / 2)).status().code() ==
          common::Code::kCorruption);
    std::string garbage(200, '\x7f');
    CHECK_FALSE(decode_commit_record(garbage));
}
