// The success path of every host call, as data (docs/execution.md, "Permissions"), with the
// version rule on each change. Each row also checks determinism and honest hints.

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "executor/exec/rules.h"
#include "executor/tx/ids.h"
#include "executor/vm/precompiles.h"
#include "tests/executor/exec_support.h"
#include "tests/executor/tx_fixtures.h"

namespace remora::executor::testing {
namespace {

// Emits event `tag` with the bytes on top of the stack (a program fragment).
std::string emit_top(const std::string& tag) {
    return "    pushc \"" + tag + "\"\n    swap\n    host emit_event\n";
}

Bytes view_bytes(const common::Hash256& h) { return Bytes(h.view()); }

std::vector<Scenario> object_scenarios() {
    return {
        {.name = "input_read (exact gas)",
         .source = ".func main\n    push 0\n    host input_read\n    pop\n    ret\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         // VM: push 1 + input_read 200 + 3 per output word + pop 1 + ret 5.
         .expect = {.gas = intrinsic(1) + 210}},
        {.name = "input_id and object_read",
         .source = ".func main\n    push 0\n    host input_id\n    dup\n" + emit_top("id") +
                   "    host object_read\n" + emit_top("read") + "    ret\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = {.events = {{"id", view_bytes(coin_id())}, {"read", be64(100)}}}},
        {.name = "object_write of an owned input",
         .source = ".func main\n    push 0\n    host input_id\n    pushc \"new\"\n"
                   "    host object_write\n    ret\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = {.written = {coin_id()}, .version = 4},
         .check =
             [](const Transaction&, const ExecutionResult& r) {
                 const Object& coin = changed_object(r.effects, coin_id());
                 CHECK(coin.contents == "new");
                 CHECK(coin.type_tag == "coin");
                 CHECK(coin.owner == Owner{OwnedByAddress{alice_address()}});
             }},
        {.name = "object_write of a shared input (counter increment)",
         .source = ".func main\n    push 0\n    host input_read\n    btoi\n    push 1\n    add\n"
                   "    itob\n    push 0\n    host input_id\n    swap\n    host object_write\n"
                   "    push 0\n    host input_read\n" +
                   emit_top("counter") + "    ret\n",
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.written = {counter_id()}, .version = 8, .events = {{"counter", be64(6)}}}},
        {.name = "object_create",
         .source = ".func main\n    pushc \"thing\"\n    pushc \"hello\"\n    host object_create\n"
                   "    pop\n    ret\n",
         // Reads: the package (version 1) and the absent created id: 1 + 1.
         .expect = {.created_new = 1, .version = 2},
         .check =
             [](const Transaction& tx, const ExecutionResult& r) {
                 const Object& made =
                     changed_object(r.effects, created_object_id(transaction_digest(tx), 0));
                 CHECK(made.owner == Owner{OwnedByAddress{alice_address()}});
                 CHECK(made.type_tag == "thing");
                 CHECK(made.contents == "hello");
             }},
        {.name = "object_delete",
         .source = ".func main\n    push 0\n    host input_id\n    host object_delete\n    ret\n",
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = {.deleted = {coin_id()}, .version = 4}},
        {.name = "object_transfer",
         .source = program(".func main\n    push 0\n    host input_id\n    pushc {BOB}\n"
                           "    host object_transfer\n    ret\n"),
         .inputs = {InputObject::owned(coin_id(), 3)},
         .expect = {.written = {coin_id()}, .version = 4},
         .check =
             [](const Transaction&, const ExecutionResult& r) {
                 const Object& coin = changed_object(r.effects, coin_id());
                 CHECK(coin.owner == Owner{OwnedByAddress{bob_address()}});
                 CHECK(coin.contents == be64(100));
             }},
        {.name = "create, write and transfer in one transaction",
         .source = program(".func main locals=1\n    pushc \"thing\"\n    pushc \"a\"\n"
                           "    host object_create\n    store 0\n    load 0\n    pushc \"b\"\n"
                           "    host object_write\n    load 0\n    pushc {BOB}\n"
                           "    host object_transfer\n    ret\n"),
         .expect = {.created_new = 1, .version = 2},
         .check =
             [](const Transaction& tx, const ExecutionResult& r) {
                 const Object& made =
                     changed_object(r.effects, created_object_id(transaction_digest(tx), 0));
                 CHECK(made.owner == Owner{OwnedByAddress{bob_address()}});
                 CHECK(made.contents == "b");
             }},
        {.name = "create then delete leaves no trace",
         .source = ".func main\n    pushc \"thing\"\n    pushc \"a\"\n    host object_create\n"
                   "    host object_delete\n    ret\n",
         .expect = {}},
        {.name = "immutable input and its child are readable",
         .source = program(".func main\n    push 0\n    host input_read\n" + emit_top("cfg") +
                           "    pushc {CONFIG}\n    pushc \"c\"\n    host child_get\n" +
                           emit_top("child") + "    ret\n"),
         .inputs = {InputObject::owned(config_id(), 2)},
         .expect = {.events = {{"cfg", "cfg"}, {"child", "cc"}}}},
        {.name = "inline bytecode",
         .source = ".func first\n    pushc \"e\"\n    pushc \"inline\"\n    host emit_event\n"
                   "    ret\n",
         .tweak = Tweak::kInline,
         .expect = {.events = {{"e", "inline"}}}},
        {.name = "arguments reach the entry",
         .source = ".func main args=2\n    load 0\n    itob\n    load 1\n    concat\n" +
                   emit_top("args") + "    ret\n",
         .args = {Value{std::uint64_t{258}}, Value{Bytes("xy")}},
         .expect = {.events = {{"args", be64(258) + "xy"}}}},
    };
}

std::vector<Scenario> child_scenarios() {
    const ObjectId kid = child_id(counter_id(), "k");
    return {
        {.name = "child_get",
         .source =
             program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n    host child_get\n" +
                     emit_top("got") + "    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.events = {{"got", "kid"}}}},
        {.name = "child_exists, present and absent",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n"
                           "    host child_exists\n    itob\n" +
                           emit_top("k") +
                           "    pushc {COUNTER}\n    pushc \"none\"\n    host child_exists\n"
                           "    itob\n" +
                           emit_top("none") + "    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.events = {{"k", be64(1)}, {"none", be64(0)}}}},
        {.name = "child_set creates a child",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"new\"\n    pushc \"v\"\n"
                           "    host child_set\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.created = {child_id(counter_id(), "new")}, .version = 8},
         .check =
             [](const Transaction&, const ExecutionResult& r) {
                 const Object& c = changed_object(r.effects, child_id(counter_id(), "new"));
                 CHECK(c.owner == Owner{OwnedByParent{counter_id()}});
                 CHECK(c.type_tag == kChildTypeTag);
                 CHECK(c.contents == "v");
             }},
        {.name = "child_set overwrites a child",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n    pushc \"v2\"\n"
                           "    host child_set\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         // Reads: counter 7, package 1, child 9.
         .expect = {.written = {kid}, .version = 10}},
        {.name = "child_remove",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n"
                           "    host child_remove\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.deleted = {kid}, .version = 10}},
        {.name = "child_remove then child_set: written, not re-created",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n"
                           "    host child_remove\n    pushc {COUNTER}\n    pushc \"k\"\n"
                           "    pushc \"again\"\n    host child_set\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.written = {kid}, .version = 10},
         .check =
             [kid](const Transaction&, const ExecutionResult& r) {
                 const Object& c = changed_object(r.effects, kid);
                 CHECK(c.contents == "again");
                 CHECK(c.type_tag == "child");
             }},
        {.name = "re-created child gets a version above its tombstone",
         .source = program(".func main\n    pushc {COUNTER}\n    pushc \"gone\"\n"
                           "    pushc \"back\"\n    host child_set\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .expect = {.created = {child_id(counter_id(), "gone")}, .version = 41}},
        {.name = "a child of a child",
         .source = program(".func main args=1\n    pushc {COUNTER}\n    pushc \"a\"\n"
                           "    pushc \"1\"\n    host child_set\n    load 0\n    pushc \"b\"\n"
                           "    pushc \"2\"\n    host child_set\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .args = {Value{Bytes(child_id(counter_id(), "a").view())}},
         .expect = {.created = {child_id(counter_id(), "a"),
                                child_id(child_id(counter_id(), "a"), "b")},
                    .version = 8}},
        {.name = "object_write on a reached child",
         .source = program(".func main args=1\n    pushc {COUNTER}\n    pushc \"k\"\n"
                           "    host child_exists\n    pop\n    load 0\n    pushc \"w\"\n"
                           "    host object_write\n    ret\n"),
         .inputs = {InputObject::shared(counter_id())},
         .args = {Value{Bytes(kid.view())}},
         .expect = {.written = {kid}, .version = 10}},
    };
}

std::vector<Scenario> precompile_and_context_scenarios() {
    const Signature sig = sign(alice(), "m");
    const Bytes abc_sha256 =
        common::from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            .value();
    const common::Hash256 h1 = common::blake2b_256("abc");
    const common::Hash256 h3 = common::blake2b_256(common::blake2b_256(h1.view()).view());
    return {
        {.name = "blake2b_256",
         .source =
             ".func main\n    pushc \"abc\"\n    host blake2b_256\n" + emit_top("h") + "    ret\n",
         .expect = {.events = {{"h", view_bytes(h1)}}}},
        {.name = "sha256",
         .source = ".func main\n    pushc \"abc\"\n    host sha256\n" + emit_top("h") + "    ret\n",
         .expect = {.events = {{"h", abc_sha256}}}},
        {.name = "ed25519_verify, good and bad",
         .source = ".func main args=3\n    load 0\n    load 1\n    load 2\n"
                   "    host ed25519_verify\n    itob\n" +
                   emit_top("good") +
                   "    load 0\n    pushc \"other\"\n    load 2\n    host ed25519_verify\n"
                   "    itob\n" +
                   emit_top("bad") + "    ret\n",
         .args = {Value{Bytes(alice().public_key.view())}, Value{Bytes("m")},
                  Value{Bytes(sig.view())}},
         .expect = {.events = {{"good", be64(1)}, {"bad", be64(0)}}}},
        {.name = "iterated_hash",
         .source = ".func main\n    pushc \"abc\"\n    push 3\n    host iterated_hash\n" +
                   emit_top("h") + "    ret\n",
         .expect = {.events = {{"h", view_bytes(h3)}}}},
        {.name = "events keep their order",
         .source = ".func main\n    pushc \"b\"\n    pushc \"1\"\n    host emit_event\n"
                   "    pushc \"a\"\n    pushc \"2\"\n    host emit_event\n    ret\n",
         .expect = {.events = {{"b", "1"}, {"a", "2"}}}},
        {.name = "tx_sender",
         .source = ".func main\n    host tx_sender\n" + emit_top("sender") + "    ret\n",
         .expect = {.events = {{"sender", view_bytes(alice_address())}}}},
    };
}

}  // namespace

TEST_CASE("exec: object host calls", "[exec]") {
    for (const Scenario& s : object_scenarios()) run_scenario(s);
}

TEST_CASE("exec: dynamic child host calls", "[exec]") {
    for (const Scenario& s : child_scenarios()) run_scenario(s);
}

TEST_CASE("exec: a child of an object created by the same transaction", "[exec]") {
    Scenario s{.name = "child of created",
               .source =
                   ".func main\n    pushc \"thing\"\n    pushc \"a\"\n"
                   "    host object_create\n    pushc \"key\"\n    pushc \"v\"\n"
                   "    host child_set\n    ret\n"};
    const Transaction tx = scenario_transaction(s);
    InMemoryState state = scenario_state(s);
    auto r = execute_transaction(tx, state);
    REQUIRE(r.is_ok());
    REQUIRE(r->effects.status.is_success());
    const ObjectId made = created_object_id(transaction_digest(tx), 0);
    REQUIRE(r->effects.created.size() == 2);
    const Object& c = changed_object(r->effects, child_id(made, "key"));
    CHECK(c.owner == Owner{OwnedByParent{made}});
    CHECK(c.version == 2);
    CHECK(changed_object(r->effects, made).version == 2);
}

TEST_CASE("exec: precompiles, events and the sender", "[exec]") {
    for (const Scenario& s : precompile_and_context_scenarios()) run_scenario(s);
}

}  // namespace remora::executor::testing
