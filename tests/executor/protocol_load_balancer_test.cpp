// The load balancer: affinity, rendezvous stability on join and leave, round robin, overload.

#include <catch2/catch.hpp>

#include <map>

#include "common/hash.h"
#include "executor/protocol/load_balancer.h"

using namespace remora;
using namespace remora::executor;
using namespace remora::executor::protocol;

namespace {

common::Hash256 key(std::uint64_t n) {
    common::Bytes seed;
    common::put_be64(seed, n);
    return common::blake2b_256(seed);
}

Transaction tx_from(std::uint64_t sender, std::vector<InputObject> inputs) {
    Transaction tx;
    tx.sender = key(sender);
    tx.inputs = std::move(inputs);
    return tx;
}

LoadBalancer balancer_of(const std::vector<PreExecutorId>& ids, LoadBalancerOptions options = {}) {
    LoadBalancer balancer(options);
    for (PreExecutorId id : ids) REQUIRE(balancer.add(id).is_ok());
    return balancer;
}

std::map<std::uint64_t, PreExecutorId> owners(const LoadBalancer& balancer, int keys) {
    std::map<std::uint64_t, PreExecutorId> out;
    for (int k = 0; k < keys; ++k) out[k] = *balancer.owner_of(key(k));
    return out;
}

}  // namespace

TEST_CASE("the affinity key is the first shared input, else the sender", "[protocol][lb]") {
    const auto owned = InputObject::owned(key(100), 3);
    const auto shared_a = InputObject::shared(key(200));
    const auto shared_b = InputObject::shared(key(201));
    CHECK(affinity_key(tx_from(1, {owned, shared_a, shared_b})) == key(200));
    CHECK(affinity_key(tx_from(1, {owned})) == key(1));
    CHECK(affinity_key(tx_from(1, {})) == key(1));

    LoadBalancer balancer = balancer_of({1, 2, 3, 4, 5});
    // Different senders on one shared object meet; one sender's owned coins stay together.
    auto on_pool = balancer.route(tx_from(7, {owned, shared_a}));
    for (std::uint64_t sender = 0; sender < 50; ++sender) {
        CHECK(balancer.route(tx_from(
                  sender, {InputObject::owned(key(sender + 1000), 1), shared_a})) == on_pool);
    }
    auto of_sender = balancer.route(tx_from(9, {InputObject::owned(key(300), 1)}));
    for (std::uint64_t coin = 0; coin < 20; ++coin) {
        CHECK(balancer.route(tx_from(9, {InputObject::owned(key(400 + coin), 2)})) == of_sender);
    }
    CHECK(balancer.counters().to_affinity_owner == balancer.counters().routed);
}

TEST_CASE("rendezvous hashing moves only the keys of a leaving or joining pre-executor",
          "[protocol][lb]") {
    LoadBalancer balancer = balancer_of({3, 7, 11, 20, 42});
    const auto before = owners(balancer, 2000);
    std::map<PreExecutorId, int> share;
    for (const auto& [k, id] : before) ++share[id];
    for (const auto& [id, n] : share) CHECK(n > 250);  // about 400 each

    REQUIRE(balancer.remove(11).is_ok());
    const auto after_leave = owners(balancer, 2000);
    int moved = 0;
    for (const auto& [k, id] : before) {
        if (id == 11) {
            CHECK(after_leave.at(k) != 11);
            ++moved;
        } else {
            CHECK(after_leave.at(k) == id);  // untouched by the leave
        }
    }
    CHECK(moved == share[11]);

    // Joining again restores exactly the first assignment: the function is deterministic.
    REQUIRE(balancer.add(11).is_ok());
    CHECK(owners(balancer, 2000) == before);

    // A newcomer takes keys only for itself.
    REQUIRE(balancer.add(99).is_ok());
    for (const auto& [k, id] : owners(balancer, 2000)) {
        if (id != 99) CHECK(id == before.at(k));
    }
}

TEST_CASE("round robin spreads evenly, and routing is deterministic", "[protocol][lb]") {
    LoadBalancerOptions options;
    options.mode = RoutingMode::kRoundRobin;
    LoadBalancer a = balancer_of({4, 1, 9, 6}, options);
    CHECK(a.live() == std::vector<PreExecutorId>{1, 4, 6, 9});
    std::map<PreExecutorId, int> counts;
    const auto same = tx_from(5, {InputObject::shared(key(77))});
    for (int i = 0; i < 400; ++i) ++counts[*a.route(same)];
    for (const auto& [id, n] : counts) CHECK(n == 100);

    LoadBalancer x = balancer_of({8, 2, 5});
    LoadBalancer y = balancer_of({5, 8, 2});
    for (std::uint64_t i = 0; i < 200; ++i) {
        auto tx = tx_from(i % 13, {InputObject::owned(key(i), 1)});
        CHECK(x.route(tx) == y.route(tx));
    }
}

TEST_CASE("an overloaded affinity owner hands transactions to the least loaded", "[protocol][lb]") {
    LoadBalancerOptions options;
    options.overload_factor = 2.0;
    options.overload_slack = 10;
    LoadBalancer balancer = balancer_of({1, 2, 3}, options);
    const auto tx = tx_from(1, {InputObject::shared(key(5))});
    const PreExecutorId owner = *balancer.owner_of(key(5));
    CHECK(balancer.route(tx) == owner);
    // The mean of (50, 5, 0) is 18.3; the owner at 50 > 2 × 18.3 + 10 is overloaded.
    PreExecutorId least = owner == 3 ? 2 : 3;
    for (PreExecutorId id : {1u, 2u, 3u}) {
        balancer.report_outstanding(id, id == owner ? 50 : (id == least ? 0 : 5));
    }
    CHECK(balancer.route(tx) == least);
    CHECK(balancer.counters().overload_fallbacks == 1);
    balancer.report_outstanding(owner, 30);  // 30 <= 2 × 11.7 + 10: no longer overloaded
    CHECK(balancer.route(tx) == owner);
}

TEST_CASE("membership errors are values", "[protocol][lb]") {
    LoadBalancer balancer;
    CHECK_FALSE(balancer.route(tx_from(1, {})).has_value());
    CHECK(balancer.add(1).is_ok());
    CHECK(balancer.add(1).code() == common::Code::kAlreadyExists);
    CHECK(balancer.remove(2).code() == common::Code::kNotFound);
    balancer.report_outstanding(2, 5);  // unknown: ignored
    CHECK(balancer.route(tx_from(1, {})) == 1u);
}

TEST_CASE("an object's expected reader is where its next transaction is routed", "[protocol][lb]") {
    Object coin;
    coin.id = key(500);
    coin.owner = OwnedByAddress{key(9)};
    Object pool;
    pool.id = key(200);
    pool.owner = SharedOwner{};
    Object child;
    child.id = key(600);
    child.owner = OwnedByParent{key(200)};
    Object package;
    package.id = key(700);
    package.owner = ImmutableOwner{};
    CHECK(object_affinity_key(coin) == key(9));
    CHECK(object_affinity_key(pool) == key(200));
    CHECK(object_affinity_key(child) == key(200));
    CHECK_FALSE(object_affinity_key(package).has_value());

    LoadBalancer balancer = balancer_of({1, 2, 3, 4, 5});
    // The owner's next spend, and the next transaction on the pool, go to the expected reader.
    CHECK(balancer.expected_reader(coin) ==
          balancer.route(tx_from(9, {InputObject::owned(coin.id, 4)})));
    CHECK(balancer.expected_reader(pool) ==
          balancer.route(tx_from(33, {InputObject::shared(pool.id)})));
    CHECK(balancer.expected_reader(child) == balancer.expected_reader(pool));
    CHECK_FALSE(balancer.expected_reader(package).has_value());

    LoadBalancerOptions round_robin;
    round_robin.mode = RoutingMode::kRoundRobin;
    CHECK_FALSE(balancer_of({1, 2}, round_robin).expected_reader(coin).has_value());
    CHECK_FALSE(balancer_of({}).expected_reader(coin).has_value());
}
