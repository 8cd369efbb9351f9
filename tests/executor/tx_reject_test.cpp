// Decoders reject structurally valid FlatBuffers whose values break a bound, with a message
// that names the field. Tests as data: a mutation of a valid raw buffer and the message part.

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "executor/tx/object_codec.h"
#include "executor/tx/transaction_codec.h"
#include "tests/executor/tx_fixtures.h"
#include "tests/executor/tx_raw.h"

using namespace remora::executor;
using namespace remora::executor::testing;
namespace common = remora::common;
using remora::common::Code;

namespace {}  // namespace

TEST_CASE("raw encodings of valid values decode (the rejection cases start valid)",
          "[tx][reject]") {
    CHECK(decode_object(encode_raw(raw_object(sample_object()))).is_ok());
    CHECK(decode_transaction(encode_raw(raw_transaction(sample_transaction()))).is_ok());
    CHECK(decode_transaction(encode_raw(raw_transaction(sample_inline_transaction()))).is_ok());
}

TEST_CASE("object decoding rejects out-of-bound fields", "[tx][reject]") {
    const std::vector<Case<RawObject>> cases = {
        {"short id", [](RawObject& o) { o.id = Bytes(31, 'i'); },
         "object.id: 31 bytes, expected exactly 32"},
        {"long id", [](RawObject& o) { o.id = Bytes(33, 'i'); },
         "object.id: 33 bytes, expected exactly 32"},
        {"no id", [](RawObject& o) { o.id.reset(); }, "object.id: missing"},
        {"owner kind", [](RawObject& o) { o.owner_kind = 4; },
         "object.owner_kind: unknown value 4"},
        {"owner id length", [](RawObject& o) { o.owner = Bytes(16, 'o'); },
         "object.owner: 16 bytes"},
        {"owner id missing", [](RawObject& o) { o.owner.reset(); }, "object.owner: missing"},
        {"owner id on shared", [](RawObject& o) { o.owner_kind = 1; },
         "object.owner: present, but an owner of kind Shared has no id"},
        {"owner id on immutable", [](RawObject& o) { o.owner_kind = 3; },
         "an owner of kind Immutable has no id"},
        {"version 0", [](RawObject& o) { o.version = 0; }, "object.version: 0 is outside 1.."},
        {"version 2^63", [](RawObject& o) { o.version = std::uint64_t{1} << 63; },
         "object.version: 9223372036854775808 is outside"},
        {"type tag", [](RawObject& o) { o.type_tag = Bytes(65, 't'); },
         "object.type_tag: 65 bytes exceed the limit of 64"},
        {"contents",
         [](RawObject& o) { o.contents = Bytes(limits::kObjectContentsBytesMax + 1, 'c'); },
         "object.contents: 64513 bytes exceed the limit of 64512"},
    };
    for (const auto& c : cases) {
        RawObject raw = raw_object(sample_object());
        c.mutate(raw);
        INFO(c.name);
        check_rejected(decode_object(encode_raw(raw)), c.message);
    }
}

TEST_CASE("transaction decoding rejects out-of-bound fields", "[tx][reject]") {
    const Bytes id32(32, 'x');
    const std::vector<Case<RawTransaction>> cases = {
        {"sender length", [](RawTransaction& t) { t.sender = Bytes(20, 's'); },
         "transaction.sender: 20 bytes, expected exactly 32"},
        {"no sender", [](RawTransaction& t) { t.sender.reset(); }, "transaction.sender: missing"},
        {"no authenticators", [](RawTransaction& t) { t.authenticators.clear(); },
         "transaction.authenticators: at least one is required"},
        {"too many authenticators",
         [](RawTransaction& t) { t.authenticators.resize(9, t.authenticators[0]); },
         "transaction.authenticators: 9 entries exceed the limit of 8"},
        {"public key length",
         [](RawTransaction& t) { t.authenticators[0].public_key = Bytes(31, 'k'); },
         "transaction.authenticators[0].public_key: 31 bytes, expected exactly 32"},
        {"signature length",
         [](RawTransaction& t) { t.authenticators[0].signature = Bytes(63, 's'); },
         "transaction.authenticators[0].signature: 63 bytes, expected exactly 64"},
        {"missing signature", [](RawTransaction& t) { t.authenticators[0].signature.reset(); },
         "transaction.authenticators[0].signature: missing"},
        {"input id length", [](RawTransaction& t) { t.inputs[1].id = Bytes(64, 'i'); },
         "transaction.inputs[1].id: 64 bytes"},
        {"input kind", [](RawTransaction& t) { t.inputs[2].kind = 2; },
         "transaction.inputs[2].kind: unknown value 2"},
        {"owned version 0", [](RawTransaction& t) { t.inputs[0].version = 0; },
         "transaction.inputs[0].version: owned input version 0"},
        {"shared with version", [](RawTransaction& t) { t.inputs[2].version = 5; },
         "transaction.inputs[2].version: a shared input carries no version (got 5)"},
        {"duplicate input", [](RawTransaction& t) { t.inputs[1].id = t.inputs[0].id; },
         "is declared twice"},
        {"too many inputs",
         [&](RawTransaction& t) {
             t.inputs.clear();
             for (std::size_t i = 0; i <= limits::kInputsMax; ++i) {
                 t.inputs.push_back({id32, 1, 0});
             }
         },
         "transaction.inputs: " + std::to_string(limits::kInputsMax + 1) +
             " entries exceed the limit of " + std::to_string(limits::kInputsMax)},
        {"program kind", [](RawTransaction& t) { t.program_kind = 2; },
         "transaction.program_kind: unknown value 2"},
        {"package id length", [](RawTransaction& t) { t.package_id = Bytes(3, 'p'); },
         "transaction.package_id: 3 bytes"},
        {"entry point empty", [](RawTransaction& t) { t.entry_point.emplace(); },
         "transaction.entry_point: \"\" (hex) is not an identifier"},
        {"entry point digit", [](RawTransaction& t) { t.entry_point.emplace("1go"); },
         "is not an identifier"},
        {"entry point space", [](RawTransaction& t) { t.entry_point.emplace("go on"); },
         "is not an identifier"},
        {"entry point length", [](RawTransaction& t) { t.entry_point = std::string(65, 'a'); },
         "transaction.entry_point: 65 bytes exceed the limit of 64"},
        {"bytecode beside package", [](RawTransaction& t) { t.bytecode.emplace("x"); },
         "transaction.bytecode: present, but the program is a package call"},
        {"inline with package id",
         [](RawTransaction& t) {
             t.program_kind = 1;
             t.bytecode.emplace("x");
         },
         "transaction.package_id/entry_point: present, but the program is inline"},
        {"inline empty",
         [](RawTransaction& t) {
             t.program_kind = 1;
             t.package_id.reset();
             t.entry_point.reset();
             t.bytecode.emplace();
         },
         "transaction.bytecode: inline bytecode is empty"},
        {"inline too long",
         [](RawTransaction& t) {
             t.program_kind = 1;
             t.package_id.reset();
             t.entry_point.reset();
             t.bytecode = Bytes(limits::kInlineBytecodeBytesMax + 1, 'b');
         },
         "transaction.bytecode: 32769 bytes exceed the limit of 32768"},
        {"value kind", [](RawTransaction& t) { t.arguments[0].kind = 7; },
         "transaction.arguments[0].kind: unknown value 7"},
        {"u64 with bytes", [](RawTransaction& t) { t.arguments[0].bytes.emplace("b"); },
         "transaction.arguments[0].bytes: present in a u64 value"},
        {"bytes with u64", [](RawTransaction& t) { t.arguments[1].u64 = 3; },
         "transaction.arguments[1].u64: non-zero in a bytes value"},
        {"argument too long", [](RawTransaction& t) { t.arguments[1].bytes = Bytes(1025, 'a'); },
         "transaction.arguments[1].bytes: 1025 bytes exceed the limit of 1024"},
        {"too many arguments", [](RawTransaction& t) { t.arguments.resize(33); },
         "transaction.arguments: 33 entries exceed the limit of 32"},
    };
    for (const auto& c : cases) {
        RawTransaction raw = raw_transaction(sample_transaction());
        c.mutate(raw);
        INFO(c.name);
        check_rejected(decode_transaction(encode_raw(raw)), c.message);
    }
}

TEST_CASE("decoders check size, identifier and structure before any field", "[tx][reject]") {
    const Bytes tx = encode_transaction(sample_transaction());
    check_rejected(decode_transaction(""), "transaction: 0 bytes are too short for a FlatBuffer");
    check_rejected(decode_transaction(tx.substr(0, 7)), "too short");
    check_rejected(decode_object(tx),
                   R"(object: wrong file identifier "52585458" (hex), expected "RXOB")");
    check_rejected(decode_transaction(Bytes(limits::kTransactionEncodedBytesMax + 1, '\0')),
                   "transaction: " + std::to_string(limits::kTransactionEncodedBytesMax + 1) +
                       " bytes exceed the limit of " +
                       std::to_string(limits::kTransactionEncodedBytesMax));
    // Truncation at every length keeps the identifier but breaks offsets.
    for (std::size_t n = 8; n < tx.size(); ++n) {
        auto result = decode_transaction(tx.substr(0, n));
        INFO("length " << n);
        REQUIRE_FALSE(result.is_ok());
        CHECK(result.status().code() == Code::kCorruption);
    }
    check_rejected(decode_transaction(tx.substr(0, tx.size() / 2)),
                   "transaction: not a valid FlatBuffer");
}

TEST_CASE("semantic validation of values built in memory", "[tx][reject]") {
    Transaction tx = sample_transaction();
    tx.inputs.push_back(tx.inputs[0]);
    CHECK(validate_transaction(tx).code() == Code::kInvalidArgument);
    CHECK(validate_transaction(sample_transaction()).is_ok());
    Object object = sample_object();
    object.version = 0;
    CHECK(validate_object(object).message() ==
          "object.version: 0 is outside 1..9223372036854775807");
}
