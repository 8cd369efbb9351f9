// The node's messages (net/node_messages.h): generated values of every message round-trip,
// damaged bodies never decode into a lie, bounds are enforced, and the worked frame example of
// docs/wire_format.md is exactly what the code writes.

#include <catch2/catch.hpp>

#include <random>

#include "common/bytes.h"
#include "net/frame.h"
#include "net/node_messages.h"
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
