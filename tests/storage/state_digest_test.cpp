#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "common/hash.h"
#include "storage/state_digest.h"

using namespace remora;
using namespace remora::storage;

namespace {
common::Hash256 from_hex(const std::string& hex) { return *common::Hash256::from_hex(hex); }
}  // namespace

TEST_CASE("entry hash follows the documented definition", "[digest]") {
    common::ObjectId id;
    id.bytes.fill(0x01);
    std::string version_be("\0\0\0\0\0\0\0\x05", 8);
    CHECK(entry_hash(id, 5, "payload") ==
          common::blake2b_256({"remora/object/v1", id.view(), version_be, "payload"}));
    CHECK(entry_hash(id, 5, "payload") != entry_hash(id, 6, "payload"));
}

TEST_CASE("digest arithmetic is addition mod 2^256 with carries and borrows", "[digest]") {
    StateDigest d;
    auto ff = from_hex(std::string(64, 'f'));
    auto one = from_hex(std::string(63, '0') + "1");
    d.add(ff);
    d.add(one);  // wraps to zero
    CHECK(d.value().is_zero());
    d.remove(one);  // borrows all the way
    CHECK(d.value() == ff);
    auto low = from_hex(std::string(48, '0') + "00000000000000ff");
    StateDigest e;
    e.add(low);
    e.add(one);
    CHECK(e.value().hex() == std::string(48, '0') + "0000000000000100");
}

TEST_CASE("incremental digest equals recomputation over random histories", "[digest]") {
    std::mt19937_64 rng(20261122);
    for (int round = 0; round < 50; ++round) {
        std::map<int, std::pair<common::Version, std::string>> live;  // id -> (version, payload)
        StateDigest incremental;
        auto id_of = [](int i) { return common::blake2b_256(std::to_string(i)); };
        for (int step = 0; step < 200; ++step) {
            int i = static_cast<int>(rng() % 40);
            auto found = live.find(i);
            common::Version next = (found == live.end() ? 0 : found->second.first) + 1 + rng() % 3;
            if (found != live.end()) {
                incremental.remove(entry_hash(id_of(i), found->second.first, found->second.second));
            }
            if (rng() % 4 == 0 && found != live.end()) {
                live.erase(found);  // deletion
                continue;
            }
            std::string payload(rng() % 64, static_cast<char>(rng()));
            live[i] = {next, payload};
            incremental.add(entry_hash(id_of(i), next, payload));
        }
        // Recompute in a different order (descending) to show order independence.
        StateDigest recomputed;
        for (auto it = live.rbegin(); it != live.rend(); ++it) {
            recomputed.add(entry_hash(id_of(it->first), it->second.first, it->second.second));
        }
        REQUIRE(incremental.value() == recomputed.value());
    }
}
