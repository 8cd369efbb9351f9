#include "tests/executor/exec_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "executor/exec/package_object.h"
#include "executor/tx/authenticators.h"
#include "executor/tx/ids.h"
#include "executor/tx/lookup_table.h"
#include "executor/vm/assembler.h"
#include "executor/vm/package_codec.h"
#include "tests/executor/tx_fixtures.h"

namespace remora::executor::testing {
namespace {

Object make(const ObjectId& id, Version version, Owner owner, std::string tag,
            std::string contents) {
    return Object{id, version, owner, std::move(tag), std::move(contents)};
}

std::string literal(const common::Hash256& h) { return "0x" + h.hex(); }

void replace_all(std::string& text, std::string_view from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

vm::Package assemble_or_fail(const std::string& source) {
    auto package = vm::assemble(source);
    INFO(source);
    REQUIRE(package.is_ok());
    return std::move(package.value());
}

std::vector<ObjectId> sorted(std::vector<ObjectId> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
}

template <typename T>
std::vector<ObjectId> ids_of(const std::vector<T>& items) {
    std::vector<ObjectId> ids;
    for (const T& item : items) ids.push_back(item.id);
    return ids;
}

}  // namespace

ObjectId coin_id() { return hash_of(0x11); }
ObjectId bob_coin_id() { return hash_of(0x12); }
ObjectId counter_id() { return hash_of(0x13); }
ObjectId config_id() { return hash_of(0x14); }
ObjectId package_id() { return hash_of(0x50); }
ObjectId deleted_id() { return hash_of(0x16); }
ObjectId child_id(const ObjectId& parent, std::string_view key) {
    return dynamic_object_id(parent, key);
}
Address alice_address() { return address_of(alice().public_key); }
Address bob_address() { return address_of(bob().public_key); }

Bytes be64(std::uint64_t v) {
    Bytes out;
    common::put_be64(out, v);
    return out;
}

std::uint64_t intrinsic(std::size_t inputs) { return 1000 + 3000 + 300 * inputs; }

InMemoryState standard_world() {
    InMemoryState state;
    state.put(make(coin_id(), 3, OwnedByAddress{alice_address()}, "coin", be64(100)));
    state.put(make(bob_coin_id(), 4, OwnedByAddress{bob_address()}, "coin", be64(50)));
    state.put(make(counter_id(), 7, SharedOwner{}, "counter", be64(5)));
    state.put(make(config_id(), 2, ImmutableOwner{}, "config", "cfg"));
    state.put(make(child_id(counter_id(), "k"), 9, OwnedByParent{counter_id()}, "child", "kid"));
    state.put(make(child_id(config_id(), "c"), 2, OwnedByParent{config_id()}, "child", "cc"));
    state.erase(child_id(counter_id(), "gone"), 40);
    state.erase(deleted_id(), 12);
    return state;
}

std::string program(std::string_view text) {
    std::string out(text);
    replace_all(out, "{COIN}", literal(coin_id()));
    replace_all(out, "{BOB_COIN}", literal(bob_coin_id()));
    replace_all(out, "{COUNTER}", literal(counter_id()));
    replace_all(out, "{CONFIG}", literal(config_id()));
    replace_all(out, "{BOB}", literal(bob_address()));
    replace_all(out, "{ALICE}", literal(alice_address()));
    return out;
}

std::string repeat_program(std::uint64_t n, std::string_view body, int locals) {
    return program(".func main locals=" + std::to_string(locals) + "\nloop:\n" + std::string(body) +
                   "\n    load 0\n    push 1\n    add\n    dup\n    store 0\n    push " +
                   std::to_string(n) + "\n    lt\n    jnz loop\n    ret\n");
}

std::string big_literal(std::size_t n) { return "0x" + common::to_hex(std::string(n, 'a')); }

Transaction scenario_transaction(const Scenario& s) {
    Transaction tx;
    tx.sender = alice_address();
    tx.nonce = 1;
    tx.inputs = s.inputs;
    tx.gas_budget = s.gas;
    tx.arguments = s.args;
    switch (s.tweak) {
        case Tweak::kInline:
            tx.program = InlineBytecode{vm::encode_package(assemble_or_fail(s.source))};
            break;
        case Tweak::kInlineRaw:
            tx.program = InlineBytecode{s.source};
            break;
        case Tweak::kMissingPackage:
            tx.program = PackageCall{hash_of(0x5F), s.entry};
            break;
        case Tweak::kNotAPackage:
            tx.program = PackageCall{coin_id(), s.entry};
            break;
        default:
            tx.program = PackageCall{package_id(), s.entry};
            break;
    }
    const KeyPair signer = s.tweak == Tweak::kSignedByBob ? bob() : alice();
    sign_transaction(tx, std::span<const KeyPair>(&signer, 1));
    if (s.tweak == Tweak::kBadSignature) tx.authenticators[0].signature.bytes[5] ^= 0x01;
    return tx;
}

InMemoryState scenario_state(const Scenario& s) {
    InMemoryState state = standard_world();
    for (const Object& object : s.pre) state.put(object);
    switch (s.tweak) {
        case Tweak::kInline:
        case Tweak::kInlineRaw:
        case Tweak::kMissingPackage:
        case Tweak::kNotAPackage:
            break;
        case Tweak::kGarbagePackage:
            state.put(make(package_id(), 1, ImmutableOwner{}, "package", "garbage"));
            break;
        case Tweak::kUnverifiedPackage:
            state.put(make(package_id(), 1, ImmutableOwner{}, "package",
                           vm::encode_package(assemble_or_fail(s.source))));
            break;
        default: {
            auto object = make_package_object(package_id(), 1, assemble_or_fail(s.source));
            REQUIRE(object.is_ok());
            state.put(object.value());
        }
    }
    return state;
}

const Object& changed_object(const Effects& effects, const ObjectId& id) {
    for (const auto* list : {&effects.written, &effects.created}) {
        for (const Object& object : *list) {
            if (object.id == id) return object;
        }
    }
    FAIL("object " << id.hex() << " is neither written nor created");
    throw std::logic_error("unreachable");
}

void run_scenario(const Scenario& s) {
    INFO("scenario: " << s.name);
    const Transaction tx = scenario_transaction(s);
    InMemoryState state = scenario_state(s);
    auto result = execute_transaction(tx, state);
    REQUIRE(result.is_ok());
    const Effects& e = result->effects;
    INFO("status " << abort_code_name(e.status.code) << " value " << e.status.abort_value
                   << " detail: " << e.status.detail);
    CHECK(e.tx_digest == transaction_digest(tx));
    CHECK(e.status.code == s.expect.code);
    CHECK(e.status.abort_value == s.expect.abort_value);
    CHECK(e.status.detail.find(s.expect.detail_has) != std::string::npos);
    CHECK(validate_effects(e).is_ok());
    CHECK(validate_lookup_table(result->table).is_ok());

    std::vector<ObjectId> created = s.expect.created;
    for (std::size_t i = 0; i < s.expect.created_new; ++i) {
        created.push_back(created_object_id(e.tx_digest, static_cast<std::uint32_t>(i)));
    }
    CHECK(ids_of(e.written) == sorted(s.expect.written));
    CHECK(ids_of(e.created) == sorted(created));
    CHECK(ids_of(e.deleted) == sorted(s.expect.deleted));
    for (const auto* list : {&e.written, &e.created}) {
        for (const Object& object : *list) CHECK(object.version == s.expect.version);
    }
    for (const DeletedObject& d : e.deleted) CHECK(d.version == s.expect.version);
    CHECK(e.events == s.expect.events);
    if (s.expect.gas != 0) {
        CHECK(e.gas_used == s.expect.gas);
    } else {
        CHECK(e.gas_used > 0);
    }
    CHECK(e.gas_used <= tx.gas_budget);
    CHECK(e.gas_used >= std::min(intrinsic(tx.inputs.size()), tx.gas_budget));
    if (s.check) s.check(tx, result.value());

    // Determinism: the same transaction against the same state, twice.
    auto again = execute_transaction(tx, state);
    REQUIRE(again.is_ok());
    CHECK(canonical_effects_bytes(again->effects) == canonical_effects_bytes(e));
    CHECK(again->table == result->table);
    // Honest hints (this very run's table) change nothing.
    ExecutionOptions options;
    options.hints = &result->table;
    auto hinted = execute_transaction(tx, state, options);
    REQUIRE(hinted.is_ok());
    CHECK(canonical_effects_bytes(hinted->effects) == canonical_effects_bytes(e));
    CHECK(hinted->table == result->table);
}

}  // namespace remora::executor::testing
