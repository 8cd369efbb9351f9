// PreExecutor::execute_batch (executor/protocol/pre_executor.h) against execute() one
// transaction at a time: the same results, overlay and counters, over every workload (the
// generative `random` one over every host call included), random batch splits, duplicate
// deliveries, state updates between batches, a tiny overlay that evicts, tentative orders, and
// ParallelReexec's seeded random schedules that make speculation read stale state.

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "executor/exec/authorize.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::testing;
using executor::DeletedObject;
using executor::Effects;
using executor::LookupTable;
using executor::ObjectId;
using protocol::PreExecResult;
using protocol::PreExecutor;
using protocol::PreExecutorCounters;
using protocol::PreExecutorOptions;

namespace {

// What a commit changed, as a complete catch-up from `from` to `from + 1`.
protocol::StateUpdate update_of(const std::vector<Effects>& effects, protocol::PreExecutorId id,
                                common::CommitIndex from) {
    std::map<ObjectId, Object> objects;
    std::map<ObjectId, DeletedObject> tombstones;
    for (const Effects& e : effects) {
        for (const auto* list : {&e.written, &e.created}) {
            for (const Object& object : *list) {
                objects.insert_or_assign(object.id, object);
                tombstones.erase(object.id);
            }
        }
        for (const DeletedObject& gone : e.deleted) {
            tombstones.insert_or_assign(gone.id, gone);
            objects.erase(gone.id);
        }
    }
    protocol::StateUpdate update;
    update.pre_executor = id;
    update.from_commit = from;
    update.to_commit = from + 1;
    for (auto& [id_, object] : objects) update.objects.push_back(object);
    for (auto& [id_, gone] : tombstones) update.tombstones.push_back(gone);
    return update;
}

// Both engines learn the same update of a commit's effects, and acknowledge it alike.
void apply_to_both(PreExecutor& a, PreExecutor& b, const std::vector<Effects>& effects) {
    auto update = update_of(effects, 1, a.caught_up_commit());
    auto ack_a = a.apply_state_update(update);
    auto ack_b = b.apply_state_update(update);
    REQUIRE(ack_a.is_ok());
    REQUIRE(ack_b.is_ok());
    CHECK(ack_a.value() == ack_b.value());
}

// The counters execute() one by one also keeps.
PreExecutorCounters sequential_part(PreExecutorCounters counters) {
    counters.batches = 0;
    counters.parallel = {};
    return counters;
}

void require_same_overlay(const PreExecutor& a, const PreExecutor& b,
                          const std::set<ObjectId>& ids) {
    REQUIRE(a.overlay().size() == b.overlay().size());
    REQUIRE(a.overlay().bytes() == b.overlay().bytes());
    REQUIRE(a.overlay().evictions() == b.overlay().evictions());
    for (const ObjectId& id : ids) {
        const auto* ea = a.overlay().find(id);
        const auto* eb = b.overlay().find(id);
        INFO("overlay entry " << id.hex());
        REQUIRE((ea == nullptr) == (eb == nullptr));
        if (ea == nullptr) continue;
        CHECK(ea->lookup.version == eb->lookup.version);
        CHECK(ea->lookup.object == eb->lookup.object);
        CHECK(ea->writer_tx == eb->writer_tx);
        CHECK(ea->writer_effects == eb->writer_effects);
        CHECK(ea->sequence == eb->sequence);
    }
}

void require_same(const common::Result<PreExecResult>& expected,
                  const common::Result<PreExecResult>& got) {
    REQUIRE(expected.is_ok() == got.is_ok());
    if (!expected.is_ok()) {
        CHECK(expected.status().code() == got.status().code());
        return;
    }
    REQUIRE(executor::canonical_effects_bytes(expected->effects) ==
            executor::canonical_effects_bytes(got->effects));
    REQUIRE(expected.value() == got.value());
}

struct Case {
    std::string workload;
    std::uint64_t schedule_seed = 0;
    bool tiny_overlay = false;
    bool ordered = false;
};

// Feeds the case's workload to two pre-executors, one by one and in random batches; returns the
// batch engine's counters.
PreExecutorCounters run_case(const Case& c, std::uint64_t seed) {
    auto config = protocol_config(c.workload, seed);
    config.invalid_signature_rate = 0.05;
    Batches batches = make_batches(config, 4, 30);
    Reference ref;
    ref.store = memory_store("reference");
    executor::SequentialExecutor sequential(*ref.store);
    REQUIRE(sequential.commit_genesis(batches.genesis, batches.name).is_ok());

    PreExecutorOptions options;
    options.ordered_replay = c.ordered;
    if (c.tiny_overlay) options.overlay_entries_max = 6;
    auto one =
        PreExecutor::from_genesis(1, memory_store("one"), batches.genesis, batches.name, options);
    options.exec_threads = 3;
    options.exec_schedule_seed = c.schedule_seed;
    auto many =
        PreExecutor::from_genesis(1, memory_store("many"), batches.genesis, batches.name, options);
    REQUIRE(one.is_ok());
    REQUIRE(many.is_ok());
    PreExecutor& a = *one.value();
    PreExecutor& b = *many.value();

    std::mt19937_64 rng(seed * 1000 + c.schedule_seed);
    std::set<ObjectId> ids;
    for (const Object& object : batches.genesis) ids.insert(object.id);
    for (std::size_t commit = 0; commit < batches.commits.size(); ++commit) {
        INFO("commit " << commit);
        std::vector<Transaction> txs = batches.commits[commit];
        // Duplicate deliveries: a copy of an earlier transaction, later in the stream.
        for (int d = 0; d < 3; ++d) {
            const std::size_t from = rng() % txs.size();
            txs.insert(
                txs.begin() + static_cast<std::ptrdiff_t>(from + rng() % (txs.size() - from)),
                Transaction(txs[from]));
        }
        // Authenticators verified elsewhere for some, as a node's verify workers do.
        std::vector<std::optional<LookupTable>> tables(txs.size());
        std::vector<const LookupTable*> hints(txs.size(), nullptr);
        for (std::size_t i = 0; i < txs.size(); ++i) {
            if (rng() % 2 == 0) continue;
            LookupTable table;
            table.tx_digest = executor::transaction_digest(txs[i]);
            table.authenticators = executor::authorize(txs[i], table.tx_digest, nullptr).checks;
            tables[i] = std::move(table);
            hints[i] = &*tables[i];
        }
        if (c.ordered && commit % 2 == 1) {
            // The sequencer's order of part of this commit, known before it executes.
            protocol::TentativeOrder order;
            order.batch = commit;
            for (std::size_t i = 0; i < txs.size(); i += 2) {
                order.txs.push_back(executor::transaction_digest(txs[i]));
            }
            REQUIRE(a.learn_order(order).is_ok());
            REQUIRE(b.learn_order(order).is_ok());
        }
        for (std::size_t at = 0; at < txs.size();) {
            const std::size_t size = std::min<std::size_t>(1 + rng() % 12, txs.size() - at);
            INFO("batch of " << size << " at " << at);
            std::vector<common::Result<PreExecResult>> expected;
            for (std::size_t i = at; i < at + size; ++i)
                expected.push_back(a.execute(txs[i], hints[i]));
            auto got = b.execute_batch(std::span(txs).subspan(at, size),
                                       std::span(hints).subspan(at, size));
            REQUIRE(got.size() == size);
            for (std::size_t i = 0; i < size; ++i) {
                INFO("transaction " << at + i);
                require_same(expected[i], got[i]);
                if (!expected[i]) continue;
                for (const auto* list :
                     {&expected[i]->effects.written, &expected[i]->effects.created}) {
                    for (const Object& object : *list) ids.insert(object.id);
                }
                for (const DeletedObject& gone : expected[i]->effects.deleted) ids.insert(gone.id);
            }
            if (c.ordered && rng() % 2 == 0) {
                auto ra = a.replay_pending(4);
                auto rb = b.replay_pending(4);
                REQUIRE(ra.is_ok());
                REQUIRE(rb.is_ok());
                CHECK(ra.value() == rb.value());
            }
            auto released_a = a.take_released();
            auto released_b = b.take_released();
            REQUIRE(released_a == released_b);
            REQUIRE(sequential_part(a.counters()) == sequential_part(b.counters()));
            require_same_overlay(a, b, ids);
            at += size;
        }
        // The primary commits this commit's original transactions: both learn the same update.
        auto outcome = sequential.execute_commit(batches.commits[commit]);
        REQUIRE(outcome.is_ok());
        apply_to_both(a, b, outcome->effects);
        REQUIRE(a.take_released() == b.take_released());
        REQUIRE(sequential_part(a.counters()) == sequential_part(b.counters()));
        require_same_overlay(a, b, ids);
    }
    return b.counters();
}

}  // namespace

TEST_CASE("a batch executed in parallel is the same as its transactions one by one",
          "[protocol][parallel][property]") {
    std::uint64_t validated = 0;
    std::uint64_t conflicts = 0;
    for (const char* workload :
         {"transfer", "counter", "nft", "amm", "compute", "mixed", "random"}) {
        for (std::uint64_t schedule_seed : {0, 3, 11}) {
            for (int variant = 0; variant < 3; ++variant) {
                Case c{workload, schedule_seed, variant == 1, variant == 2};
                INFO(workload << " schedule seed " << schedule_seed << " variant " << variant);
                const std::uint64_t seed = 17 + schedule_seed * 7 + variant;
                PreExecutorCounters counters = run_case(c, seed);
                CHECK(counters.batches > 0);
                CHECK(counters.parallel.validated + counters.parallel.conflicts <=
                      counters.parallel.speculated);
                validated += counters.parallel.validated;
                conflicts += counters.parallel.conflicts;
                // In the declared-input schedule a transfer stream validates almost whole.
                if (schedule_seed == 0 && variant == 0 && c.workload == "transfer") {
                    CHECK(counters.parallel.validated * 2 > counters.executed);
                }
            }
        }
    }
    // Not vacuous: speculation was taken, and stale speculation was caught.
    CHECK(validated > 0);
    CHECK(conflicts > 0);
}

TEST_CASE("execute_batch with one thread, or one transaction, executes in turn",
          "[protocol][parallel]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 8);
    auto pre = PreExecutor::from_genesis(1, memory_store("one"), batches.genesis, batches.name);
    REQUIRE(pre.is_ok());
    auto results = pre.value()->execute_batch(batches.commits[0]);
    REQUIRE(results.size() == 8);
    for (const auto& result : results) CHECK(result.is_ok());
    CHECK(pre.value()->counters().batches == 0);
    CHECK(pre.value()->counters().executed == 8);
}

TEST_CASE("exec_threads is bounded", "[protocol][parallel]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 1);
    for (std::size_t threads : {std::size_t{0}, protocol::limits::kExecThreadsMax + 1}) {
        PreExecutorOptions options;
        options.exec_threads = threads;
        auto pre = PreExecutor::from_genesis(1, memory_store("bounded"), batches.genesis,
                                             batches.name, options);
        REQUIRE_FALSE(pre.is_ok());
        CHECK(pre.status().code() == common::Code::kInvalidArgument);
    }
}

TEST_CASE("an invalid transaction in a batch gets execute()'s error and changes nothing",
          "[protocol][parallel]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 6);
    std::vector<Transaction> txs = batches.commits[0];
    txs[2].authenticators.clear();  // breaks validate_transaction
    PreExecutorOptions options;
    options.exec_threads = 2;
    auto pre = PreExecutor::from_genesis(1, memory_store("invalid"), batches.genesis, batches.name,
                                         options);
    REQUIRE(pre.is_ok());
    auto results = pre.value()->execute_batch(txs);
    REQUIRE(results.size() == txs.size());
    CHECK(results[2].status().code() == common::Code::kInvalidArgument);
    for (std::size_t i : {0, 1, 3, 4, 5}) CHECK(results[i].is_ok());
    CHECK(pre.value()->counters().executed == txs.size() - 1);
}

namespace {

void require_same_outcome(const common::Result<std::optional<PreExecResult>>& expected,
                          const common::Result<std::optional<PreExecResult>>& got) {
    REQUIRE(expected.is_ok() == got.is_ok());
    if (!expected.is_ok()) {
        CHECK(expected.status().code() == got.status().code());
        return;
    }
    REQUIRE(expected->has_value() == got->has_value());  // held on both or on neither
    if (!expected->has_value()) return;
    require_same(common::Result<PreExecResult>(**expected), common::Result<PreExecResult>(**got));
}

// A pre-executor that is routed only part of the stream, as a node among several is: the rest
// is executed elsewhere (`full`, which runs everything in order) and its effects arrive as
// forwards at random points, late or never before the commit, some behind a handoff fence.
// One engine takes its share through execute_or_hold() one by one, the other in random batches
// through execute_or_hold_batch(), speculating or not. Returns the batch engine's counters.
PreExecutorCounters run_holding_case(const std::string& workload, std::uint64_t seed,
                                     std::size_t held_txs_max) {
    auto config = protocol_config(workload, seed);
    config.invalid_signature_rate = 0.05;
    Batches batches = make_batches(config, 5, 40);
    auto ref_store = memory_store("reference");
    executor::SequentialExecutor sequential(*ref_store);
    REQUIRE(sequential.commit_genesis(batches.genesis, batches.name).is_ok());

    PreExecutorOptions options;
    options.held_txs_max = held_txs_max;
    options.hold_updates_max = 2;
    auto one =
        PreExecutor::from_genesis(1, memory_store("one"), batches.genesis, batches.name, options);
    auto full =
        PreExecutor::from_genesis(2, memory_store("full"), batches.genesis, batches.name, options);
    options.exec_threads = 3;
    options.exec_schedule_seed = seed;
    auto many =
        PreExecutor::from_genesis(1, memory_store("many"), batches.genesis, batches.name, options);
    REQUIRE(one.is_ok());
    REQUIRE(full.is_ok());
    REQUIRE(many.is_ok());
    PreExecutor& a = *one.value();
    PreExecutor& b = *many.value();
    PreExecutor& elsewhere = *full.value();

    std::mt19937_64 rng(seed);
    std::set<ObjectId> ids;
    for (const Object& object : batches.genesis) ids.insert(object.id);
    const auto note_ids = [&ids](const Effects& effects) {
        for (const auto* list : {&effects.written, &effects.created}) {
            for (const Object& object : *list) ids.insert(object.id);
        }
        for (const DeletedObject& gone : effects.deleted) ids.insert(gone.id);
    };
    const auto require_in_step = [&] {
        REQUIRE(a.take_released() == b.take_released());
        REQUIRE(sequential_part(a.counters()) == sequential_part(b.counters()));
        REQUIRE(a.held() == b.held());
        require_same_overlay(a, b, ids);
    };
    for (std::size_t commit = 0; commit < batches.commits.size(); ++commit) {
        INFO("commit " << commit);
        const std::vector<Transaction>& stream = batches.commits[commit];
        std::vector<Transaction> routed;
        std::vector<Effects> forwards;  // executed elsewhere, not yet forwarded
        for (const Transaction& tx : stream) {
            auto result = elsewhere.execute(tx);
            if (rng() % 10 < 6 || !result) {
                routed.push_back(tx);
                continue;
            }
            note_ids(result->effects);
            // A handoff fence on what it writes, for some of them.
            if (rng() % 4 == 0 && !result->effects.written.empty()) {
                const ObjectId& object = result->effects.written.front().id;
                a.fence(object, result->tx_digest);
                b.fence(object, result->tx_digest);
            }
            forwards.push_back(result->effects);
        }
        for (std::size_t at = 0; at < routed.size();) {
            const std::size_t size = std::min<std::size_t>(1 + rng() % 12, routed.size() - at);
            INFO("batch of " << size << " at " << at);
            const bool speculate = rng() % 3 != 0;
            std::vector<common::Result<std::optional<PreExecResult>>> expected;
            for (std::size_t i = at; i < at + size; ++i)
                expected.push_back(a.execute_or_hold(routed[i]));
            auto got = b.execute_or_hold_batch(std::span(routed).subspan(at, size), {}, speculate);
            REQUIRE(got.size() == size);
            for (std::size_t i = 0; i < size; ++i) {
                INFO("transaction " << at + i);
                require_same_outcome(expected[i], got[i]);
                if (expected[i] && expected[i]->has_value()) note_ids((*expected[i])->effects);
            }
            require_in_step();
            // Some of what was executed elsewhere arrives now, in random order.
            for (std::size_t f = 0; f < forwards.size();) {
                if (rng() % 3 != 0) {
                    ++f;
                    continue;
                }
                const Effects effects = forwards[f];
                forwards.erase(forwards.begin() + static_cast<std::ptrdiff_t>(f));
                const common::Digest digest = executor::effects_digest(effects);
                auto ra = a.apply_peer_effects(effects, digest);
                auto rb = b.apply_peer_effects(effects, digest);
                REQUIRE(ra.is_ok() == rb.is_ok());
                if (ra.is_ok()) CHECK(ra.value() == rb.value());
                require_in_step();
            }
            at += size;
        }
        // The primary commits the whole stream: both learn the same update (the forwards still
        // pending never arrive).
        auto outcome = sequential.execute_commit(stream);
        REQUIRE(outcome.is_ok());
        apply_to_both(a, b, outcome->effects);
        REQUIRE(
            elsewhere
                .apply_state_update(update_of(outcome->effects, 2, elsewhere.caught_up_commit()))
                .is_ok());
        require_in_step();
    }
    return b.counters();
}

}  // namespace

TEST_CASE("a batch with holding is the same as execute_or_hold one by one",
          "[protocol][parallel][property]") {
    std::uint64_t held = 0;
    std::uint64_t fenced = 0;
    std::uint64_t ready = 0;
    std::uint64_t pushed_out = 0;
    std::uint64_t batches = 0;
    for (const char* workload :
         {"transfer", "counter", "nft", "amm", "compute", "mixed", "random"}) {
        for (std::uint64_t seed : {5, 23, 71}) {
            for (std::size_t held_txs_max : {std::size_t{4096}, std::size_t{3}}) {
                INFO(workload << " seed " << seed << " held_txs_max " << held_txs_max);
                PreExecutorCounters counters = run_holding_case(workload, seed, held_txs_max);
                held += counters.held;
                fenced += counters.fenced;
                ready += counters.released_ready;
                pushed_out += counters.released_unready;
                batches += counters.batches;
            }
        }
    }
    // Not vacuous: transactions were held, by fences and by missing inputs, released both ways,
    // and batches were speculated.
    CHECK(held > 0);
    CHECK(fenced > 0);
    CHECK(ready > 0);
    CHECK(pushed_out > 0);
    CHECK(batches > 0);
}
