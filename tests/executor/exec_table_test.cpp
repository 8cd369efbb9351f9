// The lookup table's contents, the version rule and determinism of the executor function.

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "executor/exec/execute.h"
#include "executor/exec/state_overlay.h"
#include "executor/tx/ids.h"
#include "executor/vm/host.h"
#include "executor/vm/precompiles.h"
#include "tests/executor/exec_support.h"
#include "tests/executor/tx_fixtures.h"

namespace remora::executor::testing {
namespace {

ExecutionResult run(const Scenario& s) {
    InMemoryState state = scenario_state(s);
    auto result = execute_transaction(scenario_transaction(s), state);
    REQUIRE(result.is_ok());
    return std::move(result.value());
}

ObjectRead declared(const ObjectId& id, Version v) {
    return {id, ObjectRead::Kind::kDeclared, true, v};
}
ObjectRead dynamic(const ObjectId& id, bool exists, Version v) {
    return {id, ObjectRead::Kind::kDynamic, exists, v};
}

}  // namespace

TEST_CASE("exec: the lookup table records every read, check, call and dynamic id", "[exec]") {
    Scenario s{.name = "table",
               .source = program(".func main\n"
                                 "    pushc {COUNTER}\n    pushc \"k\"\n    host child_get\n"
                                 "    pop\n"
                                 "    pushc {COUNTER}\n    pushc \"none\"\n"
                                 "    host child_exists\n    pop\n"
                                 "    pushc {COUNTER}\n    pushc \"gone\"\n"
                                 "    host child_exists\n    pop\n"
                                 "    pushc \"abc\"\n    host blake2b_256\n    pop\n"
                                 "    pushc {COUNTER}\n    pushc \"k\"\n    host child_get\n"
                                 "    pop\n    ret\n"),
               .inputs = {InputObject::shared(counter_id()), InputObject::owned(config_id(), 2)}};
    const Transaction tx = scenario_transaction(s);
    ExecutionResult r = run(s);
    REQUIRE(r.effects.status.is_success());
    const LookupTable& t = r.table;
    CHECK(t.tx_digest == transaction_digest(tx));
    // First-read order; the second child_get of "k" is not a second read.
    CHECK(t.reads == std::vector<ObjectRead>{declared(counter_id(), 7), declared(config_id(), 2),
                                             dynamic(package_id(), true, 1),
                                             dynamic(child_id(counter_id(), "k"), true, 9),
                                             dynamic(child_id(counter_id(), "none"), false, 0),
                                             dynamic(child_id(counter_id(), "gone"), false, 40)});
    REQUIRE(t.authenticators.size() == 1);
    CHECK(t.authenticators[0].public_key == alice().public_key);
    CHECK(t.authenticators[0].signature == tx.authenticators[0].signature);
    CHECK(t.authenticators[0].status == AuthenticatorStatus::kVerified);
    CHECK(t.sender_matches);
    const vm::Value abc[] = {vm::Value::bytes("abc")};
    const PrecompileCall call{
        0x20, common::blake2b_256(vm::precompile_input(vm::HostFunction::kBlake2b256, abc)),
        Bytes(common::blake2b_256("abc").view())};
    CHECK(t.precompile_calls == std::vector<PrecompileCall>{call});
    std::vector<ObjectId> dyn = {child_id(counter_id(), "k"), child_id(counter_id(), "none"),
                                 child_id(counter_id(), "gone")};
    std::sort(dyn.begin(), dyn.end());
    CHECK(t.dynamic_objects == dyn);
    CHECK(validate_lookup_table(t).is_ok());
}

TEST_CASE("exec: aborted transactions still record what they read and checked", "[exec]") {
    SECTION("bad signature") {
        ExecutionResult r = run({.name = "bad sig",
                                 .source = ".func main\n    ret\n",
                                 .inputs = {InputObject::owned(coin_id(), 3)},
                                 .tweak = Tweak::kBadSignature});
        CHECK(r.effects.status.code == AbortCode::kInvalidAuthenticator);
        REQUIRE(r.table.authenticators.size() == 1);
        CHECK(r.table.authenticators[0].status == AuthenticatorStatus::kFailed);
        CHECK(r.table.sender_matches);
        CHECK(r.table.reads.empty());
    }
    SECTION("sender not signer") {
        ExecutionResult r = run(
            {.name = "bob signs", .source = ".func main\n    ret\n", .tweak = Tweak::kSignedByBob});
        CHECK(r.effects.status.code == AbortCode::kSenderNotSigner);
        CHECK(r.table.authenticators[0].status == AuthenticatorStatus::kVerified);
        CHECK_FALSE(r.table.sender_matches);
    }
    SECTION("stale input: the read has the version found") {
        ExecutionResult r =
            run({.name = "stale",
                 .source = ".func main\n    ret\n",
                 .inputs = {InputObject::shared(counter_id()), InputObject::owned(coin_id(), 2),
                            InputObject::owned(bob_coin_id(), 4)}});
        CHECK(r.effects.status.code == AbortCode::kInputVersionMismatch);
        // Loading stops at the first failure.
        CHECK(r.table.reads ==
              std::vector<ObjectRead>{declared(counter_id(), 7), declared(coin_id(), 3)});
    }
    SECTION("missing input: recorded absent with its tombstone version") {
        ExecutionResult r = run({.name = "deleted",
                                 .source = ".func main\n    ret\n",
                                 .inputs = {InputObject::owned(deleted_id(), 11)}});
        CHECK(r.effects.status.code == AbortCode::kInputNotFound);
        CHECK(r.table.reads ==
              std::vector<ObjectRead>{{deleted_id(), ObjectRead::Kind::kDeclared, false, 12}});
    }
    SECTION("VM abort after dynamic reads and a precompile") {
        ExecutionResult r =
            run({.name = "abort late",
                 .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n"
                                   "    host child_exists\n    pop\n    pushc \"x\"\n"
                                   "    host sha256\n    pop\n    push 3\n    abort\n"),
                 .inputs = {InputObject::shared(counter_id())}});
        CHECK(r.effects.status.code == AbortCode::kUserAbort);
        CHECK(r.table.reads.size() == 3);
        CHECK(r.table.dynamic_objects == std::vector<ObjectId>{child_id(counter_id(), "k")});
        CHECK(r.table.precompile_calls.size() == 1);
    }
}

TEST_CASE("exec: version rule over declared and dynamic reads", "[exec]") {
    const std::string write_coin_after =
        ".func main\n    push 0\n    host input_id\n    pushc \"w\"\n    host object_write\n";
    SECTION("a shared input read raises the version of an owned write") {
        ExecutionResult r =
            run({.name = "v",
                 .source = write_coin_after + "    ret\n",
                 .inputs = {InputObject::owned(coin_id(), 3), InputObject::shared(counter_id())}});
        REQUIRE(r.effects.written.size() == 1);
        CHECK(r.effects.written[0].version == 8);
    }
    SECTION("an absent dynamic read contributes its tombstone version") {
        ExecutionResult r =
            run({.name = "tombstone",
                 .source = program(write_coin_after + "    pushc {COUNTER}\n    pushc \"gone\"\n"
                                                      "    host child_exists\n    pop\n    ret\n"),
                 .inputs = {InputObject::owned(coin_id(), 3), InputObject::shared(counter_id())}});
        REQUIRE(r.effects.written.size() == 1);
        CHECK(r.effects.written[0].version == 41);
        CHECK(output_version(r.table).value() == 41);
    }
    SECTION("written, created and deleted share the version") {
        ExecutionResult r = run(
            {.name = "all three",
             .source = program(".func main\n    push 0\n    host input_id\n    pushc \"w\"\n"
                               "    host object_write\n    push 1\n    host input_id\n"
                               "    host object_delete\n    pushc {COUNTER}\n    pushc \"new\"\n"
                               "    pushc \"v\"\n    host child_set\n    ret\n"),
             .inputs = {InputObject::shared(counter_id()), InputObject::owned(coin_id(), 3)}});
        REQUIRE(r.effects.status.is_success());
        CHECK(r.effects.written.size() == 1);
        CHECK(r.effects.deleted.size() == 1);
        CHECK(r.effects.created.size() == 1);
        CHECK(r.effects.written[0].version == 8);
        CHECK(r.effects.deleted[0].version == 8);
        CHECK(r.effects.created[0].version == 8);
    }
}

TEST_CASE("exec: the same transaction twice gives byte-identical effects", "[exec]") {
    Scenario s{.name = "mixed",
               .source = program(".func main\n    push 0\n    host input_read\n    btoi\n"
                                 "    push 1\n    add\n    itob\n    push 0\n    host input_id\n"
                                 "    swap\n    host object_write\n    pushc \"thing\"\n"
                                 "    pushc \"a\"\n    host object_create\n    pushc \"k\"\n"
                                 "    pushc \"v\"\n    host child_set\n    pushc \"seed\"\n"
                                 "    push 50\n    host iterated_hash\n    pushc \"ev\"\n"
                                 "    swap\n    host emit_event\n    ret\n"),
               .inputs = {InputObject::shared(counter_id())}};
    const Transaction tx = scenario_transaction(s);
    InMemoryState first_state = scenario_state(s);
    InMemoryState second_state = scenario_state(s);
    auto first = execute_transaction(tx, first_state);
    // Through an overlay with nothing applied: the same reads, so the same result.
    StateOverlay overlay(second_state);
    auto second = execute_transaction(tx, overlay);
    REQUIRE(first.is_ok());
    REQUIRE(second.is_ok());
    REQUIRE(first->effects.status.is_success());
    CHECK(first->effects.created.size() == 2);
    CHECK(canonical_effects_bytes(first->effects) == canonical_effects_bytes(second->effects));
    CHECK(effects_digest(first->effects) == effects_digest(second->effects));
    CHECK(first->table == second->table);
}

TEST_CASE("exec: a created id that is taken aborts (the same transaction executed twice)",
          "[exec]") {
    Scenario s{.name = "create",
               .source =
                   ".func main\n    pushc \"t\"\n    pushc \"c\"\n    host object_create\n"
                   "    pop\n    ret\n"};
    const Transaction tx = scenario_transaction(s);
    InMemoryState state = scenario_state(s);
    auto first = execute_transaction(tx, state);
    REQUIRE(first.is_ok());
    REQUIRE(first->effects.status.is_success());
    apply_effects(state, first->effects);
    auto second = execute_transaction(tx, state);
    REQUIRE(second.is_ok());
    CHECK(second->effects.status.code == AbortCode::kHostError);
    CHECK(second->effects.status.abort_value == vm::host_error::kAlreadyExists);
    CHECK(second->effects.created.empty());
}

}  // namespace remora::executor::testing
