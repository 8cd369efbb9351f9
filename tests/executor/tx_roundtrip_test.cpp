// Every type survives encode -> decode unchanged, and encoding is deterministic.

#include <catch2/catch.hpp>

#include "executor/tx/anoma_codec.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/lookup_table_codec.h"
#include "executor/tx/object_codec.h"
#include "executor/tx/transaction_codec.h"
#include "tests/executor/tx_fixtures.h"

using namespace remora::executor;
using namespace remora::executor::testing;
namespace common = remora::common;

namespace {

template <typename T, typename Encode, typename Decode>
void check_round_trip(const T& value, Encode encode, Decode decode) {
    const Bytes bytes = encode(value);
    auto decoded = decode(bytes);
    INFO(decoded.status().to_string());
    REQUIRE(decoded.is_ok());
    CHECK(*decoded == value);
    CHECK(encode(*decoded) == bytes);  // deterministic: equal values, equal bytes
}

// `bytes` preceded by one byte: heap strings are 16-aligned, so view_past_first() is not
// 8-aligned and the decoders must take their copying path.
std::string with_leading_byte(const Bytes& bytes) { return std::string(1, '\0') + bytes; }
common::ByteView view_past_first(const std::string& storage) {
    return common::ByteView(storage).substr(1);
}

}  // namespace

TEST_CASE("objects of every owner kind round-trip", "[tx][codec]") {
    for (const Owner& owner : {Owner{OwnedByAddress{hash_of(1)}}, Owner{SharedOwner{}},
                               Owner{OwnedByParent{hash_of(2)}}, Owner{ImmutableOwner{}}}) {
        check_round_trip(sample_object(owner), encode_object, decode_object);
    }
    Object big = sample_object();
    big.contents.assign(limits::kObjectContentsBytesMax, 'x');
    big.type_tag.assign(limits::kTypeTagBytesMax, 't');
    big.version = limits::kVersionMax;
    check_round_trip(big, encode_object, decode_object);
    CHECK(encode_object(big).size() <= limits::kObjectEncodedBytesMax);
    Object empty = sample_object();
    empty.contents.clear();
    empty.type_tag.clear();
    check_round_trip(empty, encode_object, decode_object);
}

TEST_CASE("transactions round-trip with either kind of program", "[tx][codec]") {
    check_round_trip(sample_transaction(), encode_transaction, decode_transaction);
    check_round_trip(sample_inline_transaction(), encode_transaction, decode_transaction);
    Transaction bare = sample_transaction();
    bare.inputs.clear();
    bare.arguments.clear();
    check_round_trip(bare, encode_transaction, decode_transaction);
}

TEST_CASE("a transaction at every size limit round-trips within its byte limit", "[tx][codec]") {
    Transaction tx = sample_inline_transaction();
    tx.inputs.clear();
    for (std::size_t i = 0; i < limits::kInputsMax; ++i) {
        common::Hash256 id;  // distinct for up to 65,536 inputs
        id.bytes[0] = static_cast<std::uint8_t>(i & 0xff);
        id.bytes[1] = static_cast<std::uint8_t>(i >> 8);
        tx.inputs.push_back(i % 2 ? InputObject::shared(id) : InputObject::owned(id, i + 1));
    }
    tx.program = InlineBytecode{Bytes(limits::kInlineBytecodeBytesMax, '\x01')};
    tx.arguments.assign(limits::kArgumentsMax, Value{Bytes(limits::kArgumentBytesMax, 'a')});
    while (tx.authenticators.size() < limits::kAuthenticatorsMax) {
        tx.authenticators.push_back(tx.authenticators.front());
    }
    REQUIRE(validate_transaction(tx).is_ok());
    CHECK(encode_transaction(tx).size() <= limits::kTransactionEncodedBytesMax);
    check_round_trip(tx, encode_transaction, decode_transaction);
}

TEST_CASE("effects round-trip, successful and aborted", "[tx][codec]") {
    check_round_trip(sample_effects(), encode_effects, decode_effects);
    check_round_trip(sample_aborted_effects(), encode_effects, decode_effects);
}

TEST_CASE("lookup tables round-trip", "[tx][codec]") {
    check_round_trip(sample_lookup_table(), encode_lookup_table, decode_lookup_table);
    check_round_trip(LookupTable{}, encode_lookup_table, decode_lookup_table);
}

TEST_CASE("every Anoma message round-trips", "[tx][codec][anoma]") {
    const AnomaMessage messages[] = {sample_execute_transaction(), sample_kvs_read(),
                                     sample_kvs_read_absent(),     sample_kvs_write(),
                                     sample_kvs_delete(),          sample_executor_finished(),
                                     sample_execution_summary()};
    for (const AnomaMessage& message : messages) {
        INFO(anoma_message_name(message));
        check_round_trip(message, encode_anoma_message, decode_anoma_message);
    }
    CHECK(sample_execute_transaction().label() == sample_transaction().inputs);
}

TEST_CASE("typed Anoma decoding names the kind it expected", "[tx][codec][anoma]") {
    const Bytes bytes = encode_anoma_message(sample_kvs_read());
    auto read = decode_anoma_message_as<KvsRead>(bytes);
    REQUIRE(read.is_ok());
    CHECK(*read == sample_kvs_read());
    auto wrong = decode_anoma_message_as<KvsWrite>(bytes);
    REQUIRE_FALSE(wrong.is_ok());
    CHECK(wrong.status().message() == "anoma message: expected KvsWrite, got KvsRead");
}

TEST_CASE("decoders accept buffers at any alignment", "[tx][codec]") {
    const std::string tx_storage = with_leading_byte(encode_transaction(sample_transaction()));
    REQUIRE(reinterpret_cast<std::uintptr_t>(view_past_first(tx_storage).data()) % 8 != 0);
    auto tx = decode_transaction(view_past_first(tx_storage));
    INFO(tx.status().to_string());
    REQUIRE(tx.is_ok());
    CHECK(*tx == sample_transaction());

    const std::string effects_storage = with_leading_byte(encode_effects(sample_effects()));
    auto effects = decode_effects(view_past_first(effects_storage));
    REQUIRE(effects.is_ok());
    CHECK(*effects == sample_effects());
}
