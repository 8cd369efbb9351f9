// Framing (net/frame.h): round trips through any chunking, the length limit enforced from the
// header alone, and no damaged frame ever decoded as another.

#include <catch2/catch.hpp>

#include <random>

#include "net/frame.h"
#include "net/limits.h"

namespace remora::net {
namespace {

common::Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    common::Bytes out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

// Feeds `stream` in random pieces and collects every frame; stops at the first error.
common::Result<std::vector<Frame>> decode_all(common::ByteView stream, std::mt19937_64& rng) {
    FrameDecoder decoder;
    std::vector<Frame> frames;
    std::size_t at = 0;
    while (at < stream.size()) {
        const std::size_t piece = std::min<std::size_t>(1 + rng() % 97, stream.size() - at);
        REMORA_RETURN_IF_ERROR(decoder.feed(stream.substr(at, piece)));
        at += piece;
        for (;;) {
            auto frame = decoder.next();
            if (!frame) return frame.status();
            if (!frame.value()) break;
            frames.push_back(std::move(*frame.value()));
        }
    }
    if (decoder.buffered() != 0) {
        return common::Status{common::Code::kCorruption, "bytes left over"};
    }
    return frames;
}

TEST_CASE("frames round-trip through any chunking of the stream", "[net][frame]") {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        INFO("seed " << seed);
        std::mt19937_64 rng(seed);
        std::vector<Frame> sent;
        common::Bytes stream;
        const std::size_t count = 1 + rng() % 20;
        for (std::size_t i = 0; i < count; ++i) {
            Frame frame{static_cast<std::uint16_t>(rng()), random_bytes(rng, rng() % 700)};
            stream += encode_frame(frame.type, frame.body);
            sent.push_back(std::move(frame));
        }
        auto received = decode_all(stream, rng);
        REQUIRE(received.is_ok());
        CHECK(received.value() == sent);
    }
}

TEST_CASE("a frame longer than the limit is refused from its header alone", "[net][frame]") {
    common::Bytes header;
    common::put_be32(header, limits::kFrameBodyBytesMax + 1);
    common::put_be16(header, 2);
    common::put_be64(header, 0);
    FrameDecoder decoder;
    REQUIRE(decoder.feed(header).is_ok());
    auto next = decoder.next();
    REQUIRE_FALSE(next.is_ok());
    CHECK(next.status().code() == common::Code::kCorruption);
    CHECK_THAT(next.status().message(), Catch::Contains("exceeds the limit"));
    CHECK(decoder.failed());
    CHECK(decoder.buffered() == 0);  // nothing kept for it
    // A failed stream stays failed: framing cannot be recovered.
    CHECK_FALSE(decoder.feed(encode_frame(1, "x")).is_ok());
    CHECK_FALSE(decoder.next().is_ok());
}

TEST_CASE("a decoder refuses to buffer more than one frame's worth", "[net][frame]") {
    FrameDecoder decoder;
    common::Bytes header;
    common::put_be32(header, limits::kFrameBodyBytesMax);
    common::put_be16(header, 2);
    common::put_be64(header, 0);
    REQUIRE(decoder.feed(header).is_ok());
    const common::Bytes chunk(1 << 20, 'z');
    common::Status fed;
    std::size_t chunks = 0;
    while (fed.is_ok() && chunks < 200) {
        fed = decoder.feed(chunk);
        ++chunks;
    }
    CHECK_FALSE(fed.is_ok());
    CHECK(chunks <= limits::kDecoderBufferBytesMax / chunk.size() + 2);
}

TEST_CASE("no flipped bit makes a frame decode as another frame", "[net][frame]") {
    std::mt19937_64 rng(7);
    const Frame original{2, random_bytes(rng, 40)};
    const common::Bytes bytes = encode_frame(original.type, original.body);
    std::size_t refused = 0;
    for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        common::Bytes damaged = bytes;
        damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
        FrameDecoder decoder;
        REQUIRE(decoder.feed(damaged).is_ok());
        auto next = decoder.next();
        if (!next) {
            ++refused;
            continue;
        }
        // A flipped length bit may only leave the decoder waiting for more bytes.
        CHECK_FALSE(next.value().has_value());
        CHECK(bit < 32);
    }
    CHECK(refused >= (bytes.size() - 4) * 8);
}

}  // namespace
}  // namespace remora::net
