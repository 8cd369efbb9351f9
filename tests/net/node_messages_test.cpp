// The node's messages (net/node_messages.h): generated values of every message round-trip,
// damaged bodies never decode into a lie, bounds are enforced, and the worked frame example of
// docs/wire_format.md is exactly what the code writes.

#include <catch2/catch.hpp>

#include <random>

#include "common/bytes.h"
#include "executor/tx/transaction_codec.h"
#include "net/forward_transaction_generated.h"
#include "net/frame.h"
#include "net/node_messages.h"
#include "tests/executor/protocol_support.h"
#include "tests/net/codec_damage.h"

namespace remora::net {
namespace {

common::Bytes random_bytes(std::mt19937_64& rng, std::size_t max) {
    common::Bytes bytes(rng() % (max + 1), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    return bytes;
}

common::Digest random_digest(std::mt19937_64& rng) {
    common::Digest digest;
    for (auto& b : digest.bytes) b = static_cast<std::uint8_t>(rng());
    return digest;
}

template <typename T, typename Encode, typename Decode>
void check_round_trips(const T& value, Encode encode, Decode decode, std::uint64_t seed,
                       std::size_t& decoded_damaged) {
    const common::Bytes bytes = encode(value);
    auto back = decode(bytes);
    INFO(back.status().to_string());
    REQUIRE(back.is_ok());
    CHECK(back.value() == value);
    check_damage_never_lies(bytes, decode, encode, seed, decoded_damaged);
}

TEST_CASE("every node message round-trips and damaged bodies never decode into a lie",
          "[net][codec]") {
    std::mt19937_64 rng(7);
    std::size_t damaged = 0;
    for (std::uint64_t trial = 0; trial < 40; ++trial) {
        SubmitRefused refused{random_digest(rng),
                              static_cast<RefusalReason>(1 + rng() % kRefusalReasonMax),
                              std::string(rng() % 200, 'x')};
        check_round_trips(refused, encode_submit_refused, decode_submit_refused, trial, damaged);
        check_round_trips(Heartbeat{rng()}, encode_heartbeat, decode_heartbeat, trial, damaged);
        check_round_trips(SnapshotRequest{rng() % 1000}, encode_snapshot_request,
                          decode_snapshot_request, trial, damaged);
        SnapshotOffer offer{1 + rng() % 1000, random_bytes(rng, 300)};
        if (offer.manifest.empty()) offer.manifest = "m";
        check_round_trips(offer, encode_snapshot_offer, decode_snapshot_offer, trial, damaged);
        SnapshotChunkRequest request{
            rng(), static_cast<std::uint32_t>(rng()), rng(),
            1 + static_cast<std::uint32_t>(rng() % kSnapshotChunkBytesMax)};
        check_round_trips(request, encode_snapshot_chunk_request, decode_snapshot_chunk_request,
                          trial, damaged);
        SnapshotChunk chunk{rng(), static_cast<std::uint32_t>(rng()), rng(),
                            random_bytes(rng, 2000)};
        check_round_trips(chunk, encode_snapshot_chunk, decode_snapshot_chunk, trial, damaged);
    }
    INFO("damaged bodies that still decoded (and re-encoded faithfully): " << damaged);
    SUCCEED();
}

TEST_CASE("node messages refuse what breaks their bounds", "[net][codec]") {
    // A chunk whose data does not match the XXH3 sent with it.
    common::Bytes chunk = encode_snapshot_chunk({5, 0, 0, "abcdef"});
    const auto at = chunk.find("abcdef");
    REQUIRE(at != common::Bytes::npos);
    chunk[at] = 'X';
    auto bad = decode_snapshot_chunk(chunk);
    REQUIRE_FALSE(bad.is_ok());
    CHECK_THAT(bad.status().message(), Catch::Contains("XXH3"));
    // Chunk requests of 0 bytes or past the chunk limit.
    CHECK_FALSE(decode_snapshot_chunk_request(encode_snapshot_chunk_request({1, 0, 0, 0})).is_ok());
    CHECK_FALSE(decode_snapshot_chunk_request(
                    encode_snapshot_chunk_request({1, 0, 0, kSnapshotChunkBytesMax + 1}))
                    .is_ok());
    // An offer of commit 0 or without a manifest; a refusal without a reason.
    CHECK_FALSE(decode_snapshot_offer(encode_snapshot_offer({0, "m"})).is_ok());
    CHECK_FALSE(decode_snapshot_offer(encode_snapshot_offer({3, ""})).is_ok());
    SubmitRefused no_reason;
    no_reason.reason = static_cast<RefusalReason>(0);
    CHECK_FALSE(decode_submit_refused(encode_submit_refused(no_reason)).is_ok());
    no_reason.reason = static_cast<RefusalReason>(kRefusalReasonMax + 1);
    CHECK_FALSE(decode_submit_refused(encode_submit_refused(no_reason)).is_ok());
    // A body of one message is never read as another (file identifiers).
    CHECK_FALSE(decode_heartbeat(encode_snapshot_request({1})).is_ok());
    CHECK_FALSE(decode_snapshot_request(encode_heartbeat({1})).is_ok());
    // An overlong refusal message is cut to its bound when encoded.
    SubmitRefused chatty{{}, RefusalReason::kInvalid, std::string(5000, 'y')};
    auto cut = decode_submit_refused(encode_submit_refused(chatty));
    REQUIRE(cut.is_ok());
    CHECK(cut->message.size() == kRefusalMessageBytesMax);
}

// Wire version 4: the primary forwards the client's transaction bytes instead of re-encoding them.
TEST_CASE("a forwarded transaction carries the client's bytes verbatim and is decoded in full",
          "[net][codec]") {
    testing::Batches batches = testing::make_batches(testing::protocol_config("mixed", 3), 1, 20);
    std::size_t damaged = 0;
    std::uint64_t seed = 100;
    for (const executor::Transaction& tx : batches.commits[0]) {
        // What a client sends may differ from the primary's own encoding (other vtable layouts,
        // unreferenced bytes): forwarding must not depend on it being re-encodable.
        const common::Bytes submitted = executor::encode_transaction(tx) + std::string(5, '\x7f');
        const common::Bytes body = encode_forward_transaction(submitted);
        const auto* root = flatbuffers::GetRoot<fb::ForwardTransaction>(body.data());
        REQUIRE(root->transaction() != nullptr);
        CHECK(common::ByteView(reinterpret_cast<const char*>(root->transaction()->data()),
                               root->transaction()->size()) == common::ByteView(submitted));
        // 8-byte aligned within the body, so the receiver reads it in place.
        CHECK((reinterpret_cast<const char*>(root->transaction()->data()) - body.data()) % 8 == 0);
        auto back = decode_forward_transaction(body);
        INFO(back.status().to_string());
        REQUIRE(back.is_ok());
        CHECK(back.value() == tx);
        // A body at an odd address (a receiver's buffer) decodes the same.
        const common::Bytes shifted = "x" + body;
        CHECK(decode_forward_transaction(common::ByteView(shifted).substr(1)).value() == tx);
        check_damage_never_lies(
            body, decode_forward_transaction,
            [](const executor::Transaction& t) {
                return encode_forward_transaction(executor::encode_transaction(t));
            },
            seed++, damaged);
    }
    INFO("damaged forwards that still decoded (and re-encoded faithfully): " << damaged);
    SUCCEED();
}

TEST_CASE("a forwarded transaction that is not one is refused naming the field", "[net][codec]") {
    const auto refused = [](const common::Bytes& body) {
        auto decoded = decode_forward_transaction(body);
        REQUIRE_FALSE(decoded.is_ok());
        CHECK(decoded.status().code() == common::Code::kCorruption);
        return decoded.status().message();
    };
    // Another message's body in place of the transaction, and no transaction at all.
    CHECK_THAT(refused(encode_forward_transaction(encode_heartbeat({1}))),
               Catch::StartsWith("forward_transaction.transaction: transaction: wrong file "
                                 "identifier"));
    CHECK_THAT(refused(encode_forward_transaction("")),
               Catch::StartsWith("forward_transaction.transaction: transaction: 0 bytes are "
                                 "too short"));
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(fb::CreateForwardTransaction(fbb), fb::ForwardTransactionIdentifier());
    CHECK(refused(common::Bytes(reinterpret_cast<const char*>(fbb.GetBufferPointer()),
                                fbb.GetSize())) == "forward_transaction.transaction: missing");
    // A transaction that breaks the transaction rules is refused, not forwarded into execution.
    testing::Batches batches = testing::make_batches(testing::protocol_config("mixed", 3), 1, 1);
    executor::Transaction bad = batches.commits[0].at(0);
    bad.authenticators.clear();
    CHECK_THAT(refused(encode_forward_transaction(executor::encode_transaction(bad))),
               Catch::StartsWith("forward_transaction.transaction: "));
    // The body of another message is not a forward (file identifiers).
    CHECK_FALSE(decode_forward_transaction(encode_heartbeat({1})).is_ok());
}

TEST_CASE("the worked frame example of docs/wire_format.md is what the code writes",
          "[net][codec]") {
    const common::Bytes frame =
        encode_frame(static_cast<std::uint16_t>(MessageType::kHeartbeat), encode_heartbeat({42}));
    // Pinned in docs/wire_format.md, "A worked example"; change both together.
    CHECK(common::to_hex(frame) ==
          "00000020"
          "000a"
          "803a77da1835b68a"
          "14000000524e484200000000000006000c000400060000002a00000000000000");
}

}  // namespace
}  // namespace remora::net
