// Faulty pre-executors and a faulty network: garbage results, missing, duplicate, late and
// unknown results. Whatever arrives, the primary's commits equal the reference's.

#include <catch2/catch.hpp>

#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::testing;
using executor::protocol::MissCause;
using executor::protocol::Submitted;

TEST_CASE("garbage effects with an honest but stale table are re-executed", "[protocol]") {
    Batches batches = make_batches(protocol_config("counter"), 2, 30);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 1, {});
    auto& pre = cluster.pre(10);
    // The pre-executor never sees the first commit: its tables for the second are stale.
    auto first = cluster.process(batches.commits[0]);
    REQUIRE(first.outcome.state_digest == ref.digests[0]);
    std::size_t submitted = 0;
    for (const auto& tx : batches.commits[1]) {
        auto result = pre.execute(tx);
        REQUIRE(result.is_ok());
        // Self-consistent garbage: more gas, an invented event. Only the versions can tell.
        result->effects.gas_used += 1;
        result->effects.events.push_back({"garbage", "not what the program emitted"});
        auto submit_result = cluster.primary().submit(std::move(result).value());
        REQUIRE(submit_result.is_ok());
        ++submitted;
    }
    auto second = cluster.process(batches.commits[1]);
    REQUIRE(effects_bytes(second.outcome.effects) == ref.effects[1]);
    CHECK(second.outcome.state_digest == ref.digests[1]);
    require_same_commits(cluster.store(), *ref.store);
    auto counters = cluster.primary().counters();
    // Only a counter the first commit left untouched could match; none is with 4 counters.
    CHECK(counters.adopted == 0);
    CHECK(counters.misses[MissCause::kStaleVersion] == submitted);
}

TEST_CASE("results that do not fit their transaction are refused or re-executed", "[protocol]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 6);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 1, {});
    auto& pre = cluster.pre(10);
    const auto& txs = batches.commits[0];
    std::vector<executor::protocol::PreExecResult> results;
    for (const auto& tx : txs) results.push_back(pre.execute(tx).value());

    SECTION("malformed results are refused at submit and counted") {
        auto wrong_digest = results[0];
        wrong_digest.effects.tx_digest = results[1].tx_digest;
        auto wrong_version = results[0];
        REQUIRE_FALSE(wrong_version.effects.written.empty());
        for (auto& object : wrong_version.effects.written) object.version += 1;
        for (auto& object : wrong_version.effects.created) object.version += 1;
        auto wrong_reader = results[0];
        wrong_reader.speculative_reads.push_back(
            {common::Hash256{}, 1, common::Hash256{}, common::Hash256{}});
        auto unknown = results[0];
        unknown.pre_executor = 99;
        for (auto* bad : {&wrong_digest, &wrong_version, &wrong_reader, &unknown}) {
            auto submitted = cluster.primary().submit(*bad);
            CHECK(submitted.status().code() == common::Code::kInvalidArgument);
        }
        CHECK(cluster.primary().counters().results_rejected == 4);
        CHECK(cluster.primary().counters().results_buffered_now == 0);
    }
    SECTION("a table naming other authenticators is invalid, whatever its versions") {
        // Current versions, but the table describes another signature: not this transaction.
        results[2].table.authenticators[0].signature.bytes[0] ^= 1;
        results[3].effects.gas_used = txs[3].gas_budget + 1;
        for (auto& r : results) REQUIRE(cluster.primary().submit(r).is_ok());
        auto commit = cluster.process(txs);
        REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[0]);
        CHECK(commit.decisions[2].miss == MissCause::kInvalidResult);
        CHECK(commit.decisions[3].miss == MissCause::kInvalidResult);
        CHECK(adopted_count(commit) == 4);
    }
}

TEST_CASE("missing results are re-executed in full and charged where they were routed",
          "[protocol]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 20);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 1, {});
    auto& pre = cluster.pre(10);
    const auto& txs = batches.commits[0];
    for (std::size_t i = 0; i < txs.size(); ++i) {
        if (i < 10) cluster.submit(pre, txs[i]);
        if (i >= 15) cluster.primary().note_routed(executor::transaction_digest(txs[i]), 10);
    }
    auto missing = cluster.primary().missing_results(txs);
    CHECK(missing == std::vector<std::size_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
    auto commit = cluster.process(txs);
    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[0]);
    for (std::size_t i = 10; i < txs.size(); ++i) {
        CHECK(commit.decisions[i].miss == MissCause::kMissingResult);
        CHECK(commit.decisions[i].pre_executor ==
              (i >= 15 ? std::optional<executor::protocol::PreExecutorId>(10) : std::nullopt));
    }
    auto counters = cluster.primary().counters();
    CHECK(counters.misses[MissCause::kMissingResult] == 10);
    REQUIRE(counters.pre_executors.size() == 1);
    CHECK(counters.pre_executors[0].misses[MissCause::kMissingResult] == 5);
    CHECK(counters.pre_executors[0].window_txs == 15);
}

TEST_CASE("duplicate, late and never-ordered results change nothing", "[protocol]") {
    auto config = protocol_config("transfer");
    Batches batches = make_batches(config, 4, 10);
    // Transactions that are pre-executed but never ordered: the next ones of the workload.
    Batches extra = make_batches(config, 5, 10);
    Reference ref = run_reference(batches);
    executor::protocol::PrimaryOptions options;
    options.result_ttl_commits = 2;
    Cluster cluster(batches, 2, options);
    auto& a = cluster.pre(10);
    auto& b = cluster.pre(11);
    const auto& first = batches.commits[0];

    // Duplicates from one pre-executor replace each other; another's result is kept beside.
    CHECK(cluster.submit(a, first[0]) == Submitted::kBuffered);
    auto again = a.execute(first[0]);  // executed twice: sees its own write, so it differs
    REQUIRE(again.is_ok());
    CHECK(cluster.primary().submit(again.value()).value() == Submitted::kReplaced);
    CHECK(cluster.submit(b, first[0]) == Submitted::kBuffered);
    for (std::size_t i = 1; i < first.size(); ++i) cluster.submit(b, first[i]);
    // Results for transactions that will never be ordered.
    for (const auto& tx : extra.commits[4]) cluster.submit(a, tx);
    CHECK(cluster.primary().counters().results_buffered_now == 20);

    auto commit = cluster.process(first);
    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[0]);
    // a's replaced result read a's own write of the coin: stale. b's is adopted.
    CHECK(commit.decisions[0].adopted);
    CHECK(commit.decisions[0].pre_executor == 11u);
    // A late result for a committed transaction is dropped on arrival.
    CHECK(cluster.submit(a, first[1]) == Submitted::kAlreadyCommitted);

    for (std::size_t c = 1; c < batches.commits.size(); ++c) {
        auto next = cluster.process(batches.commits[c]);
        REQUIRE(effects_bytes(next.outcome.effects) == ref.effects[c]);
    }
    auto counters = cluster.primary().counters();
    CHECK(counters.results_replaced == 1);
    CHECK(counters.results_late == 1);
    CHECK(counters.results_unused == 0);  // a's result failed the check: it was used, and missed
    CHECK(counters.results_expired == 10);
    CHECK(counters.results_buffered_now == 0);
    REQUIRE(counters.pre_executors.size() == 2);
    CHECK(counters.pre_executors[0].misses[MissCause::kStaleVersion] == 1);
    require_same_commits(cluster.store(), *ref.store);
}

TEST_CASE("the primary keeps the newest revision of a pre-executor's result", "[protocol]") {
    auto config = protocol_config("transfer");
    Batches batches = make_batches(config, 1, 4);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 1, executor::protocol::PrimaryOptions{});
    auto& a = cluster.pre(10);
    const auto& first = batches.commits[0];
    auto good = a.execute(first[0]);   // on genesis: what the primary will compute
    auto stale = a.execute(first[0]);  // sees its own write of the coin: stale
    REQUIRE(good.is_ok());
    REQUIRE(stale.is_ok());
    stale->revision = 1;
    good->revision = 2;  // a replacement re-executed in the right order
    CHECK(cluster.primary().submit(stale.value()).value() == Submitted::kBuffered);
    CHECK(cluster.primary().submit(good.value()).value() == Submitted::kReplaced);
    // The older revision arrives again (a slow link): it never displaces the newer one.
    CHECK(cluster.primary().submit(stale.value()).value() == Submitted::kOutdated);
    CHECK(cluster.primary().counters().results_outdated == 1);
    for (std::size_t i = 1; i < first.size(); ++i) cluster.submit(a, first[i]);
    auto commit = cluster.process(first);
    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[0]);
    CHECK(commit.decisions[0].adopted);
}

TEST_CASE("a full result buffer drops its oldest transactions", "[protocol]") {
    Batches batches = make_batches(protocol_config("transfer"), 1, 10);
    Reference ref = run_reference(batches);
    executor::protocol::PrimaryOptions options;
    options.buffered_txs_max = 4;
    Cluster cluster(batches, 1, options);
    cluster.pre_execute(batches.commits[0]);
    auto counters = cluster.primary().counters();
    CHECK(counters.results_buffered_now == 4);
    CHECK(counters.results_dropped_full == 6);
    auto commit = cluster.process(batches.commits[0]);
    REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[0]);
    CHECK(adopted_count(commit) == 4);  // the four newest
    for (std::size_t i = 6; i < 10; ++i) CHECK(commit.decisions[i].adopted);
}

TEST_CASE("a crashed pre-executor is rebuilt from genesis and caught up by a state update",
          "[protocol]") {
    Batches batches = make_batches(protocol_config("counter"), 4, 20);
    Reference ref = run_reference(batches);
    Cluster cluster(batches, 0, {});
    for (std::size_t c = 0; c < 2; ++c) cluster.process(batches.commits[c]);
    // Joins late (after a crash, from genesis): one explicit update catches it up.
    cluster.add_pre_executor(batches, 30);
    auto update = cluster.primary().make_state_update(30);
    REQUIRE(update.is_ok());
    CHECK(update->from_commit == 1);
    CHECK(update->to_commit == 3);
    CHECK(update->complete);
    auto ack = cluster.pre(30).apply_state_update(update.value());
    REQUIRE(ack.is_ok());
    CHECK(ack->caught_up_commit == 3);
    REQUIRE(cluster.primary().acknowledge(ack.value()).is_ok());
    CHECK(cluster.pre(30).store().status().state_digest == cluster.store().status().state_digest);
    for (std::size_t c = 2; c < 4; ++c) {
        cluster.pre_execute(batches.commits[c]);
        auto commit = cluster.process(batches.commits[c]);
        REQUIRE(effects_bytes(commit.outcome.effects) == ref.effects[c]);
        CHECK(adopted_count(commit) == commit.decisions.size());
    }
    auto ahead = cluster.primary().acknowledge({30, 99});
    CHECK(ahead.code() == common::Code::kInvalidArgument);
}
