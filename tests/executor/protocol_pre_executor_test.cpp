// A pre-executor on its own: applying state updates, its results' self-consistency (and the
// refusal of tampered ones), and holding a transaction until a peer forwards its input.

#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "tests/executor/protocol_objects.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::executor;
using namespace remora::executor::protocol;
using remora::testing::Batches;
using remora::testing::id_of;
using remora::testing::object_of;
using remora::testing::writes;

TEST_CASE("a pre-executor applies state updates: newer wins, the overlay yields",
          "[protocol][pre-executor]") {
    std::vector<Object> genesis = {object_of(1, 1), object_of(2, 1), object_of(3, 1)};
    auto made = PreExecutor::from_genesis(5, remora::testing::memory_store("pre"), genesis, "t");
    REQUIRE(made.is_ok());
    PreExecutor& pre = *made.value();
    CHECK(pre.caught_up_commit() == 1);

    StateUpdate update;
    update.pre_executor = 5;
    update.from_commit = 1;
    update.to_commit = 4;
    update.objects = {object_of(1, 7), object_of(2, 1)};  // id 2 at a version it already has
    // id 4 was never live here: created and deleted inside one primary commit. Its tombstone
    // is taken, so this pre-executor reads it absent at version 2, as the primary does.
    update.tombstones = {{id_of(3), 6}, {id_of(4), 2}};
    auto ack = pre.apply_state_update(update);
    REQUIRE(ack.is_ok());
    CHECK(ack.value() == StateUpdateAck{5, 4});
    CHECK(pre.counters().update_objects_written == 3);
    CHECK(pre.store().latest_info(id_of(1)).value()->version == 7);
    CHECK(pre.store().latest_info(id_of(3)).value()->tombstone);
    auto absent = pre.store().latest_info(id_of(4)).value();
    REQUIRE(absent.has_value());
    CHECK(absent->tombstone);
    CHECK(absent->version == 2);

    // Older or repeated updates are harmless; an incomplete one does not advance the commit.
    update.objects = {object_of(1, 6)};
    update.tombstones.clear();
    update.to_commit = 9;
    update.complete = false;
    REQUIRE(pre.apply_state_update(update).is_ok());
    CHECK(pre.caught_up_commit() == 4);
    CHECK(pre.store().latest_info(id_of(1)).value()->version == 7);

    // A routed update writes what is newer but never names a caught-up commit; one that
    // claims to be complete is malformed.
    update.kind = StateUpdateKind::kRouted;
    update.objects = {object_of(2, 5)};
    update.from_commit = 8;
    update.to_commit = 9;
    REQUIRE(pre.apply_state_update(update).value() == StateUpdateAck{5, 4});
    CHECK(pre.store().latest_info(id_of(2)).value()->version == 5);
    update.complete = true;
    CHECK(pre.apply_state_update(update).status().code() == common::Code::kInvalidArgument);
    CHECK(pre.caught_up_commit() == 4);
    update.kind = static_cast<StateUpdateKind>(7);
    CHECK(pre.apply_state_update(update).status().code() == common::Code::kInvalidArgument);
    update.kind = StateUpdateKind::kCatchUp;
    update.complete = false;

    update.pre_executor = 6;
    CHECK(pre.apply_state_update(update).status().code() == common::Code::kInvalidArgument);
    update.pre_executor = 5;
    update.objects = {object_of(2, 3), object_of(1, 3)};
    CHECK(pre.apply_state_update(update).status().code() == common::Code::kInvalidArgument);

    // Reopened from its own store, it knows how far it was caught up.
    auto& store = pre.store();
    CHECK(decode_update_marker(store.read_commit(store.status().applied_commit)->body) == 4u);
    CHECK(decode_update_marker(encode_update_marker(77)) == 77u);
    CHECK_FALSE(decode_update_marker("remora/pre-executor/update/v1").has_value());
}

TEST_CASE("a pre-executor's result is self-consistent, and tampering is refused",
          "[protocol][messages]") {
    Batches batches = remora::testing::make_batches(remora::testing::protocol_config("nft"), 1, 4);
    auto pre = PreExecutor::from_genesis(1, remora::testing::memory_store("pre"), batches.genesis,
                                         batches.name);
    REQUIRE(pre.is_ok());
    for (const auto& tx : batches.commits[0]) {
        auto result = pre.value()->execute(tx);
        REQUIRE(result.is_ok());
        CHECK(validate_pre_exec_result(result.value()).is_ok());
        CHECK(result->tx_digest == transaction_digest(tx));
        CHECK(result->caught_up_commit == 1);
        auto tampered = result.value();
        tampered.table.tx_digest = id_of(1);
        CHECK_FALSE(validate_pre_exec_result(tampered).is_ok());
        if (!result->table.reads.empty()) {
            tampered = result.value();
            tampered.speculative_reads = {
                {result->table.reads[0].id, result->table.reads[0].version + 1, {}, {}}};
            CHECK_FALSE(validate_pre_exec_result(tampered).is_ok());
        }
    }
    CHECK(pre.value()->counters().executed == 4);
}

namespace {

// A transfer workload run in order on one pre-executor, and the first transaction that spends
// an object another sender's transaction produced (so a fresh pre-executor lacks it).
struct Dependent {
    Batches batches;
    std::vector<Transaction> txs;
    std::vector<PreExecResult> results;  // of `txs`, in order, on one pre-executor
    std::size_t producer = 0;
    std::size_t spender = 0;
};

Dependent find_dependent() {
    Dependent d{
        remora::testing::make_batches(remora::testing::protocol_config("transfer", 5), 8, 30),
        {},
        {},
        0,
        0};
    for (const auto& commit : d.batches.commits)
        d.txs.insert(d.txs.end(), commit.begin(), commit.end());
    auto pre = PreExecutor::from_genesis(1, remora::testing::memory_store("seq"), d.batches.genesis,
                                         d.batches.name);
    REQUIRE(pre.is_ok());
    std::map<ObjectId, std::size_t> produced_by;
    bool found = false;
    for (std::size_t j = 0; j < d.txs.size(); ++j) {
        auto result = pre.value()->execute(d.txs[j]);
        REQUIRE(result.is_ok());
        d.results.push_back(std::move(result).value());
        for (const InputObject& input : d.txs[j].inputs) {
            auto it = produced_by.find(input.id);
            if (!found && it != produced_by.end() && d.txs[it->second].sender != d.txs[j].sender) {
                d.producer = it->second;
                d.spender = j;
                found = true;
            }
        }
        for (const auto* list : {&d.results[j].effects.written, &d.results[j].effects.created}) {
            for (const Object& object : *list) produced_by[object.id] = j;
        }
    }
    REQUIRE(found);
    return d;
}

std::unique_ptr<PreExecutor> fresh(const Dependent& d, PreExecutorId id,
                                   const PreExecutorOptions& options = {}) {
    auto pre = PreExecutor::from_genesis(id, remora::testing::memory_store("fresh"),
                                         d.batches.genesis, d.batches.name, options);
    REQUIRE(pre.is_ok());
    return std::move(pre).value();
}

StateUpdate empty_update(PreExecutorId id) {
    StateUpdate update;
    update.pre_executor = id;
    update.from_commit = 1;
    update.to_commit = 1;
    return update;
}

}  // namespace

TEST_CASE("a pre-executor holds a transaction until a peer forwards its input",
          "[protocol][pre-executor]") {
    Dependent d = find_dependent();
    const Transaction& spender = d.txs[d.spender];
    const PreExecResult& produced = d.results[d.producer];

    auto pre = fresh(d, 2);
    auto held = pre->execute_or_hold(spender);
    REQUIRE(held.is_ok());
    CHECK_FALSE(held.value().has_value());
    CHECK(pre->held() == 1);
    // A later transaction declaring the same input waits behind it, whatever it has.
    CHECK_FALSE(pre->execute_or_hold(spender).value().has_value());
    CHECK(pre->held() == 2);
    CHECK(pre->take_released().empty());

    // Malformed effects are refused whole; aborted ones change nothing; the producer's effects
    // bring the input.
    Effects malformed = produced.effects;
    REQUIRE_FALSE((malformed.created.empty() && malformed.written.empty()));
    (malformed.written.empty() ? malformed.created : malformed.written).front().version = 0;
    CHECK(pre->apply_peer_effects(malformed, effects_digest(malformed)).status().code() ==
          common::Code::kInvalidArgument);
    CHECK(pre->held() == 2);
    Effects aborted = produced.effects;
    aborted.status.code = AbortCode::kUserAbort;
    CHECK(pre->apply_peer_effects(aborted, effects_digest(aborted)).value() == 0);
    CHECK(pre->held() == 2);
    const Digest digest = effects_digest(produced.effects);
    CHECK(pre->apply_peer_effects(produced.effects, digest).value() > 0);
    auto released = pre->take_released();
    REQUIRE(released.size() == 2);
    CHECK(pre->held() == 0);
    // The first ran as on the pre-executor that saw everything, reading the forwarded write.
    CHECK(released[0].effects == d.results[d.spender].effects);
    bool names_writer = false;
    for (const SpeculativeRead& read : released[0].speculative_reads) {
        if (read.writer_tx == produced.tx_digest) names_writer = read.writer_effects == digest;
    }
    CHECK(names_writer);
    CHECK(pre->counters().released_ready == 2);
    // Forwarded objects never replace newer ones: the same effects again put nothing.
    CHECK(pre->apply_peer_effects(produced.effects, digest).value() == 0);
}

TEST_CASE("held transactions run anyway past their bounds", "[protocol][pre-executor]") {
    Dependent d = find_dependent();
    const Transaction& spender = d.txs[d.spender];

    PreExecutorOptions options;
    options.hold_updates_max = 2;
    auto pre = fresh(d, 3, options);
    REQUIRE_FALSE(pre->execute_or_hold(spender).value().has_value());
    REQUIRE(pre->apply_state_update(empty_update(3)).is_ok());
    CHECK(pre->held() == 1);
    REQUIRE(pre->apply_state_update(empty_update(3)).is_ok());
    CHECK(pre->held() == 0);
    auto released = pre->take_released();
    REQUIRE(released.size() == 1);
    CHECK_FALSE(released[0].effects.status.is_success());  // its input never came
    CHECK(pre->counters().released_unready == 1);

    options.held_txs_max = 1;
    auto bounded = fresh(d, 4, options);
    REQUIRE_FALSE(bounded->execute_or_hold(spender).value().has_value());
    REQUIRE_FALSE(bounded->execute_or_hold(spender).value().has_value());
    CHECK(bounded->held() == 1);
    CHECK(bounded->take_released().size() == 1);  // the oldest made room

    options.held_txs_max = 0;  // never holds
    auto never = fresh(d, 5, options);
    CHECK(never->execute_or_hold(spender).value().has_value());

    options.hold_updates_max = 0;
    CHECK(PreExecutor::from_genesis(6, remora::testing::memory_store("bad"), d.batches.genesis,
                                    d.batches.name, options)
              .status()
              .code() == common::Code::kInvalidArgument);
}

TEST_CASE("a handoff fence holds a moved group until the old pre-executor's last effects",
          "[protocol][pre-executor]") {
    Dependent d = find_dependent();
    // A transaction whose inputs are all at genesis (it would run at once), and a writer on
    // another pre-executor whose effects the fence waits for.
    const Transaction& first = d.txs[0];
    const PreExecResult& writer = d.results[1];
    const ObjectId fenced_object = first.inputs.front().id;

    auto pre = fresh(d, 2);
    pre->fence(fenced_object, writer.tx_digest);
    CHECK(pre->counters().fences == 1);
    REQUIRE_FALSE(pre->execute_or_hold(first).value().has_value());
    CHECK(pre->counters().fenced == 1);
    CHECK(pre->take_released().empty());
    // Someone else's effects do not lift it; the writer's do, and the held one runs, ready.
    const PreExecResult& other = d.results[2];
    REQUIRE(other.tx_digest != writer.tx_digest);
    REQUIRE(pre->apply_peer_effects(other.effects, effects_digest(other.effects)).is_ok());
    CHECK(pre->held() == 1);
    REQUIRE(pre->apply_peer_effects(writer.effects, effects_digest(writer.effects)).is_ok());
    CHECK(pre->held() == 0);
    auto released = pre->take_released();
    REQUIRE(released.size() == 1);
    CHECK(released[0].tx_digest == transaction_digest(first));
    CHECK(pre->counters().released_ready == 1);
    // A fence on a writer already seen (forwarded or executed here) holds nothing.
    pre->fence(fenced_object, writer.tx_digest);
    CHECK(pre->counters().fences == 1);
    CHECK(pre->execute_or_hold(first).value().has_value());
    CHECK(pre->counters().fenced == 1);

    // An aborted writer lifts it too (it has run); a fence that never lifts expires after
    // hold_updates_max state updates, and the held transaction runs then.
    PreExecutorOptions options;
    options.hold_updates_max = 2;
    auto bounded = fresh(d, 3, options);
    bounded->fence(fenced_object, writer.tx_digest);
    REQUIRE_FALSE(bounded->execute_or_hold(first).value().has_value());
    Effects aborted = writer.effects;
    aborted.status.code = AbortCode::kUserAbort;
    aborted.written.clear();
    aborted.created.clear();
    aborted.deleted.clear();
    aborted.events.clear();
    REQUIRE(bounded->apply_peer_effects(aborted, effects_digest(aborted)).is_ok());
    CHECK(bounded->held() == 0);
    CHECK(bounded->take_released().size() == 1);
    auto expiring = fresh(d, 4, options);
    expiring->fence(fenced_object, other.tx_digest);
    REQUIRE_FALSE(expiring->execute_or_hold(first).value().has_value());
    REQUIRE(expiring->apply_state_update(empty_update(4)).is_ok());
    CHECK(expiring->held() == 1);
    REQUIRE(expiring->apply_state_update(empty_update(4)).is_ok());
    CHECK(expiring->held() == 0);
    CHECK(expiring->take_released().size() == 1);
    CHECK(expiring->counters().fences_expired == 1);
    // Holding off: a fence is ignored.
    options.held_txs_max = 0;
    auto never = fresh(d, 5, options);
    never->fence(fenced_object, writer.tx_digest);
    CHECK(never->execute_or_hold(first).value().has_value());
}
