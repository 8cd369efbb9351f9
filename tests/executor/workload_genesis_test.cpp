// Genesis: deterministic from its seed and knobs, with the documented objects.

#include <catch2/catch.hpp>
#include <set>

#include "executor/tx/object.h"
#include "executor/workload/genesis.h"
#include "executor/workload/limits.h"

namespace {

using namespace remora::executor;
using namespace remora::executor::workload;

GenesisConfig small_config(std::uint64_t seed) {
    GenesisConfig c;
    c.seed = seed;
    c.accounts = 12;
    c.coins_per_account = 3;
    c.coin_balance = 500;
    c.counters = 4;
    c.pools = 2;
    c.pool_reserve = 7000;
    c.collections = 5;
    return c;
}

std::uint64_t be64_of(const Object& o) {
    REQUIRE(o.contents.size() >= 8);
    return remora::common::get_be64(o.contents);
}

const Object& find(const std::vector<Object>& objects, const ObjectId& id) {
    for (const auto& o : objects) {
        if (o.id == id) return o;
    }
    FAIL("object " << id.hex() << " is not in genesis");
    return objects.front();
}

TEST_CASE("genesis: the same config gives the same objects", "[workload][genesis]") {
    auto a = genesis_objects(small_config(7));
    auto b = genesis_objects(small_config(7));
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(canonical_object_bytes(a[i]) == canonical_object_bytes(b[i]));
    }
    auto other = genesis_objects(small_config(8));
    REQUIRE(other.size() == a.size());
    std::set<ObjectId> ids_a, ids_other;
    for (const auto& o : a) ids_a.insert(o.id);
    for (const auto& o : other) ids_other.insert(o.id);
    CHECK(ids_a != ids_other);
}

TEST_CASE("genesis: accounts, coins and shared objects as configured", "[workload][genesis]") {
    auto config = small_config(3);
    auto genesis = make_genesis(config);
    REQUIRE(genesis.is_ok());
    const auto& g = *genesis;
    // 12 × (3 coins + 1 compute) + 4 + 2 + 5 + the 6 packages.
    CHECK(g.objects.size() == 12 * 4 + 4 + 2 + 5 + programs::kGenesisPrograms.size());
    for (std::size_t i = 1; i < g.objects.size(); ++i) CHECK(g.objects[i - 1].id < g.objects[i].id);
    for (const auto& o : g.objects) {
        CHECK(o.version == 1);
        CHECK(validate_object(o).is_ok());
    }

    REQUIRE(g.accounts.size() == 12);
    std::set<Address> addresses;
    for (std::size_t a = 0; a < g.accounts.size(); ++a) {
        const auto& account = g.accounts[a];
        CHECK(account.address == address_of(account.keys.public_key));
        CHECK(account.keys.public_key == account_keys(3, a).public_key);
        addresses.insert(account.address);
        REQUIRE(account.coins.size() == 3);
        for (const auto& coin_id : account.coins) {
            const Object& coin = find(g.objects, coin_id);
            CHECK(coin.owner == Owner{OwnedByAddress{account.address}});
            CHECK(coin.type_tag == kCoinType);
            CHECK(coin.contents.size() == 8);
            CHECK(be64_of(coin) == 500);
        }
        const Object& compute = find(g.objects, account.compute_object);
        CHECK(compute.owner == Owner{OwnedByAddress{account.address}});
        CHECK(compute.type_tag == kComputeType);
    }
    CHECK(addresses.size() == 12);

    REQUIRE(g.counters.size() == 4);
    for (const auto& id : g.counters) {
        const Object& counter = find(g.objects, id);
        CHECK(counter.owner == Owner{SharedOwner{}});
        CHECK(be64_of(counter) == 0);
    }
    REQUIRE(g.pools.size() == 2);
    for (const auto& id : g.pools) {
        const Object& pool = find(g.objects, id);
        CHECK(pool.owner == Owner{SharedOwner{}});
        REQUIRE(pool.contents.size() == 16);
        CHECK(remora::common::get_be64(pool.contents, 0) == 7000);
        CHECK(remora::common::get_be64(pool.contents, 8) == 7000);
    }
    REQUIRE(g.collections.size() == 5);
    for (const auto& id : g.collections) CHECK(be64_of(find(g.objects, id)) == 0);
    for (auto program : programs::kGenesisPrograms) {
        CHECK(find(g.objects, package_object_id(program)).owner == Owner{ImmutableOwner{}});
    }
}

TEST_CASE("genesis: knobs outside their bounds are errors", "[workload][genesis]") {
    auto check_rejected = [](GenesisConfig c, const std::string& knob) {
        auto genesis = make_genesis(c);
        REQUIRE_FALSE(genesis.is_ok());
        CHECK(genesis.status().code() == remora::common::Code::kInvalidArgument);
        CHECK_THAT(genesis.status().message(), Catch::Contains(knob));
    };
    auto c = small_config(1);
    c.accounts = 0;
    check_rejected(c, "accounts");
    c = small_config(1);
    c.coins_per_account = 0;
    check_rejected(c, "coins_per_account");
    c = small_config(1);
    c.counters = limits::kSharedObjectsMax + 1;
    check_rejected(c, "counters");
    c = small_config(1);
    c.pool_reserve = 0;
    check_rejected(c, "pool_reserve");
    c = small_config(1);
    c.coin_balance = limits::kCoinBalanceMax + 1;
    check_rejected(c, "coin_balance");
}

}  // namespace
