#include <catch2/catch.hpp>
#include <compare>
#include <cstring>
#include <random>
#include <vector>

#include "common/bytes.h"
#include "common/keyed_hash.h"

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

// Hash256's inline operators order ids as RocksDB does (bytewise, memcmp) and find equality
// exactly: random pairs that share a random prefix, so that every word position decides.
TEST_CASE("Hash256 compares as memcmp whichever byte differs", "[bytes]") {
    std::mt19937_64 rng(20261207);
    auto sign = [](int v) { return (v > 0) - (v < 0); };
    for (int trial = 0; trial < 20000; ++trial) {
        Hash256 a;
        for (auto& b : a.bytes) b = static_cast<std::uint8_t>(rng());
        Hash256 b = a;
        const std::size_t shared = rng() % 33;  // 32: equal
        for (std::size_t i = shared; i < 32; ++i) b.bytes[i] = static_cast<std::uint8_t>(rng());
        if (shared < 32 && rng() % 4 == 0) b.bytes[shared] = a.bytes[shared] ^ 0x80;  // high bit
        const int expected = sign(std::memcmp(a.bytes.data(), b.bytes.data(), 32));
        INFO("trial " << trial << ": " << a.hex() << " vs " << b.hex());
        const auto order = a <=> b;
        REQUIRE((std::is_lt(order) ? -1 : (std::is_gt(order) ? 1 : 0)) == expected);
        REQUIRE((a == b) == (expected == 0));
        REQUIRE((a < b) == (expected < 0));
        REQUIRE((b < a) == (expected > 0));
    }
}

TEST_CASE("the keyed id hash spreads ids that share their first word", "[bytes]") {
    // Ids alike in their first eight bytes all land in one bucket under Hash256Hasher; a
    // sender can grind such ids. The keyed hash must spread them, under any key.
    std::mt19937_64 rng(5);
    for (std::uint64_t key : {std::uint64_t{1}, std::uint64_t{0xDEADBEEF}, rng()}) {
        const KeyedHash256 hash(key);
        constexpr std::size_t kBuckets = 64;
        constexpr std::size_t kIds = kBuckets * 200;
        std::vector<std::size_t> count(kBuckets);
        for (std::size_t i = 0; i < kIds; ++i) {
            Hash256 id;
            id.bytes.fill(0xAB);  // the first word (and everything else) shared...
            const std::uint64_t word = rng();
            std::memcpy(id.bytes.data() + 8, &word, sizeof word);  // ...but the second
            ++count[hash(id) % kBuckets];
        }
        // 200 expected per bucket; a hash that ignored the second word puts all in one.
        for (std::size_t c : count) {
            CHECK(c > 120);
            CHECK(c < 290);
        }
    }
    // The same key gives the same hash; another key, another one.
    Hash256 id;
    id.bytes.fill(0x11);
    CHECK(KeyedHash256(7)(id) == KeyedHash256(7)(id));
    CHECK(KeyedHash256(7)(id) != KeyedHash256(8)(id));
    CHECK(KeyedHash256()(id) == KeyedHash256()(id));  // the process's key
}
