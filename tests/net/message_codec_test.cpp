// The cluster messages' bodies (net/message_codec.h): real values round-trip, damaged bytes
// never crash and never decode into a value that re-encodes differently, and the handshake
// names both version ranges when they do not meet.

#include <catch2/catch.hpp>

#include <random>

#include "executor/tx/object_codec.h"
#include "net/frame.h"
#include "net/limits.h"
#include "net/message_codec.h"
#include "net/pre_exec_result_generated.h"
#include "tests/executor/protocol_support.h"
#include "tests/net/codec_damage.h"

namespace remora::net {
namespace {

namespace protocol = executor::protocol;

// Results of a real pre-executor on a few workloads' transactions, speculative reads included.
std::vector<protocol::PreExecResult> real_results() {
    std::vector<protocol::PreExecResult> results;
    for (const std::string workload : {"mixed", "amm", "nft"}) {
        testing::Batches batches =
            testing::make_batches(testing::protocol_config(workload, 3), 1, 30);
        auto pre = protocol::PreExecutor::from_genesis(1, testing::memory_store("pre"),
                                                       batches.genesis, batches.name);
        REQUIRE(pre.is_ok());
        for (const auto& tx : batches.commits[0]) {
            auto result = pre.value()->execute(tx);
            REQUIRE(result.is_ok());
            results.push_back(std::move(result).value());
        }
    }
    return results;
}

TEST_CASE("pre-executed results round-trip and damaged ones never decode into a lie",
          "[net][codec]") {
    std::size_t with_speculative = 0;
    std::size_t decoded_damaged = 0;
    std::uint64_t seed = 1;
    for (const protocol::PreExecResult& result : real_results()) {
        with_speculative += !result.speculative_reads.empty();
        const common::Bytes bytes = encode_pre_exec_result(result);
        auto back = decode_pre_exec_result(bytes);
        INFO(back.status().to_string());
        REQUIRE(back.is_ok());
        CHECK(back.value() == result);
        check_damage_never_lies(bytes, decode_pre_exec_result, encode_pre_exec_result, seed++,
                                decoded_damaged);
    }
    CHECK(with_speculative > 0);
    INFO("damaged results that still decoded (and re-encoded faithfully): " << decoded_damaged);
    SUCCEED();
}

// Wire version 3 added `revision` (docs/wire_format.md). A version-2 pre-executor's schema has no
// such field, so its results carry none: a revision-0 result is written exactly so (FlatBuffers
// leaves a default-valued scalar out), and a result without the field decodes as revision 0,
// the first result of its transaction. A later revision is written and read back.
TEST_CASE("results of a version-2 peer decode as revision 0; revisions round-trip",
          "[net][codec]") {
    protocol::PreExecResult result = real_results().front();
    result.revision = 0;
    const common::Bytes first = encode_pre_exec_result(result);
    // The generated table hides its base: read the vtable through flatbuffers::Table.
    const auto* table = flatbuffers::GetRoot<flatbuffers::Table>(first.data());
    CHECK(table->GetOptionalFieldOffset(fb::PreExecResult::VT_REVISION) == 0);  // as v2 wrote it
    auto back = decode_pre_exec_result(first);
    REQUIRE(back.is_ok());
    CHECK(back.value().revision == 0);
    CHECK(back.value() == result);

    result.revision = 7;
    const common::Bytes replacement = encode_pre_exec_result(result);
    const auto* with = flatbuffers::GetRoot<flatbuffers::Table>(replacement.data());
    CHECK(with->GetOptionalFieldOffset(fb::PreExecResult::VT_REVISION) != 0);
    auto again = decode_pre_exec_result(replacement);
    REQUIRE(again.is_ok());
    CHECK(again.value().revision == 7);
    CHECK(again.value() == result);
}

TEST_CASE("a result that breaks the engines' rules is refused at the wire", "[net][codec]") {
    protocol::PreExecResult result = real_results().front();
    result.table.tx_digest.bytes[0] ^= 1;  // the table is another transaction's
    auto decoded = decode_pre_exec_result(encode_pre_exec_result(result));
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == common::Code::kCorruption);
    // The primary's decoder leaves this one check to Primary::submit, which runs it before the
    // result is kept or relayed (protocol_faults_test: refused at submit); everything else is
    // decoded and checked the same.
    auto for_submit = decode_pre_exec_result_for_submit(encode_pre_exec_result(result));
    REQUIRE(for_submit.is_ok());
    CHECK(for_submit.value() == result);
    CHECK_FALSE(protocol::validate_pre_exec_result(for_submit.value()).is_ok());
    const protocol::PreExecResult good = real_results().front();
    CHECK(decode_pre_exec_result_for_submit(encode_pre_exec_result(good)).value() == good);
    common::Bytes damaged = encode_pre_exec_result(good);
    damaged.resize(damaged.size() / 2);
    CHECK_FALSE(decode_pre_exec_result_for_submit(damaged).is_ok());
}

TEST_CASE("state updates, acks, peer effects and hellos round-trip", "[net][codec]") {
    const std::vector<protocol::PreExecResult> results = real_results();
    protocol::StateUpdate update;
    update.pre_executor = 4;
    update.kind = protocol::StateUpdateKind::kRouted;
    update.complete = false;
    update.from_commit = 9;
    update.to_commit = 10;
    for (const auto& result : results) {
        for (const auto& object : result.effects.written) update.objects.push_back(object);
    }
    std::sort(update.objects.begin(), update.objects.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    update.objects.erase(std::unique(update.objects.begin(), update.objects.end(),
                                     [](const auto& a, const auto& b) { return a.id == b.id; }),
                         update.objects.end());
    update.tombstones = {{executor::ObjectId{}, 3}};
    const common::Bytes bytes = encode_state_update(update);
    auto back = decode_state_update(bytes);
    REQUIRE(back.is_ok());
    CHECK(back->objects == update.objects);
    CHECK(back->tombstones == update.tombstones);
    CHECK(back->kind == update.kind);
    CHECK(back->complete == update.complete);
    CHECK(back->to_commit == 10);
    CHECK(back->encoded_bytes == bytes.size());

    protocol::StateUpdateAck ack{7, 12};
    CHECK(decode_state_update_ack(encode_state_update_ack(ack)).value() == ack);

    PeerEffects peer{results[1].effects, executor::effects_digest(results[1].effects)};
    CHECK(decode_peer_effects(encode_peer_effects(peer)).value() == peer);

    Hello hello;
    hello.role = NodeRole::kPrimary;
    hello.node_id = 0;
    CHECK(decode_hello(encode_hello(hello)).value() == hello);

    // A body of one message is never taken for another (file identifiers).
    CHECK_FALSE(decode_pre_exec_result(encode_state_update_ack(ack)).is_ok());
    CHECK_FALSE(decode_state_update(encode_hello(hello)).is_ok());

    std::size_t decoded = 0;
    // encoded_bytes is the size of the bytes decoded, which damage may change: left out.
    auto decode_update = [](common::ByteView in) {
        auto value = decode_state_update(in);
        if (value) value->encoded_bytes = 0;
        return value;
    };
    check_damage_never_lies(bytes, decode_update, encode_state_update, 11, decoded);
    check_damage_never_lies(encode_hello(hello), decode_hello, encode_hello, 12, decoded);
    check_damage_never_lies(encode_peer_effects(peer), decode_peer_effects, encode_peer_effects, 13,
                            decoded);
}

// TentativeOrder has no operator== of its own (ordered_replay.h): compared field by field.
struct Order {
    protocol::TentativeOrder value;
    bool operator==(const Order& o) const {
        return value.batch == o.value.batch && value.commit == o.value.commit &&
               value.txs == o.value.txs;
    }
};
common::Result<Order> decode_order(common::ByteView bytes) {
    auto order = decode_tentative_order(bytes);
    if (!order) return order.status();
    return Order{std::move(order).value()};
}
common::Bytes encode_order(const Order& order) { return encode_tentative_order(order.value); }

// Wire version 4: the sequencer's tentative order (docs/wire_format.md).
// The largest catch-up the primary builds by default (objects_max entries, bytes_max of objects)
// fits one frame and decodes: until session 11 the decoder's verifier visited at most 16,384
// tables, and a catch-up of an amm run (a new coin per swap) past that closed the link.
TEST_CASE("the largest default state update fits one frame and decodes", "[net][codec]") {
    namespace pl = executor::protocol::limits;
    protocol::StateUpdate update;
    update.pre_executor = 2;
    update.kind = protocol::StateUpdateKind::kCatchUp;
    update.from_commit = 1;
    update.to_commit = 40;
    executor::Object big;
    big.version = 7;
    big.type_tag = std::string(executor::limits::kTypeTagBytesMax, 't');
    big.contents = std::string(executor::limits::kObjectContentsBytesMax, 'c');
    const std::size_t per_object = executor::encode_object(big).size();
    const std::size_t objects = pl::kStateUpdateBytesDefault / per_object;
    auto id_of = [](std::size_t i) {
        executor::ObjectId id;
        for (std::size_t b = 0; b < 8; ++b)
            id.bytes[b] = static_cast<std::uint8_t>(i >> (56 - 8 * b));
        return id;
    };
    for (std::size_t i = 0; i < objects; ++i) {
        big.id = id_of(i);
        update.objects.push_back(big);
    }
    for (std::size_t i = objects; i < pl::kStateUpdateObjectsDefault; ++i) {
        update.tombstones.push_back({id_of(i), 9});
    }
    const common::Bytes bytes = encode_state_update(update);
    INFO(bytes.size() << " bytes, " << objects << " objects");
    CHECK(bytes.size() <= limits::kFrameBodyBytesMax);
    auto back = decode_state_update(bytes);
    INFO(back.status().to_string());
    REQUIRE(back.is_ok());
    CHECK(back->objects.size() == objects);
    CHECK(back->tombstones.size() == pl::kStateUpdateObjectsDefault - objects);
    CHECK(back->objects.back() == update.objects.back());
    // Small objects only: the table count alone.
    update.objects.assign(pl::kStateUpdateObjectsDefault, executor::Object{});
    update.tombstones.clear();
    for (std::size_t i = 0; i < update.objects.size(); ++i) {
        update.objects[i].id = id_of(i);
        update.objects[i].version = 1;
        update.objects[i].type_tag = "coin";
        update.objects[i].contents = "x";
    }
    auto small = decode_state_update(encode_state_update(update));
    INFO(small.status().to_string());
    REQUIRE(small.is_ok());
    CHECK(small->objects.size() == pl::kStateUpdateObjectsDefault);
}

TEST_CASE("tentative orders round-trip, whole digests only, bounded, damage never lies",
          "[net][codec]") {
    protocol::TentativeOrder order;
    order.batch = 41;
    order.commit = 42;
    for (const auto& result : real_results()) order.txs.push_back(result.tx_digest);
    REQUIRE(order.txs.size() > 10);
    const common::Bytes bytes = encode_tentative_order(order);
    CHECK(decode_order(bytes).value() == Order{order});
    CHECK_FALSE(decode_tentative_order(encode_state_update_ack({1, 2})).is_ok());

    protocol::TentativeOrder empty = order;
    empty.txs.clear();
    auto refused = decode_tentative_order(encode_tentative_order(empty));
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == common::Code::kCorruption);
    CHECK_THAT(refused.status().message(), Catch::Contains("tentative_order.tx_digests"));

    protocol::TentativeOrder too_long = order;
    too_long.txs.assign(limits::kTentativeOrderTxsMax + 1, order.txs[0]);
    refused = decode_tentative_order(encode_tentative_order(too_long));
    REQUIRE_FALSE(refused.is_ok());
    CHECK_THAT(refused.status().message(), Catch::Contains("at most 100000"));
    too_long.txs.pop_back();
    CHECK(decode_tentative_order(encode_tentative_order(too_long)).is_ok());

    std::size_t decoded = 0;
    check_damage_never_lies(bytes, decode_order, encode_order, 14, decoded);
    CHECK(decoded > 0);
    CHECK(std::string(message_type_name(wire_type(MessageType::kTentativeOrder))) ==
          "tentative_order");
}

TEST_CASE("a version-5 node agrees on 3 with a version-3 peer and on 4 with a version-4 one",
          "[net][codec]") {
    Hello mine;
    CHECK(mine.protocol_version == kPeerLinksVersion);
    Hello three;
    three.protocol_version = 3;
    three.min_protocol_version = 2;
    CHECK(negotiate_version(mine, three).value() == 3);  // no tentative orders, no membership
    Hello four = three;
    four.protocol_version = 4;
    CHECK(negotiate_version(mine, four).value() == kConvergenceVersion);  // no membership
    CHECK(negotiate_version(mine, Hello{}).value() == 5);
}

// Wire version 5: peer links (docs/wire_format.md, "Peer links").
TEST_CASE("hellos with a peer port and memberships round-trip; memberships out of rule are refused",
          "[net][codec]") {
    Hello hello;
    hello.node_id = 3;
    hello.peer_host = "127.0.0.1";
    hello.peer_port = 4711;
    CHECK(decode_hello(encode_hello(hello)).value() == hello);
    Hello plain;  // no peer port: the fields stay absent and read back empty
    CHECK(decode_hello(encode_hello(plain)).value().peer_port == 0);

    Membership membership;
    membership.members = {{1, "127.0.0.1", 4000}, {2, "10.0.0.2", 4001}, {7, "::1", 65535}};
    const common::Bytes bytes = encode_membership(membership);
    CHECK(decode_membership(bytes).value() == membership);
    CHECK(decode_membership(encode_membership({})).value().members.empty());
    CHECK_FALSE(decode_membership(encode_hello(hello)).is_ok());
    CHECK(std::string(message_type_name(wire_type(MessageType::kMembership))) == "membership");

    const auto refused_for = [](const Membership& bad, const std::string& why) {
        auto refused = decode_membership(encode_membership(bad));
        REQUIRE_FALSE(refused.is_ok());
        CHECK(refused.status().code() == common::Code::kCorruption);
        CHECK_THAT(refused.status().message(), Catch::Contains(why));
    };
    Membership bad = membership;
    std::swap(bad.members[0], bad.members[1]);
    refused_for(bad, "not ascending");
    bad = membership;
    bad.members[1].node_id = 1;  // twice
    refused_for(bad, "not ascending");
    bad = membership;
    bad.members[0].node_id = 0;
    refused_for(bad, "needs an id");
    bad = membership;
    bad.members[2].port = 0;
    refused_for(bad, "needs an id");
    bad = membership;
    bad.members[1].host.clear();
    refused_for(bad, "needs an id");
    bad = membership;
    bad.members[1].host.assign(kPeerHostBytesMax + 1, '1');
    refused_for(bad, "exceed the limit");
    bad.members.clear();
    for (std::uint32_t id = 1; id <= kMembershipMembersMax + 1; ++id) {
        bad.members.push_back({id, "127.0.0.1", 1});
    }
    refused_for(bad, "at most 1024");
    bad.members.pop_back();
    CHECK(decode_membership(encode_membership(bad)).is_ok());

    std::size_t decoded = 0;
    check_damage_never_lies(bytes, decode_membership, encode_membership, 15, decoded);
    check_damage_never_lies(encode_hello(hello), decode_hello, encode_hello, 16, decoded);
    CHECK(decoded > 0);
}

TEST_CASE("peers of disjoint protocol versions are told which versions meet", "[net][codec]") {
    Hello mine;
    mine.protocol_version = 3;
    mine.min_protocol_version = 2;
    Hello older;
    older.protocol_version = 2;
    older.min_protocol_version = 1;
    CHECK(negotiate_version(mine, older).value() == 2);
    Hello ancient;
    ancient.protocol_version = 1;
    ancient.min_protocol_version = 1;
    auto refused = negotiate_version(mine, ancient);
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == common::Code::kFormatVersion);
    CHECK_THAT(refused.status().message(), Catch::Contains("2..3"));
    CHECK_THAT(refused.status().message(), Catch::Contains("1..1"));
    Hello backwards = mine;
    backwards.min_protocol_version = 5;
    CHECK_FALSE(decode_hello(encode_hello(backwards)).is_ok());
}

}  // namespace
}  // namespace remora::net
