// The primary against the sequential reference: with no pre-executors, with fresh ones, with a
// stale one, and with pre-executors whose speculative writes fork from the primary's history.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "executor/protocol/anoma_bridge.h"
#include "executor/tx/authenticators.h"
#include "executor/workload/genesis.h"
#include "executor/workload/world.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::testing;
using executor::protocol::MissCause;
using executor::protocol::RoutingMode;

namespace {

// Runs every commit through `cluster` (pre-executing first when `feed`), checks each against
// the reference, and returns the adopted fraction.
double run_and_compare(Cluster& cluster, const Batches& batches, const Reference& ref, bool feed) {
    std::size_t adopted = 0, total = 0;
    for (std::size_t c = 0; c < batches.commits.size(); ++c) {
        if (feed) cluster.pre_execute(batches.commits[c]);
        auto commit = cluster.process(batches.commits[c]);
        INFO("commit " << c);
        REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
        REQUIRE(commit.outcome.state_digest == ref.digests[c]);
        adopted += adopted_count(commit);
        total += commit.decisions.size();
    }
    require_same_commits(cluster.store(), *ref.store);
    return static_cast<double>(adopted) / static_cast<double>(total);
}

// Eight commits of 30 transactions of workload `name`, 5% of them with an invalid signature.
Batches some_invalid_batches(const char* name) {
    auto config = protocol_config(name);
    config.invalid_signature_rate = 0.05;
    return make_batches(config, 8, 30);
}

}  // namespace

TEST_CASE("with no pre-executors the primary is the sequential reference", "[protocol]") {
    for (const char* name : {"transfer", "counter", "nft", "amm", "compute", "mixed"}) {
        DYNAMIC_SECTION(name) {
            auto config = protocol_config(name);
            config.invalid_signature_rate = 0.05;
            Batches batches = make_batches(config, 3, 30);
            Reference ref = run_reference(batches);
            Cluster cluster(batches, 0, {});
            for (std::size_t c = 0; c < batches.commits.size(); ++c) {
                auto commit = cluster.process(batches.commits[c]);
                REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
                CHECK(commit.outcome.state_digest == ref.digests[c]);
                CHECK(commit.outcome.index == c + 2);
                REQUIRE(commit.decisions.size() == batches.commits[c].size());
                REQUIRE(commit.finished.size() == batches.commits[c].size());
                REQUIRE(commit.summaries.size() == batches.commits[c].size());
                for (std::size_t i = 0; i < commit.decisions.size(); ++i) {
                    const auto& effects = commit.outcome.effects[i];
                    CHECK_FALSE(commit.decisions[i].adopted);
                    CHECK(commit.decisions[i].miss == MissCause::kMissingResult);
                    CHECK(commit.decisions[i].tx_digest == effects.tx_digest);
                    const executor::TxFingerprint at{commit.outcome.index,
                                                     static_cast<std::uint32_t>(i)};
                    CHECK(commit.finished[i] ==
                          executor::protocol::executor_finished(
                              effects, executor::effects_digest(effects), at));
                    CHECK(commit.summaries[i].status == effects.status);
                    CHECK(commit.summaries[i].timestamp == at);
                }
            }
            require_same_commits(cluster.store(), *ref.store);
            auto counters = cluster.primary().counters();
            CHECK(counters.commits == 3);
            CHECK(counters.adopted == 0);
            CHECK(counters.reexecuted == 90);
            CHECK(counters.misses[MissCause::kMissingResult] == 90);
        }
    }
}

TEST_CASE("fresh pre-executors fed every transaction before ordering are adopted", "[protocol]") {
    Batches batches = make_batches(protocol_config("transfer"), 6, 30);
    Reference ref = run_reference(batches);
    for (int pre_executors = 1; pre_executors <= 3; ++pre_executors) {
        DYNAMIC_SECTION(pre_executors << " pre-executors") {
            Cluster cluster(batches, pre_executors, {});
            double hit_rate = run_and_compare(cluster, batches, ref, true);
            auto counters = cluster.primary().counters();
            INFO("hit rate " << hit_rate << ", misses stale "
                             << counters.misses[MissCause::kStaleVersion] << ", updates "
                             << counters.state_updates);
            // One pre-executor sees every transaction in order: its speculative state is the
            // primary's. More of them only miss on coins received from another's senders.
            if (pre_executors == 1) {
                CHECK(counters.adopted == counters.transactions);
            } else {
                CHECK(hit_rate >= 0.8);
            }
            CHECK(counters.misses[MissCause::kUnconfirmedRead] == 0);
            CHECK(counters.results_submitted == 180);
        }
    }
}

TEST_CASE("every workload stays identical with pre-executors, whatever the routing", "[protocol]") {
    for (auto mode : {RoutingMode::kAffinity, RoutingMode::kRoundRobin}) {
        for (const char* name : {"counter", "nft", "amm", "compute", "mixed"}) {
            DYNAMIC_SECTION(
                name << (mode == RoutingMode::kAffinity ? " affinity" : " round-robin")) {
                auto config = protocol_config(name);
                config.invalid_signature_rate = 0.05;
                Batches batches = make_batches(config, 4, 25);
                Reference ref = run_reference(batches);
                executor::protocol::LoadBalancerOptions routing;
                routing.mode = mode;
                Cluster cluster(batches, 3, {}, routing);
                double hit_rate = run_and_compare(cluster, batches, ref, true);
                auto counters = cluster.primary().counters();
                // Broken signatures are never adopted (a Failed mark is not trusted).
                CHECK(counters.misses[MissCause::kAuthenticatorFailed] == 5);
                // With affinity, only broken signatures miss where one object decides the
                // route. An amm swap's owned coin follows the pool it swaps on, not its
                // sender, so coins go stale between pre-executors (docs/remora_protocol.md).
                const std::string workload = name;
                if (mode == RoutingMode::kAffinity && workload == "mixed") {
                    CHECK(hit_rate >= 0.75);
                }
                if (mode == RoutingMode::kAffinity && workload != "mixed" && workload != "amm") {
                    CHECK(hit_rate >= 0.95);
                }
            }
        }
    }
}

TEST_CASE("consensus may order transactions unlike their arrival", "[protocol]") {
    for (const char* name : {"counter", "amm", "mixed"}) {
        DYNAMIC_SECTION(name) {
            Batches arrival = make_batches(protocol_config(name), 4, 25);
            Batches ordered = arrival;
            for (auto& txs : ordered.commits) std::reverse(txs.begin(), txs.end());
            Reference ref = run_reference(ordered);
            executor::protocol::LoadBalancerOptions routing;
            routing.mode = RoutingMode::kRoundRobin;
            Cluster cluster(arrival, 2, {}, routing);
            for (std::size_t c = 0; c < arrival.commits.size(); ++c) {
                cluster.pre_execute(arrival.commits[c]);
                auto commit = cluster.process(ordered.commits[c]);
                REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
                REQUIRE(commit.outcome.state_digest == ref.digests[c]);
            }
            require_same_commits(cluster.store(), *ref.store);
        }
    }
}

TEST_CASE("a stale pre-executor misses as stale, gets a state update, and recovers", "[protocol]") {
    Batches batches = make_batches(protocol_config("counter"), 8, 30);
    Reference ref = run_reference(batches);
    executor::protocol::PrimaryOptions options;
    options.miss_window_txs = 64;
    options.miss_threshold = 8;
    Cluster cluster(batches, 1, options);
    auto& pre = cluster.pre(10);
    cluster.set_apply_updates(false);  // phase 1: updates are lost on the way

    std::size_t adopted_late = 0, total_late = 0;
    for (std::size_t c = 0; c < batches.commits.size(); ++c) {
        const auto& txs = batches.commits[c];
        const bool stale_phase = c < 4;
        for (std::size_t i = 0; i < txs.size(); ++i) {
            // Phase 1: the pre-executor sees only every other transaction, so its counters
            // fall behind the primary's.
            if (!stale_phase || i % 2 == 1) cluster.submit(pre, txs[i]);
        }
        if (c == 4) cluster.set_apply_updates(true);
        auto commit = cluster.process(txs);
        REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
        REQUIRE(commit.outcome.state_digest == ref.digests[c]);
        if (c >= 5) {
            adopted_late += adopted_count(commit);
            total_late += txs.size();
        }
    }
    require_same_commits(cluster.store(), *ref.store);
    auto counters = cluster.primary().counters();
    CHECK(counters.misses[MissCause::kStaleVersion] > 20);
    CHECK(counters.misses[MissCause::kDynamicMismatch] == 0);
    CHECK(counters.misses[MissCause::kMissingResult] == 60);  // the skipped half of phase 1
    CHECK(cluster.updates_seen() >= 2);
    CHECK(counters.state_updates == cluster.updates_seen());
    CHECK(counters.state_update_bytes > 0);
    REQUIRE(counters.pre_executors.size() == 1);
    CHECK(counters.pre_executors[0].misses[MissCause::kStaleVersion] ==
          counters.misses[MissCause::kStaleVersion]);
    CHECK(pre.counters().updates_applied >= 1);
    CHECK(pre.caught_up_commit() >= 6);
    // After the update the pre-executor's state is the primary's: every result is adopted.
    CHECK(adopted_late == total_late);
}

TEST_CASE("a speculative write that forks from the primary's history is not adopted",
          "[protocol]") {
    // Three increments of one shared counter. P1 executes T1 then T3 (T3 reads T1's write at
    // version 2); P2 executes T2 (also writing version 2). Consensus orders T2, T3, T1: at T3 the
    // primary's counter is at version 2 too, but written by T2. Adopting T3 would be wrong.
    auto config = protocol_config("counter");
    config.shared_objects = 1;
    Batches batches = make_batches(config, 1, 3);
    const auto& t = batches.commits[0];
    std::vector<executor::Transaction> ordered = {t[1], t[2], t[0]};
    Batches reordered = batches;
    reordered.commits[0] = ordered;
    Reference ref = run_reference(reordered);

    Cluster cluster(batches, 2, {});
    auto& p1 = cluster.pre(10);
    auto& p2 = cluster.pre(11);
    cluster.submit(p1, t[0]);             // T1 on P1
    auto speculative = p1.execute(t[2]);  // T3 on P1, reading T1's write
    REQUIRE(speculative.is_ok());
    REQUIRE(speculative->speculative_reads.size() == 1);
    // What adopting would have written differs from the reference's T3.
    CHECK(executor::canonical_effects_bytes(speculative->effects) != ref.effects[0][1]);
    auto submit_result = cluster.primary().submit(std::move(speculative).value());
    REQUIRE(submit_result.is_ok());
    cluster.submit(p2, t[1]);  // T2 on P2

    auto commit = cluster.process(ordered);
    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[0]);
    CHECK(commit.outcome.state_digest == ref.digests[0]);
    CHECK(commit.decisions[0].adopted);  // T2: P2 read the genesis counter, still current
    CHECK(commit.decisions[1].miss == MissCause::kUnconfirmedRead);  // T3: same version, fork
    CHECK(commit.decisions[2].miss == MissCause::kStaleVersion);     // T1: read version 1
    require_same_commits(cluster.store(), *ref.store);
}

TEST_CASE("a speculative read is adopted once its writer is committed as assumed", "[protocol]") {
    auto config = protocol_config("counter");
    config.shared_objects = 1;
    Batches batches = make_batches(config, 2, 3);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 1, {});
    // All six are pre-executed before the first commit: the second commit's results read
    // writes of the first commit's transactions, confirmed by the time they are ordered.
    cluster.pre_execute(batches.commits[0]);
    cluster.pre_execute(batches.commits[1]);
    for (std::size_t c = 0; c < 2; ++c) {
        auto commit = cluster.process(batches.commits[c]);
        REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
        CHECK(adopted_count(commit) == 3);
    }
    CHECK(cluster.pre(10).counters().speculative_reads == 5);
}

TEST_CASE("a dynamic object changed behind an unchanged parent is a dynamic mismatch",
          "[protocol]") {
    // An nft item (a child of the shared collection) changes owner without the collection
    // being written: only the table's dynamic read can tell that a result is stale.
    using namespace executor;
    auto config = protocol_config("nft");
    auto genesis = workload::make_genesis(workload::synthetic_genesis_config(config));
    REQUIRE(genesis.is_ok());
    const auto& accounts = genesis->accounts;
    std::uint64_t nonce = 0;
    auto call = [&](std::uint32_t sender, std::string entry, std::vector<Value> args) {
        Transaction tx;
        tx.sender = accounts[sender].address;
        tx.nonce = 1000 + nonce++;
        tx.inputs = {InputObject::shared(genesis->collections[0])};
        tx.gas_budget = 1'000'000;
        tx.program =
            PackageCall{workload::package_object_id(programs::ProgramId::kNft), std::move(entry)};
        tx.arguments = std::move(args);
        sign_transaction(tx, std::span<const KeyPair>(&accounts[sender].keys, 1));
        return tx;
    };
    auto address = [&](std::uint32_t i) { return Bytes(accounts[i].address.view()); };
    Batches batches{"nft", genesis->objects, {}};
    batches.commits.push_back({call(0, "mint", {Bytes("item")})});
    Transaction give = call(0, "transfer_item", {std::uint64_t{0}, address(1)});
    Transaction pass_on = call(1, "transfer_item", {std::uint64_t{0}, address(2)});
    batches.commits.push_back({give, pass_on});
    Reference ref = run_reference(batches);

    Cluster cluster(batches, 1, {});
    auto& pre = cluster.pre(10);
    cluster.process(batches.commits[0]);
    auto update = cluster.primary().make_state_update(10);
    REQUIRE(update.is_ok());
    REQUIRE(pre.apply_state_update(update.value()).is_ok());
    // Pre-executed before `give`: account 1 does not own the item yet, so it aborts.
    auto early = pre.execute(pass_on);
    REQUIRE(early.is_ok());
    CHECK(early->effects.status.code == AbortCode::kUserAbort);
    auto submit_result = cluster.primary().submit(std::move(early).value());
    REQUIRE(submit_result.is_ok());

    auto commit = cluster.process(batches.commits[1]);
    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[1]);
    CHECK(commit.outcome.effects[1].status.is_success());
    CHECK(commit.decisions[1].miss == MissCause::kDynamicMismatch);
    require_same_commits(cluster.store(), *ref.store);
}

namespace {

using executor::protocol::RoutedUpdates;
using executor::protocol::StateUpdateKind;

struct RoutedRun {
    double hit_rate = 0;
    std::uint64_t routed_updates = 0;
    std::uint64_t routed_objects = 0;
    std::uint64_t stale_misses = 0;
};

// `transfer` on three pre-executors, every result in before its commit, no catch-up updates:
// coins received from a sender routed elsewhere reach the receiver's pre-executor only by
// routed updates. Checks each routed update against the mode's rule.
RoutedRun run_routed(RoutedUpdates mode) {
    Batches batches = make_batches(protocol_config("transfer", 21), 10, 30);
    Reference ref = run_reference(batches);
    executor::protocol::PrimaryOptions options;
    options.miss_threshold = 0;
    options.routed_updates = mode;
    Cluster cluster(batches, 3, options);
    cluster.route_updates();
    std::size_t adopted = 0, total = 0;
    RoutedRun run;
    for (std::size_t c = 0; c < batches.commits.size(); ++c) {
        cluster.pre_execute(batches.commits[c]);
        auto commit = cluster.process(batches.commits[c]);
        REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
        REQUIRE(commit.outcome.state_digest == ref.digests[c]);
        adopted += adopted_count(commit);
        total += commit.decisions.size();
        // Who produced each object's final version in this commit.
        std::map<executor::ObjectId, std::optional<executor::protocol::PreExecutorId>> producer;
        for (std::size_t i = 0; i < commit.decisions.size(); ++i) {
            const auto& d = commit.decisions[i];
            for (const auto& o : commit.outcome.effects[i].created) {
                producer[o.id] = d.adopted ? d.pre_executor : std::nullopt;
            }
            for (const auto& o : commit.outcome.effects[i].written) {
                producer[o.id] = d.adopted ? d.pre_executor : std::nullopt;
            }
        }
        for (const auto& update : commit.state_updates) {
            REQUIRE(update.kind == StateUpdateKind::kRouted);
            CHECK_FALSE(update.complete);
            CHECK(update.to_commit == commit.outcome.index);
            ++run.routed_updates;
            for (std::size_t k = 0; k < update.objects.size(); ++k) {
                const auto& object = update.objects[k];
                if (k > 0) CHECK(update.objects[k - 1].id < object.id);
                ++run.routed_objects;
                REQUIRE(producer.count(object.id) == 1);
                CHECK(producer[object.id] != update.pre_executor);
                if (mode == RoutedUpdates::kAffinity) {
                    CHECK(cluster.balancer().expected_reader(object) == update.pre_executor);
                }
            }
        }
    }
    require_same_commits(cluster.store(), *ref.store);
    for (auto id : {10u, 11u, 12u}) CHECK(cluster.pre(id).caught_up_commit() == 1);
    auto counters = cluster.primary().counters();
    CHECK(counters.routed_updates == run.routed_updates);
    CHECK(counters.routed_update_objects == run.routed_objects);
    CHECK(counters.state_updates == 0);
    run.stale_misses = counters.misses[MissCause::kStaleVersion];
    run.hit_rate = static_cast<double>(adopted) / static_cast<double>(total);
    return run;
}

}  // namespace

TEST_CASE("routed updates bring received coins to the receiver's pre-executor", "[protocol]") {
    RoutedRun off = run_routed(RoutedUpdates::kOff);
    RoutedRun affinity = run_routed(RoutedUpdates::kAffinity);
    RoutedRun broadcast = run_routed(RoutedUpdates::kBroadcast);
    CHECK(off.routed_updates == 0);
    CHECK(off.stale_misses > 0);  // without them, received coins are unknown where spent
    CHECK(affinity.routed_updates > 0);
    CHECK(affinity.stale_misses == 0);
    CHECK(affinity.hit_rate == 1.0);
    CHECK(broadcast.stale_misses == 0);
    // Broadcast sends each owned object to both other pre-executors, affinity to at most one.
    CHECK(broadcast.routed_objects > affinity.routed_objects);
}

// A transaction the primary re-executed was forwarded by no pre-executor, so its owned outputs
// (an amm swap's new coin, whose owner's next swap is routed by its pool) go to every
// pre-executor: one holding that swap for the coin would otherwise wait until the hold expires,
// with every later swap on the pool held behind it (the testnet's collapse under load).
TEST_CASE("the owned outputs of a re-executed transaction reach every pre-executor", "[protocol]") {
    Batches batches = make_batches(protocol_config("amm", 5), 4, 30);
    executor::protocol::PrimaryOptions options;
    options.miss_threshold = 0;
    Cluster cluster(batches, 3, options);
    cluster.route_updates();
    std::size_t owned = 0;
    for (std::size_t c = 0; c < batches.commits.size(); ++c) {
        INFO("commit " << c);
        // Half the commits pre-executed, the others not at all: re-executed by the primary.
        if (c % 2 == 0) cluster.pre_execute(batches.commits[c]);
        auto commit = cluster.process(batches.commits[c]);
        std::map<executor::ObjectId, std::optional<executor::protocol::PreExecutorId>> producer;
        std::map<executor::ObjectId, const executor::Object*> last;
        for (std::size_t i = 0; i < commit.decisions.size(); ++i) {
            const auto& d = commit.decisions[i];
            const auto& e = commit.outcome.effects[i];
            for (const auto* list : {&e.written, &e.created}) {
                for (const auto& o : *list) {
                    producer[o.id] = d.adopted ? d.pre_executor : std::nullopt;
                    last[o.id] = &o;
                }
            }
            for (const auto& gone : e.deleted) last.erase(gone.id);
        }
        std::map<executor::ObjectId, std::set<executor::protocol::PreExecutorId>> got;
        for (const auto& update : commit.state_updates) {
            for (const auto& object : update.objects) got[object.id].insert(update.pre_executor);
        }
        for (const auto& [id, object] : last) {
            const bool shared = std::holds_alternative<executor::SharedOwner>(object->owner);
            std::set<executor::protocol::PreExecutorId> expected;
            if (!shared && !producer[id]) {
                expected = {10, 11, 12};
                ++owned;
            } else if (auto reader = cluster.balancer().expected_reader(*object);
                       reader && reader != producer[id]) {
                expected = {*reader};
            }
            INFO("object " << id.hex() << (shared ? " shared" : " owned"));
            CHECK(got[id] == expected);
        }
    }
    CHECK(owned > 0);  // not vacuous: re-executed swaps created coins
}

TEST_CASE("a pipelined primary commits exactly what the unpipelined one commits", "[protocol]") {
    for (const char* name : {"transfer", "amm", "mixed"}) {
        DYNAMIC_SECTION(name) {
            Batches batches = some_invalid_batches(name);
            Reference ref = run_reference(batches);
            Cluster plain(batches, 0, {});
            // The same primary on a store whose writer thread may hold up to two commits: each
            // commit is decided on the one before while that one is still being written.
            storage::StoreOptions options;
            options.create_if_missing = true;
            options.in_memory = true;
            options.pipeline_depth = 2;
            auto opened = storage::Store::open("/remora-in-memory/pipelined",
                                               storage::OpenMode::kReadWrite, options);
            REQUIRE(opened.is_ok());
            storage::Store& store = *opened.value();
            REQUIRE(executor::SequentialExecutor(store)
                        .commit_genesis(batches.genesis, batches.name)
                        .is_ok());
            executor::protocol::Primary primary(store, {});
            std::vector<executor::protocol::PrimaryCommit> finished;
            auto finish_one = [&] {
                auto commit = primary.finish_commit();
                INFO(commit.status().to_string());
                REQUIRE(commit.is_ok());
                finished.push_back(std::move(commit).value());
            };
            for (const auto& txs : batches.commits) {
                REQUIRE(primary.start_commit(txs).is_ok());
                // Unpipelined use is refused while commits are started.
                CHECK(primary.process_commit(txs).status().code() ==
                      common::Code::kInvalidArgument);
                if (primary.commits_started() > 2) finish_one();
            }
            while (primary.commits_started() > 0) finish_one();
            CHECK(primary.finish_commit().status().code() == common::Code::kInvalidArgument);
            REQUIRE(finished.size() == batches.commits.size());
            for (std::size_t c = 0; c < batches.commits.size(); ++c) {
                INFO("commit " << c);
                auto expected = plain.process(batches.commits[c]);
                const auto& got = finished[c];
                REQUIRE(effects_bytes(got.outcome.effects) == ref.effects[c]);
                CHECK(got.outcome.state_digest == ref.digests[c]);
                CHECK(got.outcome.index == expected.outcome.index);
                CHECK(got.finished == expected.finished);
                CHECK(got.summaries == expected.summaries);
            }
            require_same_commits(store, *ref.store);
        }
    }
}

TEST_CASE("digests handed over by the driver give exactly the commits the primary hashes itself",
          "[protocol]") {
    for (const char* name : {"transfer", "amm", "mixed"}) {
        DYNAMIC_SECTION(name) {
            Batches batches = some_invalid_batches(name);
            Reference ref = run_reference(batches);
            Cluster hashing(batches, 2, {});
            Cluster handed(batches, 2, {});
            for (std::size_t c = 0; c < batches.commits.size(); ++c) {
                INFO("commit " << c);
                const auto& txs = batches.commits[c];
                std::vector<common::Digest> digests;
                for (const auto& tx : txs) digests.push_back(executor::transaction_digest(tx));
                hashing.pre_execute(txs);
                handed.pre_execute(txs);
                // A list that does not match the commit is refused before anything is decided.
                CHECK(handed.primary()
                          .process_commit(txs, std::span(digests).first(digests.size() - 1))
                          .status()
                          .code() == common::Code::kInvalidArgument);
                auto expected = hashing.process(txs);
                auto got = handed.process(txs, digests);
                REQUIRE(effects_bytes(got.outcome.effects) == ref.effects[c]);
                CHECK(got.outcome.state_digest == ref.digests[c]);
                CHECK(adopted_count(got) == adopted_count(expected));
                CHECK(got.finished == expected.finished);
                CHECK(got.summaries == expected.summaries);
            }
            CHECK(handed.primary().counters().adopted > 0);
            require_same_commits(handed.store(), *ref.store);
        }
    }
}

TEST_CASE("effects digests left to the primary's digest thread confirm speculative reads as before",
          "[protocol]") {
    // Six increments of one counter, all pre-executed by one pre-executor before any commit:
    // each result after the first reads its predecessor's write speculatively, inside the
    // commit (the primary computes the writer's digest on the spot) and across two commits
    // started back to back (the first commit's digests are collected before the second is
    // decided).
    auto config = protocol_config("counter");
    config.shared_objects = 1;
    Batches batches = make_batches(config, 2, 3);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 1, {});
    auto& pre = cluster.pre(10);
    for (std::size_t i = 0; i < 2; ++i) cluster.submit(pre, batches.commits[0][i]);
    // The first commit's last transaction: no later result of that commit reads its writes, so
    // its digest is left to the digest thread.
    auto last = pre.execute(batches.commits[0][2]);
    REQUIRE(last.is_ok());
    const executor::protocol::PreExecResult late = last.value();
    auto buffered = cluster.primary().submit(std::move(last).value());
    REQUIRE(buffered.is_ok());
    cluster.pre_execute(batches.commits[1]);
    CHECK(pre.counters().speculative_reads == 5);

    auto& primary = cluster.primary();
    REQUIRE(primary.start_commit(batches.commits[0]).is_ok());
    // Its transactions are committed while their digests are still being computed: a late
    // result is dropped as one.
    auto dropped = primary.submit(late);
    REQUIRE(dropped.is_ok());
    CHECK(dropped.value() == executor::protocol::Submitted::kAlreadyCommitted);
    REQUIRE(primary.start_commit(batches.commits[1]).is_ok());
    for (std::size_t c = 0; c < 2; ++c) {
        INFO("commit " << c);
        auto commit = primary.finish_commit();
        REQUIRE(commit.is_ok());
        REQUIRE(effects_bytes(commit->outcome.effects) == ref.effects[c]);
        CHECK(commit->outcome.state_digest == ref.digests[c]);
        CHECK(adopted_count(commit.value()) == 3);
        REQUIRE(commit->finished.size() == 3);
        REQUIRE(commit->summaries.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            const common::Digest digest = executor::effects_digest(commit->outcome.effects[i]);
            CHECK(commit->finished[i].effects_digest == digest);
            CHECK(commit->summaries[i].effects_digest == digest);
        }
    }
    CHECK(primary.counters().results_late == 1);
    require_same_commits(cluster.store(), *ref.store);
}
