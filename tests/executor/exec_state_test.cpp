// State plumbing around the executor function: applying effects, the per-commit overlay,
// state failures, invalid transactions, the VM status mapping and package objects.

#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <random>

#include "executor/exec/execute.h"
#include "executor/exec/package_object.h"
#include "executor/exec/state_overlay.h"
#include "executor/exec/vm_status.h"
#include "executor/tx/limits.h"
#include "executor/vm/assembler.h"
#include "tests/executor/exec_support.h"
#include "tests/executor/tx_fixtures.h"

namespace remora::executor::testing {
namespace {

// Fails every read of one id, or answers it with another object (a corrupt store).
class BrokenState : public StateReader {
public:
    BrokenState(StateReader& base, ObjectId bad, bool corrupt)
        : m_base(base), m_bad(bad), m_corrupt(corrupt) {}
    common::Result<ObjectLookup> read(const ObjectId& id) override {
        if (id != m_bad) return m_base.read(id);
        if (!m_corrupt) return common::Status(common::Code::kIoError, "disk on fire");
        Object other{hash_of(0xEE), 1, SharedOwner{}, "x", "y"};
        return ObjectLookup{other, 1};
    }

private:
    StateReader& m_base;
    ObjectId m_bad;
    bool m_corrupt;
};

std::string letters_only(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c != '_') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

Scenario increment(std::uint64_t nonce_marker) {
    // The marker makes the transactions distinct (it is an argument, so the digest differs).
    return {.name = "increment",
            .source =
                ".func main args=1\n    push 0\n    host input_read\n    btoi\n    push 1\n"
                "    add\n    itob\n    push 0\n    host input_id\n    swap\n"
                "    host object_write\n    ret\n",
            .inputs = {InputObject::shared(counter_id())},
            .args = {Value{nonce_marker}}};
}

}  // namespace

TEST_CASE("exec: a commit's transactions see the effects of the ones before", "[exec]") {
    Scenario first = increment(1);
    InMemoryState base = scenario_state(first);
    StateOverlay overlay(base);
    Version expected_version = 8;
    for (std::uint64_t i = 1; i <= 3; ++i) {
        auto r = execute_transaction(scenario_transaction(increment(i)), overlay);
        REQUIRE(r.is_ok());
        REQUIRE(r->effects.status.is_success());
        CHECK(r->effects.written.at(0).version == expected_version);
        CHECK(r->effects.written.at(0).contents == be64(5 + i));
        overlay.apply(r->effects);
        ++expected_version;
    }
    // The base is untouched; the overlay holds the newest counter.
    CHECK(base.read(counter_id()).value().version == 7);
    CHECK(overlay.read(counter_id()).value().version == 10);
    CHECK(overlay.changes().size() == 1);
    overlay.clear();
    CHECK(overlay.read(counter_id()).value().version == 7);
}

TEST_CASE("exec: apply_effects writes objects and tombstones; aborts change nothing", "[exec]") {
    InMemoryState state = standard_world();
    Effects e;
    e.written = {Object{counter_id(), 9, SharedOwner{}, "counter", "w"}};
    e.created = {Object{hash_of(0x61), 9, OwnedByAddress{alice_address()}, "t", "c"}};
    e.deleted = {DeletedObject{coin_id(), 9}};
    Effects aborted = e;
    aborted.status.code = AbortCode::kUserAbort;
    InMemoryState untouched = standard_world();
    apply_effects(untouched, aborted);
    CHECK(untouched.entries() == standard_world().entries());

    apply_effects(state, e);
    CHECK(state.read(counter_id()).value().object->contents == "w");
    CHECK(state.read(hash_of(0x61)).value().version == 9);
    ObjectLookup gone = state.read(coin_id()).value();
    CHECK_FALSE(gone.exists());
    CHECK(gone.version == 9);

    InMemoryState base = standard_world();
    StateOverlay overlay(base);
    overlay.apply(e);
    for (const ObjectId& id : {counter_id(), hash_of(0x61), coin_id(), config_id()}) {
        auto a = overlay.read(id).value();
        auto b = state.read(id).value();
        CHECK(a.object == b.object);
        CHECK(a.version == b.version);
    }
}

TEST_CASE("exec: a failing or corrupt state is an error, never effects", "[exec]") {
    Scenario s{.name = "reads",
               .source = program(".func main\n    pushc {COUNTER}\n    pushc \"k\"\n"
                                 "    host child_get\n    pop\n    ret\n"),
               .inputs = {InputObject::shared(counter_id())}};
    const Transaction tx = scenario_transaction(s);
    InMemoryState state = scenario_state(s);
    for (bool corrupt : {false, true}) {
        // A declared input, the package and a dynamic child: each read path.
        for (const ObjectId& bad : {counter_id(), package_id(), child_id(counter_id(), "k")}) {
            BrokenState broken(state, bad, corrupt);
            auto r = execute_transaction(tx, broken);
            REQUIRE_FALSE(r.is_ok());
            CHECK(r.status().code() ==
                  (corrupt ? common::Code::kCorruption : common::Code::kIoError));
        }
    }
}

TEST_CASE("exec: an invalid transaction is an error", "[exec]") {
    Scenario s{.name = "noop", .source = ".func main\n    ret\n"};
    Transaction tx = scenario_transaction(s);
    tx.authenticators.clear();
    InMemoryState state = scenario_state(s);
    auto r = execute_transaction(tx, state);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == common::Code::kInvalidArgument);
}

TEST_CASE("exec: VM statuses map to abort codes one for one", "[exec]") {
    for (std::uint8_t n = 1; n <= 16; ++n) {
        auto status = static_cast<vm::ExecStatus>(n);
        AbortCode code = abort_code_for(status);
        INFO(vm::exec_status_name(status));
        CHECK(static_cast<std::uint16_t>(code) == n + 8);
        CHECK(letters_only(abort_code_name(code)) == letters_only(vm::exec_status_name(status)));
    }
    CHECK(abort_code_for(vm::ExecStatus::kOk) == AbortCode::kNone);
    CHECK(abort_code_for(vm::ExecStatus::kInvalidEntry) == AbortCode::kInvalidEntry);
    CHECK(abort_code_for(vm::ExecStatus::kInvalidBytecode) == AbortCode::kBytecodeRejected);
}

TEST_CASE("exec: package objects", "[exec]") {
    auto package = vm::assemble(".func main\n    ret\n");
    REQUIRE(package.is_ok());
    auto object = make_package_object(hash_of(0x50), 1, package.value());
    REQUIRE(object.is_ok());
    CHECK(is_package_object(object.value()));
    CHECK(object->type_tag == "package");
    CHECK(validate_object(object.value()).is_ok());
    Object owned = object.value();
    owned.owner = OwnedByAddress{alice_address()};
    CHECK_FALSE(is_package_object(owned));

    // A package whose encoding is past an object's contents limit.
    vm::Package big = package.value();
    big.constants.emplace_back(limits::kObjectContentsBytesMax, 'a');
    auto too_big = make_package_object(hash_of(0x50), 1, big);
    REQUIRE_FALSE(too_big.is_ok());
    CHECK(too_big.status().code() == common::Code::kInvalidArgument);
}

TEST_CASE("exec: an overlay's changes come ordered by id, each its newest", "[exec]") {
    InMemoryState base = standard_world();
    StateOverlay overlay(base);
    std::map<ObjectId, Version> newest;  // the model: id -> newest version applied
    std::mt19937_64 rng(3);
    for (int round = 0; round < 200; ++round) {
        Effects e;
        const Version version = 10 + static_cast<Version>(round);
        for (int k = 0; k < 3; ++k) {
            const ObjectId id = hash_of(static_cast<std::uint8_t>(rng() % 40));
            if (newest.count(id) != 0 && newest[id] == version) continue;  // once per effects
            newest[id] = version;
            if (rng() % 3 == 0) {
                e.deleted.push_back(DeletedObject{id, version});
            } else {
                e.written.push_back(Object{id, version, SharedOwner{}, "t", "x"});
            }
        }
        overlay.apply(e);
    }
    const auto changes = overlay.changes();
    REQUIRE(changes.size() == newest.size());
    REQUIRE(overlay.change_count() == newest.size());
    auto expected = newest.begin();
    for (const StateOverlay::Change* change : changes) {
        CHECK(change->first == expected->first);
        CHECK(change->second.version == expected->second);
        ++expected;
    }
}

}  // namespace remora::executor::testing
