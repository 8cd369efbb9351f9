// ExecutionOptions::hints, the Remora primary's re-execution with a pre-executor's lookup table
// (docs/execution.md, "Hints"). The invariant: with any hints the effects are byte-identical to
// an execution without hints, except that a precompile output is taken from the table when
// (function id, input hash) match, and an authenticator the table marks Verified for the same
// (key, signature) is not checked again. Both are trusted as the Remora merge rule specifies.

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "executor/exec/execute.h"
#include "tests/executor/exec_support.h"
#include "tests/executor/tx_fixtures.h"

namespace remora::executor::testing {
namespace {

// Writes iterated_hash("seed", 1000) ‖ blake2b_256(counter contents) into the counter and
// touches the counter's child "k": one state-independent and one state-dependent precompile
// input, a declared input and a dynamic read.
Scenario hashing_scenario() {
    return {.name = "hashing",
            .source = program(".func main\n    pushc \"seed\"\n    push 1000\n"
                              "    host iterated_hash\n    push 0\n    host input_read\n"
                              "    host blake2b_256\n    concat\n    push 0\n    host input_id\n"
                              "    swap\n    host object_write\n    pushc {COUNTER}\n"
                              "    pushc \"k\"\n    host child_exists\n    pop\n    ret\n"),
            .inputs = {InputObject::shared(counter_id())}};
}

// A StateReader that logs the ids it is asked for.
class LoggingState : public StateReader {
public:
    explicit LoggingState(StateReader& base) : m_base(base) {}
    common::Result<ObjectLookup> read(const ObjectId& id) override {
        asked.insert(id);
        return m_base.read(id);
    }
    std::set<ObjectId> asked;

private:
    StateReader& m_base;
};

struct Runs {
    Transaction tx;
    InMemoryState state;
    ExecutionResult plain;  // without hints
};

Runs plain_run(const Scenario& s) {
    Runs runs{scenario_transaction(s), scenario_state(s), {}};
    auto result = execute_transaction(runs.tx, runs.state);
    REQUIRE(result.is_ok());
    runs.plain = std::move(result.value());
    return runs;
}

ExecutionResult hinted(Runs& runs, const LookupTable& hints) {
    ExecutionOptions options;
    options.hints = &hints;
    auto result = execute_transaction(runs.tx, runs.state, options);
    REQUIRE(result.is_ok());
    return std::move(result.value());
}

void require_identical(const ExecutionResult& a, const ExecutionResult& b) {
    CHECK(canonical_effects_bytes(a.effects) == canonical_effects_bytes(b.effects));
    CHECK(a.table == b.table);
}

}  // namespace

TEST_CASE("hints: an honest table changes nothing and saves the work", "[exec][hints]") {
    Runs runs = plain_run(hashing_scenario());
    REQUIRE(runs.plain.effects.status.is_success());
    REQUIRE(runs.plain.table.precompile_calls.size() == 2);
    ExecutionResult again = hinted(runs, runs.plain.table);
    require_identical(runs.plain, again);
    CHECK(again.authenticators_skipped == 1);
    CHECK(again.precompiles_replayed == 2);
    CHECK(runs.plain.authenticators_skipped == 0);
    CHECK(runs.plain.precompiles_replayed == 0);
}

TEST_CASE("hints: a table from stale state changes nothing", "[exec][hints]") {
    Scenario s = hashing_scenario();
    Runs runs = plain_run(s);
    // The pre-executor saw the counter one version earlier, with other contents, and no child.
    InMemoryState stale = scenario_state(s);
    stale.put(Object{counter_id(), 6, SharedOwner{}, "counter", be64(4)});
    stale.erase(child_id(counter_id(), "k"), 8);
    auto pre = execute_transaction(runs.tx, stale);
    REQUIRE(pre.is_ok());
    REQUIRE(pre->effects.status.is_success());
    REQUIRE(canonical_effects_bytes(pre->effects) != canonical_effects_bytes(runs.plain.effects));

    ExecutionResult primary = hinted(runs, pre->table);
    require_identical(runs.plain, primary);
    // The state-independent precompile recurs; the one over the counter's contents does not.
    CHECK(primary.precompiles_replayed == 1);
}

TEST_CASE("hints: outputs for other inputs, malformed outputs and foreign tables are ignored",
          "[exec][hints]") {
    Runs runs = plain_run(hashing_scenario());
    const LookupTable& honest = runs.plain.table;

    SECTION("wrong outputs under a different input hash") {
        LookupTable bad = honest;
        for (PrecompileCall& call : bad.precompile_calls) {
            call.input_hash.bytes[0] ^= 0xFF;
            call.output = Bytes(32, 'z');
        }
        ExecutionResult r = hinted(runs, bad);
        require_identical(runs.plain, r);
        CHECK(r.precompiles_replayed == 0);
    }
    SECTION("a matching key with an output the function cannot return") {
        LookupTable bad = honest;
        for (PrecompileCall& call : bad.precompile_calls) call.output = Bytes(31, 'z');
        ExecutionResult r = hinted(runs, bad);
        require_identical(runs.plain, r);
        CHECK(r.precompiles_replayed == 0);
    }
    SECTION("a table of another transaction") {
        LookupTable other = honest;
        other.tx_digest.bytes[0] ^= 0x01;
        for (PrecompileCall& call : other.precompile_calls) call.output = Bytes(32, 'z');
        ExecutionResult r = hinted(runs, other);
        require_identical(runs.plain, r);
        CHECK(r.precompiles_replayed == 0);
        CHECK(r.authenticators_skipped == 0);
    }
    SECTION("a table that fails validation") {
        LookupTable invalid = honest;
        invalid.reads.push_back(invalid.reads.front());  // an id recorded twice
        for (PrecompileCall& call : invalid.precompile_calls) call.output = Bytes(32, 'z');
        ExecutionResult r = hinted(runs, invalid);
        require_identical(runs.plain, r);
        CHECK(r.precompiles_replayed == 0);
    }
    SECTION("stale read versions and wrong existence flags") {
        LookupTable stale = honest;
        for (ObjectRead& read : stale.reads) {
            read.exists = !read.exists;
            read.version = read.exists ? read.version + 100 : 0;
        }
        require_identical(runs.plain, hinted(runs, stale));
    }
}

TEST_CASE("hints: a matching precompile key is trusted (documented exception)", "[exec][hints]") {
    Runs runs = plain_run(hashing_scenario());
    LookupTable lying = runs.plain.table;
    REQUIRE(lying.precompile_calls[0].function_id == 0x23);  // iterated_hash comes first
    lying.precompile_calls[0].output = Bytes(32, 'z');
    ExecutionResult r = hinted(runs, lying);
    REQUIRE(r.effects.status.is_success());
    CHECK(canonical_effects_bytes(r.effects) != canonical_effects_bytes(runs.plain.effects));
    REQUIRE(r.effects.written.size() == 1);
    CHECK(r.effects.written[0].contents.substr(0, 32) == Bytes(32, 'z'));
    CHECK(r.table.precompile_calls[0].output == Bytes(32, 'z'));
}

TEST_CASE("hints: authenticators", "[exec][hints]") {
    Scenario s{.name = "noop", .source = ".func main\n    ret\n"};
    SECTION("a Verified mark for the same key and signature is trusted") {
        s.tweak = Tweak::kBadSignature;
        Runs runs = plain_run(s);
        REQUIRE(runs.plain.effects.status.code == AbortCode::kInvalidAuthenticator);
        LookupTable lying = runs.plain.table;
        lying.authenticators[0].status = AuthenticatorStatus::kVerified;
        ExecutionResult r = hinted(runs, lying);
        CHECK(r.effects.status.is_success());
        CHECK(r.authenticators_skipped == 1);
    }
    SECTION("a Verified mark for another signature is not used") {
        s.tweak = Tweak::kBadSignature;
        Runs runs = plain_run(s);
        LookupTable other = runs.plain.table;
        other.authenticators[0].status = AuthenticatorStatus::kVerified;
        other.authenticators[0].signature.bytes[0] ^= 0x01;
        ExecutionResult r = hinted(runs, other);
        require_identical(runs.plain, r);
        CHECK(r.authenticators_skipped == 0);
    }
    SECTION("a Failed mark is checked again") {
        Runs runs = plain_run(s);
        REQUIRE(runs.plain.effects.status.is_success());
        LookupTable failed = runs.plain.table;
        failed.authenticators[0].status = AuthenticatorStatus::kFailed;
        ExecutionResult r = hinted(runs, failed);
        require_identical(runs.plain, r);
        CHECK(r.authenticators_skipped == 0);
    }
}

TEST_CASE("hints: dynamic objects are prefetched without changing the result", "[exec][hints]") {
    Runs runs = plain_run(hashing_scenario());
    LookupTable hints = runs.plain.table;
    // Objects the transaction never touches, present and absent.
    const ObjectId extra[] = {child_id(config_id(), "c"), hash_of(0x77)};
    for (const ObjectId& id : extra) hints.dynamic_objects.push_back(id);
    std::sort(hints.dynamic_objects.begin(), hints.dynamic_objects.end());

    LoggingState logged(runs.state);
    ExecutionOptions options;
    options.hints = &hints;
    auto r = execute_transaction(runs.tx, logged, options);
    REQUIRE(r.is_ok());
    require_identical(runs.plain, r.value());
    for (const ObjectId& id : extra) CHECK(logged.asked.count(id) == 1);
}

TEST_CASE("hints: random tables never change the effects", "[exec][hints]") {
    const std::uint32_t seed = 20240611;
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    const auto random_hash = [&] {
        common::Hash256 h;
        for (auto& b : h.bytes) b = static_cast<std::uint8_t>(rng());
        return h;
    };
    Runs runs = plain_run(hashing_scenario());
    for (int round = 0; round < 100; ++round) {
        LookupTable t;
        t.tx_digest = transaction_digest(runs.tx);
        const std::size_t reads = rng() % 8;
        for (std::size_t i = 0; i < reads; ++i) {
            bool exists = rng() % 2 == 0;
            t.reads.push_back({random_hash(), ObjectRead::Kind::kDynamic, exists,
                               exists ? 1 + rng() % 100 : rng() % 100});
        }
        for (std::size_t i = rng() % 3; i > 0; --i) {
            AuthenticatorCheck check;
            check.public_key.bytes = random_hash().bytes;
            check.status =
                rng() % 2 ? AuthenticatorStatus::kVerified : AuthenticatorStatus::kFailed;
            t.authenticators.push_back(check);
        }
        for (std::size_t i = rng() % 6; i > 0; --i) {
            t.precompile_calls.push_back({static_cast<std::uint32_t>(0x20 + rng() % 5),
                                          random_hash(), Bytes(rng() % 40, 'q')});
        }
        // Sometimes the honest calls too, anywhere in the list.
        if (rng() % 2 == 0) {
            for (const PrecompileCall& call : runs.plain.table.precompile_calls) {
                t.precompile_calls.insert(
                    t.precompile_calls.begin() +
                        static_cast<long>(rng() % (t.precompile_calls.size() + 1)),
                    call);
            }
        }
        std::set<ObjectId> dynamic;
        for (std::size_t i = rng() % 5; i > 0; --i) dynamic.insert(random_hash());
        if (rng() % 2 == 0) dynamic.insert(child_id(counter_id(), "k"));
        t.dynamic_objects.assign(dynamic.begin(), dynamic.end());
        INFO("round " << round);
        ExecutionResult r = hinted(runs, t);
        CHECK(canonical_effects_bytes(r.effects) == canonical_effects_bytes(runs.plain.effects));
        CHECK(r.table == runs.plain.table);
    }
}

}  // namespace remora::executor::testing
