#include <catch2/catch.hpp>

#include "common/hash.h"
#include "common/random.h"
#include "storage/commit_codec.h"
#include "storage/commit_record_generated.h"
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

namespace {

// The record as FlatBuffers' own CreateVector lays it out: what the store wrote before it
// encoded the record around the body (the bytes on disk must not change).
common::Bytes reference_record(const CommitRecord& record) {
    flatbuffers::FlatBufferBuilder builder;
    std::vector<fb::ObjectRef> refs;
    for (const ObjectRef& w : record.writes) {
        refs.emplace_back(fb::Hash32(flatbuffers::span<const std::uint8_t, 32>(w.id.bytes)),
                          w.version, w.tombstone);
    }
    auto writes = builder.CreateVectorOfStructs(refs);
    auto body = builder.CreateVector(reinterpret_cast<const std::uint8_t*>(record.body.data()),
                                     record.body.size());
    fb::Hash32 digest(flatbuffers::span<const std::uint8_t, 32>(record.state_digest.bytes));
    fb::CommitRecordBuilder rec(builder);
    rec.add_index(record.index);
    rec.add_state_digest(&digest);
    rec.add_live_objects(record.live_objects);
    rec.add_writes(writes);
    rec.add_transactions(record.transactions);
    rec.add_body(body);
    fb::FinishCommitRecordBuffer(builder, rec.Finish());
    return {reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize()};
}

}  // namespace

TEST_CASE("a commit record encoded around its body has the bytes FlatBuffers lays out", "[keys]") {
    common::Xoshiro256StarStar rng(11);
    for (int round = 0; round < 300; ++round) {
        CommitRecord record;
        record.index = rng();
        record.state_digest = id_of(static_cast<std::uint8_t>(rng()));
        record.live_objects = rng();
        record.transactions = static_cast<std::uint32_t>(rng());
        // Every body length modulo the alignments, empty and large ones included.
        const std::size_t body_size =
            round < 40 ? static_cast<std::size_t>(round) : common::below_modulo(rng, 300000);
        record.body.resize(body_size);
        for (char& c : record.body) c = static_cast<char>(rng());
        const std::size_t writes = common::below_modulo(rng, 8);
        for (std::size_t i = 0; i < writes; ++i) {
            record.writes.push_back(
                {id_of(static_cast<std::uint8_t>(rng())), rng(), rng() % 2 == 0});
        }
        INFO("round " << round << ", body " << body_size << " bytes, " << writes << " writes");
        const common::Bytes expected = reference_record(record);
        CHECK(encode_commit_record(record) == expected);
        const CommitRecordParts encoded =
            encode_commit_record_parts(record, record.body, record.writes.size(),
                                       [&record](std::size_t i) { return record.writes[i]; });
        common::Bytes joined;
        for (common::ByteView part : encoded.parts(record.body)) joined.append(part);
        CHECK(joined == expected);
    }
}
