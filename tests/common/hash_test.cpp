#include <catch2/catch.hpp>

#include <sodium.h>

#include <random>
#include <string>

#include "common/blake2b.h"
#include "common/hash.h"

using namespace remora::common;

TEST_CASE("BLAKE2b-256 matches the reference vector and concatenates parts", "[hash]") {
    // RFC 7693 style known answer: BLAKE2b-256("abc").
    CHECK(blake2b_256(ByteView("abc")).hex() ==
          "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    CHECK(blake2b_256({"a", "bc"}) == blake2b_256(ByteView("abc")));
    CHECK(blake2b_256({"ab", "d"}) != blake2b_256(ByteView("abc")));
}

namespace {

Hash256 libsodium_blake2b_256(ByteView data) {
    Hash256 out;
    crypto_generichash(out.bytes.data(), out.bytes.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr,
                       0);
    return out;
}

}  // namespace

TEST_CASE("our BLAKE2b-256 equals libsodium's on every length and split", "[hash]") {
    std::mt19937_64 rng(7);
    std::string data(1200, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    // Every length across several block boundaries (0, 127, 128, 129, 256, ...), whole.
    for (std::size_t n = 0; n <= 700; ++n) {
        INFO("length " << n);
        REQUIRE(blake2b_256(ByteView(data).substr(0, n)) ==
                libsodium_blake2b_256(ByteView(data).substr(0, n)));
    }
    // Random splits into up to five parts, including empty ones and splits on block edges.
    for (int trial = 0; trial < 300; ++trial) {
        std::size_t n = rng() % data.size();
        ByteView all = ByteView(data).substr(0, n);
        Blake2b256 hasher;
        std::size_t at = 0;
        for (int part = 0; part < 4 && at < n; ++part) {
            std::size_t len =
                trial % 3 == 0 ? std::min<std::size_t>(128, n - at) : rng() % (n - at + 1);
            hasher.update(all.substr(at, len));
            at += len;
        }
        hasher.update(all.substr(at));
        INFO("trial " << trial << " length " << n);
        REQUIRE(hasher.finish() == libsodium_blake2b_256(all));
    }
    // libsodium's dispatched implementation (after sodium_init) gives the same digests.
    REQUIRE(sodium_init() >= 0);
    CHECK(blake2b_256(ByteView(data)) == libsodium_blake2b_256(ByteView(data)));
}

TEST_CASE("XXH3-64 streaming equals one-shot", "[hash]") {
    std::string data(10000, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
    Xxh3Stream stream;
    stream.update(ByteView(data).substr(0, 4097));
    stream.update(ByteView(data).substr(4097));
    CHECK(stream.digest() == xxh3_64(data));
    CHECK(xxh3_64("a") != xxh3_64("b"));
}
