// Parallel re-execution of misses (executor/protocol/parallel_reexec.h): the scheduler, the
// ordered validation, and the primary using them, each against the sequential reference.

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "executor/exec/execute.h"
#include "executor/exec/state_overlay.h"
#include "executor/protocol/parallel_reexec.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::testing;
using executor::Effects;
using executor::InMemoryState;
using executor::StateOverlay;
using executor::protocol::ParallelReexec;
using executor::protocol::SpeculationRequest;

namespace {

InMemoryState genesis_state(const Batches& batches) {
    InMemoryState state;
    for (const Object& object : batches.genesis) state.put(object);
    return state;
}

// Speculate where `wanted` says, without hints.
std::vector<SpeculationRequest> requests(const std::vector<bool>& wanted) {
    std::vector<SpeculationRequest> out(wanted.size());
    for (std::size_t i = 0; i < wanted.size(); ++i) out[i].wanted = wanted[i];
    return out;
}

// Decides `txs` in order over `base` as the primary does: the valid speculative result, else a
// sequential execution. Requires every effect to equal the plain sequential execution's and
// returns how many speculative results were taken.
std::size_t decide_in_order(ParallelReexec& engine, const std::vector<Transaction>& txs,
                            InMemoryState& base) {
    StateOverlay view(base);
    StateOverlay reference(base);
    std::size_t taken = 0;
    for (std::size_t i = 0; i < txs.size(); ++i) {
        auto expected = executor::execute_transaction(txs[i], reference);
        REQUIRE(expected.is_ok());
        reference.apply(expected->effects);
        auto speculated = engine.take_valid(i, view);
        REQUIRE(speculated.is_ok());
        Effects effects;
        if (speculated.value()) {
            ++taken;
            effects = std::move(speculated.value()->effects);
            CHECK(speculated.value()->effects_digest == executor::effects_digest(effects));
        } else {
            auto executed = executor::execute_transaction(txs[i], view);
            REQUIRE(executed.is_ok());
            effects = std::move(executed->effects);
        }
        INFO("position " << i);
        REQUIRE(executor::canonical_effects_bytes(effects) ==
                executor::canonical_effects_bytes(expected->effects));
        view.apply(effects);
    }
    return taken;
}

}  // namespace

TEST_CASE("a chain on one declared hot object runs in order and every speculation validates",
          "[protocol][parallel]") {
    // Every counter transaction declares the shared counter: one dependency chain.
    Batches batches = make_batches(protocol_config("counter"), 1, 40);
    InMemoryState base = genesis_state(batches);
    const auto& txs = batches.commits[0];
    ParallelReexec engine(3);
    engine.speculate(txs, requests(std::vector<bool>(txs.size(), true)), base);
    CHECK(engine.counters().speculated == txs.size());
    CHECK(decide_in_order(engine, txs, base) == txs.size());
    CHECK(engine.counters().validated == txs.size());
    CHECK(engine.counters().conflicts == 0);
}

TEST_CASE("independent transfers validate; non-candidates are left to the caller",
          "[protocol][parallel]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 40);
    InMemoryState base = genesis_state(batches);
    const auto& txs = batches.commits[0];
    std::vector<bool> candidates(txs.size(), true);
    for (std::size_t i = 0; i < txs.size(); i += 3) candidates[i] = false;
    ParallelReexec engine(2);
    engine.speculate(txs, requests(candidates), base);
    std::size_t wanted = 0;
    for (bool candidate : candidates) wanted += candidate;
    CHECK(engine.counters().speculated == wanted);
    std::size_t taken = decide_in_order(engine, txs, base);
    CHECK(taken <= wanted);
    CHECK(taken + engine.counters().conflicts == wanted);
}

TEST_CASE("speculation that read stale state is caught by validation", "[protocol][parallel]") {
    // Random schedules drop the declared dependencies and start transactions out of order, so
    // many read the counter before its earlier writers ran: each such one must be refused.
    Batches batches = make_batches(protocol_config("counter"), 1, 40);
    InMemoryState base = genesis_state(batches);
    const auto& txs = batches.commits[0];
    std::uint64_t conflicts = 0;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        ParallelReexec engine(2 + seed % 3, seed);
        engine.speculate(txs, requests(std::vector<bool>(txs.size(), true)), base);
        std::size_t taken = decide_in_order(engine, txs, base);
        CHECK(taken + engine.counters().conflicts == txs.size());
        conflicts += engine.counters().conflicts;
    }
    CHECK(conflicts > 0);
}

TEST_CASE("a read of a speculative write needs its writer's speculation taken",
          "[protocol][parallel]") {
    // Position 1 read position 0's speculative write of the counter. The view below gets the
    // same version by other means (position 0 executed in place, so not taken): equal
    // versions, but the writer's speculation was not the one committed, so 1 is refused.
    auto config = protocol_config("counter");
    config.shared_objects = 1;
    Batches batches = make_batches(config, 1, 2);
    InMemoryState base = genesis_state(batches);
    const auto& txs = batches.commits[0];
    ParallelReexec engine(2);
    engine.speculate(txs, requests({true, true}), base);
    StateOverlay view(base);
    SECTION("writer taken: the reader validates") {
        auto first = engine.take_valid(0, view);
        REQUIRE(first.is_ok());
        REQUIRE(first.value());
        view.apply(first.value()->effects);
        auto second = engine.take_valid(1, view);
        REQUIRE(second.is_ok());
        CHECK(second.value().has_value());
    }
    SECTION("writer re-executed in place: the reader is refused") {
        auto executed = executor::execute_transaction(txs[0], view);
        REQUIRE(executed.is_ok());
        view.apply(executed->effects);
        auto second = engine.take_valid(1, view);
        REQUIRE(second.is_ok());
        CHECK_FALSE(second.value().has_value());
        CHECK(engine.counters().conflicts == 1);
    }
}

TEST_CASE("a lone candidate is not speculated", "[protocol][parallel]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 3);
    InMemoryState base = genesis_state(batches);
    ParallelReexec engine(2);
    engine.speculate(batches.commits[0], requests({false, true, false}), base);
    CHECK(engine.counters().speculated == 0);
    StateOverlay view(base);
    auto taken = engine.take_valid(1, view);
    REQUIRE(taken.is_ok());
    CHECK_FALSE(taken.value().has_value());
}

TEST_CASE("a speculation made with other hints than the caller's is not taken",
          "[protocol][parallel]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 2);
    InMemoryState base = genesis_state(batches);
    auto wanted = requests({true, true});
    wanted[1].hints_id = 0;  // as if made with the table of result 0 (none here: no hints)
    ParallelReexec engine(2);
    engine.speculate(batches.commits[0], wanted, base);
    StateOverlay view(base);
    auto first = engine.take_valid(0, view);
    REQUIRE(first.is_ok());
    REQUIRE(first.value());
    view.apply(first.value()->effects);
    auto second = engine.take_valid(1, view);  // the caller re-executes without hints
    REQUIRE(second.is_ok());
    CHECK_FALSE(second.value().has_value());
    CHECK(engine.counters().unused == 1);
}

TEST_CASE("the primary with parallel re-execution is the sequential reference",
          "[protocol][parallel]") {
    for (const char* name : {"transfer", "counter", "nft", "amm", "compute", "mixed", "random"}) {
        for (std::uint64_t schedule_seed : {0, 5}) {
            DYNAMIC_SECTION(name << " schedule seed " << schedule_seed) {
                auto config = protocol_config(name);
                config.invalid_signature_rate = 0.05;
                Batches batches = make_batches(config, 3, 30);
                Reference ref = run_reference(batches);
                protocol::PrimaryOptions options;
                options.reexec_threads = 3;
                options.reexec_schedule_seed = schedule_seed;
                // Pre-executors for one commit in three: misses beside adopted results.
                Cluster cluster(batches, 1, options);
                for (std::size_t c = 0; c < batches.commits.size(); ++c) {
                    if (c == 1) cluster.pre_execute(batches.commits[c]);
                    auto commit = cluster.process(batches.commits[c]);
                    INFO("commit " << c);
                    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
                    REQUIRE(commit.outcome.state_digest == ref.digests[c]);
                }
                require_same_commits(cluster.store(), *ref.store);
                auto counters = cluster.primary().counters();
                CHECK(counters.reexec_speculated > 0);
                CHECK(counters.reexec_validated + counters.reexec_conflicts <=
                      counters.reexec_speculated);
                CHECK(counters.reexec_validated <= counters.reexecuted);
                if (schedule_seed == 0 && std::string(name) == "counter") {
                    CHECK(counters.reexec_conflicts == 0);
                }
            }
        }
    }
}

TEST_CASE("reexec_threads is bounded", "[protocol][parallel]") {
    protocol::PrimaryOptions options;
    options.reexec_threads = 0;
    CHECK_FALSE(protocol::validate_primary_options(options).is_ok());
    options.reexec_threads = protocol::limits::kReexecThreadsMax + 1;
    CHECK_FALSE(protocol::validate_primary_options(options).is_ok());
    options.reexec_threads = protocol::limits::kReexecThreadsMax;
    CHECK(protocol::validate_primary_options(options).is_ok());
}
