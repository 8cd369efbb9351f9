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
        auto update = update_of(outcome->effects, 1, a.caught_up_commit());
        auto ack_a = a.apply_state_update(update);
        auto ack_b = b.apply_state_update(update);
        REQUIRE(ack_a.is_ok());
        REQUIRE(ack_b.is_ok());
        CHECK(ack_a.value() == ack_b.value());
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
