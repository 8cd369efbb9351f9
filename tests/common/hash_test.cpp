#include <catch2/catch.hpp>

#include "common/hash.h"

using namespace remora::common;

TEST_CASE("BLAKE2b-256 matches the reference vector and concatenates parts", "[hash]") {
    // RFC 7693 style known answer: BLAKE2b-256("abc").
    CHECK(blake2b_256(ByteView("abc")).hex() ==
          "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    CHECK(blake2b_256({"a", "bc"}) == blake2b_256(ByteView("abc")));
    CHECK(blake2b_256({"ab", "d"}) != blake2b_256(ByteView("abc")));
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
