#include <catch2/catch.hpp>

#include "common/bytes.h"

using namespace remora::common;

TEST_CASE("big-endian integers round trip and sort bytewise", "[bytes]") {
    Bytes a, b;
    put_be64(a, 255);
    put_be64(b, 256);
    CHECK(a < b);  // bytewise order equals numeric order
    CHECK(get_be64(a) == 255);
    CHECK(get_be64(b) == 256);
    Bytes c;
    put_be16(c, 0xBEEF);
    put_be32(c, 0x01020304);
    CHECK(to_hex(c) == "beef01020304");
    CHECK(get_be16(c) == 0xBEEF);
    CHECK(get_be32(c, 2) == 0x01020304);
}

TEST_CASE("hex parsing rejects odd lengths and foreign characters", "[bytes]") {
    CHECK(from_hex("00ff").value() == std::string("\x00\xff", 2));
    CHECK(from_hex("ABcd").value() == "\xab\xcd");
    CHECK_FALSE(from_hex("abc"));
    CHECK_FALSE(from_hex("zz"));
    CHECK_FALSE(Hash256::from_hex(std::string(63, 'a')));
    CHECK_FALSE(Hash256::from_hex(std::string(64, 'g')));
    auto h = Hash256::from_hex(std::string(62, '0') + "2a");
    REQUIRE(h);
    CHECK(h->bytes[31] == 0x2a);
    CHECK(h->hex() == std::string(62, '0') + "2a");
    CHECK_FALSE(h->is_zero());
    CHECK(Hash256{}.is_zero());
}
