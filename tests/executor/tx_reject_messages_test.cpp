// Rejection of bad effects, lookup tables and Anoma messages. The library's encoders write any
// struct without checking it, so an invalid struct encodes to a structurally valid buffer whose
// values break a bound: exactly what a faulty or hostile peer could send.

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "executor/anoma_generated.h"
#include "executor/effects_generated.h"
#include "executor/lookup_table_generated.h"
#include "executor/tx/anoma_codec.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/ids.h"
#include "executor/tx/lookup_table_codec.h"
#include "tests/executor/tx_fixtures.h"
#include "tests/executor/tx_raw.h"

using namespace remora::executor;
using namespace remora::executor::testing;
namespace common = remora::common;
using remora::common::Code;

namespace {}  // namespace

TEST_CASE("effects decoding rejects out-of-bound values", "[tx][reject]") {
    const std::vector<Case<Effects>> cases = {
        {"abort code",
         [](Effects& e) { e.status.code = static_cast<AbortCode>(kAbortCodeMax + 1); },
         "effects.abort_code: unknown value 27 (largest is 26)"},
        {"detail on success", [](Effects& e) { e.status.detail = "why"; },
         "effects.status.detail: a successful status carries no detail"},
        {"value without code",
         [](Effects& e) {
             e.status = {AbortCode::kOutOfGas, 4, "x"};
         },
         "effects.status.abort_value: 4 is set, but only UserAbort and HostError carry a value"},
        {"detail too long",
         [](Effects& e) {
             e.status = {AbortCode::kDivisionByZero, 0, std::string(257, 'd')};
         },
         "effects.abort_detail: 257 bytes exceed the limit of 256"},
        {"unsorted", [](Effects& e) { std::swap(e.created[0], e.created[1]); },
         "effects.created[1]: ids must be strictly ascending"},
        {"mixed versions", [](Effects& e) { e.deleted[0].version = 11; },
         "effects.deleted[0].version: 11 differs from the transaction's output version 10"},
        {"id twice", [](Effects& e) { e.deleted[0].id = e.written[0].id; }, "appears twice"},
        {"object version 0", [](Effects& e) { e.written[0].version = 0; },
         "effects.written[0].version: 0 is outside 1.."},
        {"object contents",
         [](Effects& e) { e.created[0].contents.assign(std::size_t{64} * 1024, 'c'); },
         "effects.created[0].contents: 65536 bytes exceed"},
        {"too many events", [](Effects& e) { e.events.resize(257); },
         "effects.events: 257 entries exceed the limit of 256"},
        {"event data", [](Effects& e) { e.events[1].data.assign(1025, 'e'); },
         "effects.events[1].data: 1025 bytes exceed the limit of 1024"},
        {"event type tag", [](Effects& e) { e.events[0].type_tag.assign(65, 't'); },
         "effects.events[0].type_tag: 65 bytes exceed the limit of 64"},
        {"too many objects",
         [](Effects& e) {
             // Each list within the limit, together one past it.
             e = Effects{e.tx_digest, {}, 0, {}, {}, {}, {}};
             for (std::uint32_t i = 0; i <= limits::kEffectsObjectsMax; ++i) {
                 Object object = sample_object();
                 object.id = created_object_id(e.tx_digest, i);
                 object.version = 10;
                 if (i % 3 == 0) e.written.push_back(object);
                 if (i % 3 == 1) e.created.push_back(object);
                 if (i % 3 == 2) e.deleted.push_back({object.id, 10});
             }
             normalize_effects(e);
         },
         "effects.written/created/deleted: " + std::to_string(limits::kEffectsObjectsMax + 1) +
             " changed objects exceed the limit of " + std::to_string(limits::kEffectsObjectsMax)},
        {"too many bytes of contents",
         [](Effects& e) {
             // Full objects, one more than kEffectsContentsBytesMax holds (written and created).
             e = Effects{e.tx_digest, {}, 0, {}, {}, {}, {}};
             const std::size_t n =
                 limits::kEffectsContentsBytesMax / limits::kObjectContentsBytesMax + 1;
             for (std::uint32_t i = 0; i < n; ++i) {
                 Object object = sample_object();
                 object.id = created_object_id(e.tx_digest, i);
                 object.version = 10;
                 object.contents.assign(limits::kObjectContentsBytesMax, 'c');
                 (i % 2 ? e.written : e.created).push_back(object);
             }
             normalize_effects(e);
         },
         "effects.written/created: " +
             std::to_string(
                 (limits::kEffectsContentsBytesMax / limits::kObjectContentsBytesMax + 1) *
                 limits::kObjectContentsBytesMax) +
             " bytes of contents exceed the limit of " +
             std::to_string(limits::kEffectsContentsBytesMax)},
    };
    for (const auto& c : cases) {
        Effects effects = sample_effects();
        c.mutate(effects);
        INFO(c.name);
        check_rejected(decode_effects(encode_effects(effects)), c.message);
    }
    flatbuffers::FlatBufferBuilder fbb;
    auto digest = raw_bytes(fbb, Bytes(31, 'd'));
    check_rejected(
        decode_effects(finish(fbb, fb::CreateEffects(fbb, digest), fb::EffectsIdentifier())),
        "effects.tx_digest: 31 bytes, expected exactly 32");
}

TEST_CASE("lookup table decoding rejects out-of-bound values", "[tx][reject]") {
    const std::vector<Case<LookupTable>> cases = {
        {"read kind", [](LookupTable& t) { t.reads[1].kind = static_cast<ObjectRead::Kind>(2); },
         "lookup_table.reads[1].kind: unknown value 2"},
        {"read twice", [](LookupTable& t) { t.reads[3].id = t.reads[0].id; }, "is recorded twice"},
        {"present at version 0", [](LookupTable& t) { t.reads[0].version = 0; },
         "lookup_table.reads[0].version: 0 is outside 1.."},
        {"version past limit", [](LookupTable& t) { t.reads[2].version = ~std::uint64_t{0}; },
         "lookup_table.reads[2].version: 18446744073709551615 is outside 0.."},
        {"status",
         [](LookupTable& t) { t.authenticators[0].status = static_cast<AuthenticatorStatus>(5); },
         "lookup_table.authenticators[0].status: unknown value 5"},
        {"too many checks", [](LookupTable& t) { t.authenticators.resize(9); },
         "lookup_table.authenticators: 9 entries exceed the limit of 8"},
        {"precompile output",
         [](LookupTable& t) { t.precompile_calls[0].output.assign(1025, 'o'); },
         "lookup_table.precompile_calls[0].output: 1025 bytes exceed the limit of 1024"},
        {"dynamic order",
         [](LookupTable& t) { std::swap(t.dynamic_objects[0], t.dynamic_objects[1]); },
         "lookup_table.dynamic_objects[1]: ids must be strictly ascending"},
        {"dynamic twice", [](LookupTable& t) { t.dynamic_objects[1] = t.dynamic_objects[0]; },
         "lookup_table.dynamic_objects[1]: ids must be strictly ascending"},
    };
    for (const auto& c : cases) {
        LookupTable table = sample_lookup_table();
        c.mutate(table);
        INFO(c.name);
        check_rejected(decode_lookup_table(encode_lookup_table(table)), c.message);
    }
    flatbuffers::FlatBufferBuilder fbb;
    auto digest = raw_bytes(fbb, Bytes(32, 'd'));
    auto ids = raw_bytes(fbb, Bytes(33, 'i'));
    auto root = fb::CreateLookupTable(fbb, digest, 0, 0, false, 0, ids);
    check_rejected(decode_lookup_table(finish(fbb, root, fb::LookupTableIdentifier())),
                   "lookup_table.dynamic_objects: 33 bytes are not a whole number of 32-byte ids");
}

TEST_CASE("Anoma message decoding rejects out-of-bound values", "[tx][reject][anoma]") {
    SECTION("values that break a message's rules") {
        KvsRead read = sample_kvs_read();
        read.key.bytes[0] ^= 1;
        check_rejected(decode_anoma_message(encode_anoma_message(read)), "KvsRead.data.id: ");
        read = sample_kvs_read();
        read.version += 1;
        check_rejected(decode_anoma_message(encode_anoma_message(read)),
                       "KvsRead.version: 8 differs from data.version 7");
        KvsWrite deletion = sample_kvs_delete();
        deletion.version = 0;
        check_rejected(decode_anoma_message(encode_anoma_message(deletion)),
                       "KvsWrite.version: 0 is outside 1..");
        ExecutorFinished finished = sample_executor_finished();
        finished.status = static_cast<AbortCode>(300);
        check_rejected(decode_anoma_message(encode_anoma_message(finished)),
                       "ExecutorFinished.abort_code: unknown value 300");
        ExecuteTransaction execute = sample_execute_transaction();
        execute.executable.inputs.push_back(execute.executable.inputs[0]);
        check_rejected(decode_anoma_message(encode_anoma_message(execute)),
                       "ExecuteTransaction.executable: transaction.inputs: object");
        ExecutionSummary summary = sample_execution_summary();
        summary.status.detail.assign(300, 'd');
        check_rejected(decode_anoma_message(encode_anoma_message(summary)),
                       "ExecutionSummary.abort_detail: 300 bytes exceed the limit of 256");
    }
    SECTION("envelopes with no body, an unknown kind, or missing fields") {
        flatbuffers::FlatBufferBuilder fbb;
        check_rejected(decode_anoma_message(
                           finish(fbb, fb::CreateAnomaMessage(fbb), fb::AnomaMessageIdentifier())),
                       "anoma message: no body");
        fbb.Clear();
        auto finished = fb::CreateExecutorFinished(fbb);
        auto unknown = fb::CreateAnomaMessage(fbb, static_cast<fb::AnomaBody>(9), finished.Union());
        check_rejected(decode_anoma_message(finish(fbb, unknown, fb::AnomaMessageIdentifier())),
                       "anoma message.body_type: unknown message kind 9");
        fbb.Clear();
        auto bodiless = fb::CreateAnomaMessage(fbb, fb::AnomaBody::KvsRead, 0);
        check_rejected(decode_anoma_message(finish(fbb, bodiless, fb::AnomaMessageIdentifier())),
                       "anoma message.body: missing for kind 2");
        fbb.Clear();
        auto no_time = fb::CreateKvsRead(fbb, nullptr, raw_bytes(fbb, Bytes(32, 'k')), 0);
        auto message = fb::CreateAnomaMessage(fbb, fb::AnomaBody::KvsRead, no_time.Union());
        check_rejected(decode_anoma_message(finish(fbb, message, fb::AnomaMessageIdentifier())),
                       "KvsRead.timestamp: missing");
        fbb.Clear();
        fb::TxFingerprint ts(1, 2);
        auto tx = build_raw(fbb, raw_transaction(sample_transaction()));
        auto curator = raw_bytes(fbb, Bytes(31, 'c'));
        auto issuer = raw_bytes(fbb, Bytes(32, 'i'));
        auto execute = fb::CreateExecuteTransaction(fbb, tx, &ts, curator, issuer);
        message = fb::CreateAnomaMessage(fbb, fb::AnomaBody::ExecuteTransaction, execute.Union());
        check_rejected(decode_anoma_message(finish(fbb, message, fb::AnomaMessageIdentifier())),
                       "ExecuteTransaction.curator: 31 bytes, expected exactly 32");
        fbb.Clear();
        curator = raw_bytes(fbb, Bytes(32, 'c'));
        issuer = raw_bytes(fbb, Bytes(32, 'i'));
        auto no_tx = fb::CreateExecuteTransaction(fbb, 0, &ts, curator, issuer);
        message = fb::CreateAnomaMessage(fbb, fb::AnomaBody::ExecuteTransaction, no_tx.Union());
        check_rejected(decode_anoma_message(finish(fbb, message, fb::AnomaMessageIdentifier())),
                       "ExecuteTransaction.executable: missing");
    }
}

TEST_CASE("every decoder rejects every truncation of a valid encoding", "[tx][reject]") {
    using Decoder = std::function<bool(remora::common::ByteView)>;
    const std::vector<std::pair<Bytes, Decoder>> encodings = {
        {encode_effects(sample_effects()), [](auto b) { return decode_effects(b).is_ok(); }},
        {encode_lookup_table(sample_lookup_table()),
         [](auto b) { return decode_lookup_table(b).is_ok(); }},
        {encode_anoma_message(sample_execute_transaction()),
         [](auto b) { return decode_anoma_message(b).is_ok(); }},
        {encode_anoma_message(sample_kvs_read()),
         [](auto b) { return decode_anoma_message(b).is_ok(); }},
    };
    for (const auto& [bytes, decode] : encodings) {
        REQUIRE(decode(bytes));
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            INFO("length " << n << " of " << bytes.size());
            CHECK_FALSE(decode(remora::common::ByteView(bytes).substr(0, n)));
        }
    }
}
