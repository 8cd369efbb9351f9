// Canonical bytes, digests and id derivations: golden vectors and sensitivity to every field.

#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/hash.h"
#include "executor/tx/authenticators.h"
#include "executor/tx/ids.h"
#include "tests/executor/tx_fixtures.h"

using namespace remora::executor;
using namespace remora::executor::testing;
namespace common = remora::common;
using remora::common::to_hex;

namespace {

// 32 copies of a byte as hex.
std::string hex32(const char* byte_hex) {
    std::string out;
    for (int i = 0; i < 32; ++i) out += byte_hex;
    return out;
}

}  // namespace

TEST_CASE("canonical transaction bytes follow docs/transactions.md byte by byte", "[tx][digest]") {
    Transaction tx;
    tx.sender = hash_of(0xAA);
    tx.nonce = 1;
    tx.gas_budget = 0x0102;
    tx.inputs = {InputObject::owned(hash_of(0x11), 3), InputObject::shared(hash_of(0x13))};
    tx.program = PackageCall{hash_of(0x50), "f"};
    tx.arguments = {Value{std::uint64_t{5}}, Value{Bytes("ab")}};
    // Authenticators are not part of the canonical bytes.
    tx.authenticators = {Authenticator{alice().public_key, Signature{}}};

    const std::string expected = "00000015" + to_hex("remora/transaction/v1") +  // domain tag
                                 hex32("aa") +                                   // sender
                                 "0000000000000001" +                            // nonce
                                 "0000000000000102" +                            // gas budget
                                 "00000002" +                                    // 2 inputs
                                 hex32("11") + "00" + "0000000000000003" +  //   owned at version 3
                                 hex32("13") + "01" +                       //   shared: no version
                                 "00" + hex32("50") + "00000001" + "66" +   // package call "f"
                                 "00000002" +                               // 2 arguments
                                 "00" + "0000000000000005" +                //   u64 5
                                 "01" + "00000002" + "6162";                //   bytes "ab"
    CHECK(to_hex(canonical_transaction_bytes(tx)) == expected);

    tx.program = InlineBytecode{Bytes("\x01\x02", 2)};
    tx.arguments.clear();
    const std::string inline_tail = "01" + std::string("00000002") + "0102" + "00000000";
    CHECK(to_hex(canonical_transaction_bytes(tx)) ==
          expected.substr(0, expected.find("00" + hex32("50"))) + inline_tail);
}

TEST_CASE("the sample transaction's digest is a fixed golden vector", "[tx][digest]") {
    // Regression anchor: computed once from sample_transaction() (keys from fixed seeds). If
    // this changes, the canonical encoding changed, and so did every digest, signature and
    // created object id ever produced: that needs a new domain tag version, not a new constant.
    const Transaction tx = sample_transaction();
    CHECK(transaction_digest(tx).hex() ==
          "d74b1c9b41baac5a279ad4d3dc4c585b13e9f608401b34ab032788e57cb49db4");
    CHECK(address_of(alice().public_key).hex() ==
          "6713f6a501d6936b7b5f04ebc88746ecc1b456590508b1a77b69e9882edf536e");
    CHECK(effects_digest(sample_effects()).hex() ==
          "57f232af2cb65a86c621f48a932a0eb01ac3e5dbba388710fb9b7fb875c31c25");
    CHECK(created_object_id(transaction_digest(tx), 0).hex() ==
          "360394aab43b048f56a4b053a470eb77e6c5214c1b8dc4b540053cd16443266a");
    CHECK(dynamic_object_id(hash_of(0x11), "key").hex() ==
          "f43aef4017b0ee189e6684e9bdc95f65c61ee3a217d7cc4079146ba48405dc32");
}

TEST_CASE("changing any single transaction field changes the digest", "[tx][digest]") {
    const Transaction base = sample_transaction();
    using Mutation = std::function<void(Transaction&)>;
    const std::vector<std::pair<const char*, Mutation>> mutations = {
        {"sender", [](Transaction& t) { t.sender.bytes[31] ^= 1; }},
        {"nonce", [](Transaction& t) { t.nonce += 1; }},
        {"gas_budget", [](Transaction& t) { t.gas_budget += 1; }},
        {"input id", [](Transaction& t) { t.inputs[0].id.bytes[0] ^= 1; }},
        {"input version", [](Transaction& t) { t.inputs[1].version += 1; }},
        {"input kind", [](Transaction& t) { t.inputs[0] = InputObject::shared(t.inputs[0].id); }},
        {"input order", [](Transaction& t) { std::swap(t.inputs[0], t.inputs[1]); }},
        {"input removed", [](Transaction& t) { t.inputs.pop_back(); }},
        {"input added",
         [](Transaction& t) { t.inputs.push_back(InputObject::shared(hash_of(9))); }},
        {"package id",
         [](Transaction& t) { std::get<PackageCall>(t.program).package_id.bytes[5] ^= 1; }},
        {"entry point",
         [](Transaction& t) { std::get<PackageCall>(t.program).entry_point += "x"; }},
        {"program kind", [](Transaction& t) { t.program = InlineBytecode{"transfer"}; }},
        {"argument value", [](Transaction& t) { t.arguments[0] = Value{std::uint64_t{501}}; }},
        {"argument kind", [](Transaction& t) { t.arguments[1] = Value{std::uint64_t{0}}; }},
        {"argument bytes", [](Transaction& t) { std::get<Bytes>(t.arguments[1]) += "!"; }},
        {"argument order", [](Transaction& t) { std::swap(t.arguments[0], t.arguments[1]); }},
        {"argument removed", [](Transaction& t) { t.arguments.pop_back(); }},
    };
    std::set<std::string> digests = {transaction_digest(base).hex()};
    for (const auto& [name, mutate] : mutations) {
        Transaction changed = base;
        mutate(changed);
        INFO(name);
        CHECK(transaction_digest(changed) != transaction_digest(base));
        digests.insert(transaction_digest(changed).hex());
    }
    CHECK(digests.size() == mutations.size() + 1);  // all distinct, not only from the base

    Transaction resigned = base;
    KeyPair signers[] = {bob()};
    sign_transaction(resigned, signers);
    CHECK(transaction_digest(resigned) == transaction_digest(base));  // signatures are outside
}

TEST_CASE("canonical effects bytes follow docs/transactions.md byte by byte", "[tx][digest]") {
    Effects e;
    e.tx_digest = hash_of(0xDD);
    e.status = {AbortCode::kUserAbort, 7, "x"};
    e.gas_used = 9;
    e.written = {Object{hash_of(0x01), 2, OwnedByParent{hash_of(0x02)}, "t", "c"}};
    e.deleted = {DeletedObject{hash_of(0x03), 2}};
    e.events = {Event{"e", "d"}};
    const std::string expected =
        "00000011" + to_hex("remora/effects/v1") + hex32("dd") + "0015" + "0000000000000007" +
        "00000001" + "78" +                                  // UserAbort(7), detail "x"
        "0000000000000009" +                                 // gas used
        "00000001" + hex32("01") + "0000000000000002" +      // 1 written: id, version
        "02" + hex32("02") +                                 //   owner: parent
        "00000001" + "74" + "00000001" + "63" +              //   type tag "t", contents "c"
        "00000000" +                                         // 0 created
        "00000001" + hex32("03") + "0000000000000002" +      // 1 deleted
        "00000001" + "00000001" + "65" + "00000001" + "64";  // 1 event "e": "d"
    CHECK(to_hex(canonical_effects_bytes(e)) == expected);
}

TEST_CASE("changing any effects field changes the effects digest", "[tx][digest]") {
    const Effects base = sample_effects();
    using Mutation = std::function<void(Effects&)>;
    const std::vector<std::pair<const char*, Mutation>> mutations = {
        {"tx digest", [](Effects& e) { e.tx_digest.bytes[0] ^= 1; }},
        {"status",
         [](Effects& e) {
             e.status = {AbortCode::kOutOfGas, 0, "out of gas"};
         }},
        {"gas used", [](Effects& e) { e.gas_used += 1; }},
        {"written contents", [](Effects& e) { e.written[0].contents += "!"; }},
        {"written owner", [](Effects& e) { e.written[0].owner = SharedOwner{}; }},
        {"written type tag", [](Effects& e) { e.written[0].type_tag = "other"; }},
        {"created version", [](Effects& e) { e.created[1].version += 1; }},
        {"created moved to written",
         [](Effects& e) {
             e.written.push_back(e.created.back());
             e.created.pop_back();
             normalize_effects(e);
         }},
        {"deleted removed", [](Effects& e) { e.deleted.clear(); }},
        {"event data", [](Effects& e) { e.events[0].data += "!"; }},
        {"event order", [](Effects& e) { std::swap(e.events[0], e.events[1]); }},
    };
    for (const auto& [name, mutate] : mutations) {
        Effects changed = base;
        mutate(changed);
        INFO(name);
        CHECK(effects_digest(changed) != effects_digest(base));
    }
}

TEST_CASE("address, created and dynamic ids are domain-separated derivations", "[tx][ids]") {
    const Digest tx = transaction_digest(sample_transaction());
    CHECK(created_object_id(tx, 0) != created_object_id(tx, 1));
    CHECK(created_object_id(tx, 0) !=
          created_object_id(transaction_digest(sample_inline_transaction()), 0));
    CHECK(dynamic_object_id(hash_of(1), "a") != dynamic_object_id(hash_of(1), "b"));
    CHECK(dynamic_object_id(hash_of(1), "a") != dynamic_object_id(hash_of(2), "a"));
    CHECK(address_of(alice().public_key) != address_of(bob().public_key));
    // The documented preimages, rebuilt by hand.
    Bytes index;
    remora::common::put_be32(index, 1);
    CHECK(created_object_id(tx, 1) ==
          remora::common::blake2b_256(
              {Bytes("\0\0\0\x18", 4), "remora/created-object/v1", tx.view(), index}));
    CHECK(dynamic_object_id(hash_of(1), "k") ==
          remora::common::blake2b_256(
              {Bytes("\0\0\0\x18", 4), "remora/dynamic-object/v1", hash_of(1).view(), "k"}));
    CHECK(address_of(alice().public_key) ==
          remora::common::blake2b_256(
              {Bytes("\0\0\0\x11", 4), "remora/address/v1", alice().public_key.view()}));
}

TEST_CASE("the version rule is 1 + the highest version read", "[tx][ids]") {
    CHECK(*output_version(std::vector<Version>{}) == 1);
    CHECK(*output_version(std::vector<Version>{3, 9, 4}) == 10);
    CHECK(*output_version(std::vector<Version>{0}) == 1);
    // A lookup table's absent reads count with their tombstone version.
    CHECK(*output_version(sample_lookup_table()) == 9);
    LookupTable t = sample_lookup_table();
    t.reads[2].version = 40;  // a dynamic read that found a tombstone at 40
    CHECK(*output_version(t) == 41);
    auto overflow = output_version(std::vector<Version>{limits::kVersionMax});
    REQUIRE_FALSE(overflow.is_ok());
    CHECK(overflow.status().message().find("no higher version") != std::string::npos);
    CHECK(*output_version(std::vector<Version>{limits::kVersionMax - 1}) == limits::kVersionMax);
}
