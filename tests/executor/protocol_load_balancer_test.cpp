// The load balancer: affinity, rendezvous stability on join and leave, round robin, overload.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "common/hash.h"
#include "common/random.h"
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

// --- Contention-following routing (RoutingMode::kContention) --------------------------------

namespace {

LoadBalancerOptions contention_options() {
    LoadBalancerOptions options;
    options.mode = RoutingMode::kContention;
    return options;
}

// Pre-executors 1..3, contention routing, an overload slack of 10.
LoadBalancer three_with_small_slack() {
    LoadBalancerOptions options = contention_options();
    options.overload_slack = 10;
    return balancer_of({1, 2, 3}, options);
}

// `owner` far behind (overloaded: 50 > 2 x 18.3 + 10), `least` idle, the third in between.
void overload(LoadBalancer& balancer, PreExecutorId owner, PreExecutorId least) {
    for (PreExecutorId id : {1u, 2u, 3u}) {
        balancer.report_outstanding(id, id == owner ? 50 : (id == least ? 0 : 5));
    }
}

}  // namespace

TEST_CASE("contention routing keeps an in-flight chain on one pre-executor", "[protocol][lb]") {
    LoadBalancer balancer = balancer_of({1, 2, 3, 4}, contention_options());
    const auto hot = InputObject::shared(key(1));
    // Senders chosen so that their own affinity owners differ from the hot object's: by
    // affinity alone (first shared input = the sender's account, as in the trace) they spread.
    const PreExecutorId first = *balancer.route(tx_from(0, {hot}));
    CHECK(balancer.placement_of(key(1)) == first);
    std::vector<Transaction> in_flight;
    std::set<PreExecutorId> by_affinity;
    for (std::uint64_t sender = 10; sender < 40; ++sender) {
        auto account = InputObject::shared(key(1000 + sender));
        by_affinity.insert(*balancer.owner_of(key(1000 + sender)));
        Transaction tx = tx_from(sender, {account, hot});
        CHECK(balancer.route(tx) == first);  // the hot object's weight outweighs the account
        CHECK(balancer.placement_of(account.id) == first);
        in_flight.push_back(tx);
    }
    CHECK(by_affinity.size() > 1);
    CHECK(balancer.counters().to_placement == 30);
    CHECK(balancer.counters().split_inputs == 0);
    // An account placed elsewhere with one transaction in flight follows the hot object, and
    // the split it leaves is counted.
    const auto lone = InputObject::shared(key(5000));
    Transaction elsewhere = tx_from(77, {lone});
    const PreExecutorId lone_node = *balancer.route(elsewhere);
    if (lone_node != first) {
        CHECK(balancer.route(tx_from(78, {lone, hot})) == first);
        CHECK(balancer.counters().split_inputs == 1);
    }
    // Completed transactions release their weight; nothing stays placed.
    balancer.complete(tx_from(0, {hot}));
    for (const auto& tx : in_flight) balancer.complete(tx);
    balancer.complete(elsewhere);
    if (lone_node != first) balancer.complete(tx_from(78, {lone, hot}));
    CHECK(balancer.counters().placements_now == 0);
    CHECK_FALSE(balancer.placement_of(key(1)).has_value());
    // Other modes place nothing.
    LoadBalancer affinity = balancer_of({1, 2});
    (void)affinity.route(tx_from(1, {hot}));
    CHECK_FALSE(affinity.placement_of(key(1)).has_value());
}

TEST_CASE("contention routing moves an overloaded group and forgets a leaving node's objects",
          "[protocol][lb]") {
    LoadBalancer balancer = three_with_small_slack();
    const auto pool = InputObject::shared(key(9));
    const PreExecutorId owner = *balancer.route(tx_from(1, {pool}));
    const PreExecutorId least = owner == 3 ? 2 : 3;
    overload(balancer, owner, least);
    CHECK(balancer.route(tx_from(2, {pool})) == least);  // the group moves ...
    CHECK(balancer.placement_of(key(9)) == least);
    balancer.report_outstanding(owner, 0);
    CHECK(balancer.route(tx_from(3, {pool})) == least);  // ... and stays
    CHECK(balancer.counters().overload_fallbacks == 1);
    REQUIRE(balancer.remove(least).is_ok());
    CHECK_FALSE(balancer.placement_of(key(9)).has_value());
    CHECK(balancer.route(tx_from(4, {pool})) != least);
}

TEST_CASE("a moved group's fence names the last transaction routed to its old pre-executor",
          "[protocol][lb]") {
    LoadBalancer balancer = three_with_small_slack();
    const auto pool = InputObject::shared(key(9));
    const auto coin = InputObject::owned(key(10), 1);
    const common::Digest first = key(101), second = key(102), moved = key(103), after = key(104);
    const PreExecutorId owner = *balancer.route(tx_from(1, {pool}), &first);
    CHECK(balancer.route(tx_from(2, {pool, coin}), &second) == owner);
    CHECK(balancer.take_fences().empty());  // nothing moved
    // A transaction joining this group and one placed elsewhere splits an input but moves no
    // group: no fence.
    std::uint64_t other = 20;
    while (*balancer.owner_of(key(other)) == owner) ++other;
    const auto elsewhere = InputObject::shared(key(other));
    const common::Digest joining = key(105), joined = key(106);
    CHECK(balancer.route(tx_from(6, {elsewhere}), &joining) != owner);
    const std::uint64_t split_before = balancer.counters().split_inputs;
    CHECK(balancer.route(tx_from(7, {pool, elsewhere}), &joined) == owner);  // the heavier
    CHECK(balancer.counters().split_inputs == split_before + 1);
    CHECK(balancer.take_fences().empty());
    const PreExecutorId least = owner == 3 ? 2 : 3;
    overload(balancer, owner, least);
    CHECK(balancer.route(tx_from(3, {pool, coin}), &moved) == least);  // the group moves
    auto fences = balancer.take_fences();
    REQUIRE(fences.size() == 2);  // both inputs, in the transaction's order
    CHECK(fences[0].object == pool.id);
    CHECK(fences[1].object == coin.id);
    for (const HandoffFence& fence : fences) CHECK(fence.from == owner);
    CHECK(fences[0].after == joined);       // the last routed to `owner` declaring the pool
    CHECK(fences[1].after == second);       // ... and the coin
    CHECK(balancer.take_fences().empty());  // taken once
    balancer.report_outstanding(owner, 0);
    CHECK(balancer.route(tx_from(4, {pool}), &after) == least);  // stays: no fence
    CHECK(balancer.take_fences().empty());
    // Without digests no fence is recorded (the node's primary routes so).
    overload(balancer, least, owner);
    CHECK(balancer.route(tx_from(5, {pool})) == owner);
    CHECK(balancer.take_fences().empty());
}

TEST_CASE("contention routing moves a hot group off a pre-executor taking more than its share",
          "[protocol][lb]") {
    LoadBalancerOptions options = contention_options();
    options.rebalance_window = 8;
    options.rebalance_min_weight = 4;
    LoadBalancer balancer = balancer_of({1, 2}, options);
    const auto pool = InputObject::shared(key(9));
    const PreExecutorId first = *balancer.route(tx_from(0, {pool}));
    for (std::uint64_t i = 1; i < 8; ++i) CHECK(balancer.route(tx_from(i, {pool})) == first);
    // 8 of the last 8 routes on one of two: the hot group moves, once, and stays.
    const PreExecutorId other = first == 1 ? 2 : 1;
    CHECK(balancer.route(tx_from(8, {pool})) == other);
    CHECK(balancer.placement_of(key(9)) == other);
    CHECK(balancer.counters().rebalanced == 1);
    for (std::uint64_t i = 9; i < 15; ++i) CHECK(balancer.route(tx_from(i, {pool})) == other);
    CHECK(balancer.counters().rebalanced == 1);
    // A light group (weight below the minimum) is not moved.
    LoadBalancer light = balancer_of({1, 2}, options);
    std::optional<Transaction> previous;
    for (std::uint64_t i = 0; i < 12; ++i) {
        Transaction tx = tx_from(i, {InputObject::shared(key(9))});
        const auto routed = light.route(tx);
        if (previous) light.complete(*previous);  // one in flight: the weight stays 1
        previous = tx;
        CHECK(routed == light.owner_of(key(9)));
    }
    CHECK(light.counters().to_placement == 11);
    CHECK(light.counters().rebalanced == 0);
}

TEST_CASE("contention routing is bounded by placements_max", "[protocol][lb]") {
    LoadBalancerOptions options = contention_options();
    options.placements_max = 4;
    LoadBalancer balancer = balancer_of({1, 2}, options);
    for (std::uint64_t i = 0; i < 10; ++i) {
        CHECK(balancer.route(tx_from(i, {InputObject::shared(key(100 + i))})).has_value());
    }
    CHECK(balancer.counters().placements_now == 4);
    CHECK(balancer.counters().placements_full == 6);
}

// A model check: random routes, completions, joins, leaves and loads against a plain model of
// the rule (placement = the pre-executor of the last transaction routed with the object while
// any is in flight, weight = how many are; the heaviest placed pre-executor wins, ties to the
// lower id; none placed: the affinity owner; an overloaded choice: the least loaded). Checks:
// every route names a live pre-executor, routes equal the model's, no placement outlives its
// transactions or its pre-executor.
TEST_CASE("contention routing follows its model over random operations", "[protocol][lb]") {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        INFO("seed " << seed);
        common::SplitMix64 rng(seed);
        LoadBalancerOptions options = contention_options();
        options.overload_slack = 1 + seed % 8;
        LoadBalancer balancer(options);
        std::set<PreExecutorId> live;
        std::map<PreExecutorId, std::uint64_t> load;
        PreExecutorId next_id = 1;
        auto join = [&] {
            REQUIRE(balancer.add(next_id).is_ok());
            live.insert(next_id);
            load[next_id] = 0;
            ++next_id;
        };
        for (int i = 0; i < 3; ++i) join();
        struct Placed {
            PreExecutorId node;
            std::uint64_t in_flight;
        };
        std::map<common::Hash256, Placed> model;
        std::vector<Transaction> in_flight;
        auto complete_in_model = [&](const Transaction& tx) {
            for (const auto& input : tx.inputs) {
                auto found = model.find(input.id);
                if (found == model.end()) continue;
                if (--found->second.in_flight == 0) model.erase(found);
            }
        };
        for (int step = 0; step < 600; ++step) {
            const std::uint64_t op = rng() % 20;
            if (op == 0 && live.size() < 6) {
                join();
            } else if (op == 1 && live.size() > 1) {
                auto it = live.begin();
                std::advance(it, static_cast<long>(rng() % live.size()));
                const PreExecutorId gone = *it;
                REQUIRE(balancer.remove(gone).is_ok());
                live.erase(it);
                load.erase(gone);
                std::erase_if(model, [gone](const auto& e) { return e.second.node == gone; });
            } else if (op < 5 && !in_flight.empty()) {
                const std::size_t at = rng() % in_flight.size();
                balancer.complete(in_flight[at]);
                complete_in_model(in_flight[at]);
                in_flight.erase(in_flight.begin() + static_cast<long>(at));
            } else if (op < 7) {
                auto it = live.begin();
                std::advance(it, static_cast<long>(rng() % live.size()));
                load[*it] = rng() % 16;
                balancer.report_outstanding(*it, load[*it]);
            } else {
                // 1..3 of 12 objects, the first four hot.
                std::vector<InputObject> inputs;
                const std::uint64_t n = 1 + rng() % 3;
                for (std::uint64_t i = 0; i < n; ++i) {
                    const std::uint64_t object = rng() % 2 == 0 ? rng() % 4 : rng() % 12;
                    if (std::none_of(inputs.begin(), inputs.end(),
                                     [&](const auto& in) { return in.id == key(object); })) {
                        inputs.push_back(InputObject::shared(key(object)));
                    }
                }
                Transaction tx = tx_from(rng() % 30, inputs);
                std::map<PreExecutorId, std::uint64_t> weights;
                for (const auto& input : inputs) {
                    if (auto found = model.find(input.id); found != model.end()) {
                        weights[found->second.node] += found->second.in_flight;
                    }
                }
                PreExecutorId expected = *balancer.owner_of(affinity_key(tx));
                std::uint64_t best = 0;
                for (const auto& [node, weight] : weights) {  // ascending: ties to the lower
                    if (weight > best) best = weight, expected = node;
                }
                std::uint64_t total = 0;
                for (const auto& [node, count] : load) total += count;
                const double mean = static_cast<double>(total) / static_cast<double>(live.size());
                if (static_cast<double>(load[expected]) >
                    options.overload_factor * mean + static_cast<double>(options.overload_slack)) {
                    PreExecutorId least = load.begin()->first;  // ties: the lower id
                    for (const auto& [node, count] : load) {
                        if (count < load[least]) least = node;
                    }
                    expected = least;
                }
                auto routed = balancer.route(tx);
                REQUIRE(routed.has_value());
                REQUIRE(live.count(*routed) == 1);
                REQUIRE(*routed == expected);
                for (const auto& input : inputs) {
                    Placed& placed = model.try_emplace(input.id, Placed{*routed, 0}).first->second;
                    placed.node = *routed;
                    ++placed.in_flight;
                    REQUIRE(balancer.placement_of(input.id) == *routed);
                }
                in_flight.push_back(tx);
            }
            REQUIRE(balancer.counters().placements_now == model.size());
            for (const auto& [id, placed] : model) {
                REQUIRE(balancer.placement_of(id) == placed.node);
            }
        }
        for (const auto& tx : in_flight) balancer.complete(tx);
        CHECK(balancer.counters().placements_now == 0);
    }
}

// LoadMeasure::kCost: the balancer learns each kind of call's cost from what it is shown, and
// the rebalancing shares count that cost, so one heavy call weighs as much as many light ones.
TEST_CASE("the expected cost of a call is learned per kind of call", "[protocol][lb]") {
    LoadBalancerOptions options = contention_options();
    options.load = LoadMeasure::kCost;
    options.default_cost = 60;
    LoadBalancer balancer = balancer_of({1, 2}, options);
    auto call = [](std::uint64_t sender, const std::string& entry_point) {
        Transaction tx = tx_from(sender, {});
        tx.program = PackageCall{key(77), entry_point};
        return tx;
    };
    Transaction inline_code = tx_from(3, {});
    inline_code.program = InlineBytecode{common::Bytes("\x01\x02", 2)};
    // Nothing observed: the default, for every kind.
    CHECK(balancer.expected_cost(call(1, "transfer")) == 60);
    CHECK(balancer.expected_cost(inline_code) == 60);
    // The first observation of a kind sets it; the sender does not matter, the call does.
    balancer.observe_cost(call(1, "hash"), 1700);
    CHECK(balancer.expected_cost(call(9, "hash")) == 1700);
    balancer.observe_cost(call(2, "transfer"), 50);
    CHECK(balancer.expected_cost(call(1, "transfer")) == 50);
    // A kind never observed: the mean of the observed kinds.
    CHECK(balancer.expected_cost(inline_code) == (1700 + 50) / 2);
    // Later observations move it a quarter of the way.
    balancer.observe_cost(call(1, "hash"), 900);
    CHECK(balancer.expected_cost(call(1, "hash")) == 1700 - 1700 / 4 + 900 / 4);
    // Inline bytecode is a kind of its own, by its bytes.
    balancer.observe_cost(inline_code, 10);
    CHECK(balancer.expected_cost(inline_code) == 10);
    Transaction other_code = inline_code;
    other_code.program = InlineBytecode{common::Bytes("\x01\x03", 2)};
    CHECK(balancer.expected_cost(other_code) != 10);
    // Never 0.
    balancer.observe_cost(call(1, "noop"), 0);
    CHECK(balancer.expected_cost(call(1, "noop")) == 1);
}

TEST_CASE("with cost as the load, the rebalancing shares count cost, not routes",
          "[protocol][lb]") {
    // Two groups on their own pre-executors: 3 heavy calls (500 each) on one, 19 light ones (10
    // each) on the other. Counted in routes the light group's pre-executor took more than its
    // share; in cost, the heavy one did.
    for (LoadMeasure load : {LoadMeasure::kCount, LoadMeasure::kCost}) {
        LoadBalancerOptions options = contention_options();
        options.load = load;
        options.rebalance_window = 22;
        options.rebalance_min_weight = 1;
        options.rebalance_factor = 1.1;
        LoadBalancer balancer = balancer_of({1, 2}, options);
        auto call = [](std::uint64_t sender, const InputObject& on, const std::string& entry) {
            Transaction tx = tx_from(sender, {on});
            tx.program = PackageCall{key(77), entry};
            return tx;
        };
        balancer.observe_cost(call(0, InputObject::shared(key(1)), "heavy"), 500);
        balancer.observe_cost(call(0, InputObject::shared(key(1)), "light"), 10);
        // Find two shared objects whose groups start on different pre-executors.
        const auto heavy_on = InputObject::shared(key(500));
        std::uint64_t k = 501;
        while (balancer.owner_of(key(k)) == balancer.owner_of(key(500))) ++k;
        const auto light_on = InputObject::shared(key(k));
        const PreExecutorId heavy_node = *balancer.route(call(1, heavy_on, "heavy"));
        const PreExecutorId light_node = *balancer.route(call(2, light_on, "light"));
        REQUIRE(heavy_node != light_node);
        for (std::uint64_t i = 0; i < 2; ++i) balancer.route(call(10 + i, heavy_on, "heavy"));
        for (std::uint64_t i = 0; i < 18; ++i) balancer.route(call(20 + i, light_on, "light"));
        REQUIRE(balancer.counters().rebalanced == 0);
        // The window is full: the next route of the group on the over-share node moves it.
        const PreExecutorId over = load == LoadMeasure::kCost ? heavy_node : light_node;
        const auto& group = load == LoadMeasure::kCost ? heavy_on : light_on;
        const char* entry = load == LoadMeasure::kCost ? "heavy" : "light";
        CHECK(balancer.route(call(99, group, entry)) != over);
        CHECK(balancer.counters().rebalanced == 1);
    }
}

TEST_CASE("rebalancing moves a group only off a pre-executor that is behind", "[protocol][lb]") {
    LoadBalancerOptions options = contention_options();
    options.rebalance_window = 8;
    options.rebalance_min_weight = 4;
    options.rebalance_min_outstanding = 100;
    LoadBalancer balancer = balancer_of({1, 2}, options);
    const auto pool = InputObject::shared(key(9));
    const PreExecutorId first = *balancer.route(tx_from(0, {pool}));
    const PreExecutorId other = first == 1 ? 2 : 1;
    for (std::uint64_t i = 1; i < 8; ++i) CHECK(balancer.route(tx_from(i, {pool})) == first);
    // Over its share, but keeping up (99 queued): the group stays.
    balancer.report_outstanding(first, 99);
    for (std::uint64_t i = 8; i < 12; ++i) CHECK(balancer.route(tx_from(i, {pool})) == first);
    CHECK(balancer.counters().rebalanced == 0);
    // Behind: it moves.
    balancer.report_outstanding(first, 100);
    CHECK(balancer.route(tx_from(12, {pool})) == other);
    CHECK(balancer.counters().rebalanced == 1);
}
