// Regression tests for two ways the primary once adopted a wrong result (docs/remora_protocol.md,
// "Why adoption is safe"): a version issued twice for one id, and a forwarded result whose
// digest was taken on trust. Each drives the engines by hand in the arrival order that broke the
// invariant and compares the primary with the sequential reference, byte for byte.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "executor/exec/package_object.h"
#include "executor/exec/rules.h"
#include "executor/tx/authenticators.h"
#include "executor/vm/assembler.h"
#include "tests/executor/protocol_support.h"

namespace remora::testing {
namespace {

using executor::Address;
using executor::Effects;
using executor::InputObject;
using executor::ObjectId;
using executor::PackageCall;
using executor::Transaction;

ObjectId hash_of(std::uint8_t byte) {
    ObjectId id;
    id.bytes.fill(byte);
    return id;
}

const executor::KeyPair& alice() {
    static const executor::KeyPair keys = [] {
        executor::Seed seed;
        seed.bytes.fill(0xA1);
        return executor::keypair_from_seed(seed);
    }();
    return keys;
}

// A shared parent and its dynamic child "k": put sets it, drop removes it, show emits it and
// copies it into the parent (so the result depends on the child's contents).
constexpr std::string_view kChildProgram = R"(
.func put args=1 locals=0 returns=0
    push 0
    host input_id
    pushc "k"
    load 0
    host child_set
    ret
.func drop args=0 locals=0 returns=0
    push 0
    host input_id
    pushc "k"
    host child_remove
    ret
.func show args=0 locals=1 returns=0
    push 0
    host input_id
    pushc "k"
    host child_get
    store 0
    pushc "child"
    load 0
    host emit_event
    push 0
    host input_id
    load 0
    host object_write
    ret
)";

ObjectId parent_id() { return hash_of(0xB1); }
ObjectId child_package_id() { return hash_of(0xB2); }

Batches child_world() {
    Batches batches;
    batches.name = "soundness";
    auto package = executor::vm::assemble(kChildProgram);
    INFO(package.status().to_string());
    REQUIRE(package.is_ok());
    auto published = executor::make_package_object(child_package_id(), 1, package.value());
    REQUIRE(published.is_ok());
    Object parent;
    parent.id = parent_id();
    parent.version = 1;
    parent.owner = executor::SharedOwner{};
    parent.type_tag = "parent";
    parent.contents = "empty";
    batches.genesis = {parent, published.value()};
    std::sort(batches.genesis.begin(), batches.genesis.end(),
              [](const Object& a, const Object& b) { return a.id < b.id; });
    return batches;
}

Transaction child_tx(std::uint64_t nonce, const std::string& entry,
                     std::vector<executor::Value> arguments = {}, std::uint64_t expiry = 0) {
    Transaction tx;
    tx.expiry = expiry;
    tx.sender = executor::address_of(alice().public_key);
    tx.nonce = nonce;
    tx.inputs = {InputObject::shared(parent_id())};
    tx.gas_budget = 1'000'000;
    tx.program = PackageCall{child_package_id(), entry};
    tx.arguments = std::move(arguments);
    executor::sign_transaction(tx, std::span<const executor::KeyPair>(&alice(), 1));
    return tx;
}

// The primary's commits against the reference's: effects bytes, digests and commit records.
void require_reference(Cluster& cluster, const Batches& batches,
                       const std::vector<protocol::PrimaryCommit>& commits) {
    Reference reference = run_reference(batches);
    REQUIRE(commits.size() == reference.effects.size());
    for (std::size_t c = 0; c < commits.size(); ++c) {
        INFO("commit " << c + 2);
        CHECK(effects_bytes(commits[c].outcome.effects) == reference.effects[c]);
        CHECK(commits[c].outcome.state_digest == reference.digests[c]);
    }
    require_same_commits(cluster.store(), *reference.store);
}

TEST_CASE("a child created and removed in one commit never lends its version to another",
          "[protocol][soundness]") {
    Batches batches = child_world();
    const Transaction a = child_tx(1, "put", {executor::Bytes("C1")});
    const Transaction b = child_tx(2, "drop");
    const Transaction d = child_tx(3, "put", {executor::Bytes("C2")});
    const Transaction e = child_tx(4, "show");
    batches.commits = {{a, b}, {d, e}};

    protocol::PrimaryOptions options;
    Cluster cluster(batches, 1, options);
    protocol::PreExecutor& pre = cluster.pre(10);
    // Arrival order A, E, B, D: E reads the first incarnation of the child from A's
    // speculative write.
    for (const Transaction* tx : {&a, &e, &b, &d}) cluster.submit(pre, *tx);
    std::vector<protocol::PrimaryCommit> commits;
    for (const auto& txs : batches.commits) commits.push_back(cluster.process(txs));
    require_reference(cluster, batches, commits);
    // The commit that created and removed the child left its tombstone above the version that
    // named "C1"; the re-creation is above it.
    const ObjectId child = commits[0].outcome.effects[0].created.at(0).id;
    CHECK(commits[0].outcome.effects[1].deleted.at(0).version == 3);
    CHECK(commits[1].outcome.effects[0].created.at(0).version == 4);
    CHECK_FALSE(commits[1].decisions[1].adopted);
    auto info = cluster.store().latest_info(child).value();
    REQUIRE(info.has_value());
    CHECK(info->version == 4);
}

TEST_CASE("a forwarded result whose bytes do not match its digest is refused",
          "[protocol][soundness]") {
    Batches batches = child_world();
    const Transaction a = child_tx(1, "put", {executor::Bytes("C1")});
    const Transaction e = child_tx(2, "show");
    batches.commits = {{a, e}};

    protocol::PrimaryOptions options;
    Cluster cluster(batches, 2, options);
    auto from_a = cluster.pre(10).execute(a);
    REQUIRE(from_a.is_ok());
    const common::Digest honest = executor::effects_digest(from_a->effects);
    // One flipped byte between two honest pre-executors, sent with the sender's digest.
    Effects damaged = from_a->effects;
    REQUIRE(damaged.created.size() == 1);
    damaged.created[0].contents[1] ^= 0x01;
    auto taken = cluster.pre(11).apply_peer_effects(damaged, honest);
    REQUIRE_FALSE(taken.is_ok());
    CHECK(taken.status().code() == common::Code::kCorruption);
    CHECK(cluster.pre(11).counters().peer_forwards_refused == 1);
    CHECK(cluster.pre(11).counters().peer_objects == 0);
    // The honest forward is taken.
    auto honest_taken = cluster.pre(11).apply_peer_effects(from_a->effects, honest);
    REQUIRE(honest_taken.is_ok());
    CHECK(honest_taken.value() == 1);

    auto submit_result = cluster.primary().submit(std::move(from_a).value());
    REQUIRE(submit_result.is_ok());
    cluster.submit(cluster.pre(11), e);
    std::vector<protocol::PrimaryCommit> commits = {cluster.process(batches.commits[0])};
    require_reference(cluster, batches, commits);
    CHECK(adopted_count(commits[0]) == 2);
}

TEST_CASE("a damaged forward taken on trust would be adopted: the digest is recomputed",
          "[protocol][soundness]") {
    // The attack of the test above, carried through: the damaged forward is offered to the
    // receiver with the honest digest and the receiver's result for E goes to the primary.
    // Whatever the receiver did with the forward, the primary's output is the reference's.
    Batches batches = child_world();
    const Transaction a = child_tx(1, "put", {executor::Bytes("C1")});
    const Transaction e = child_tx(2, "show");
    batches.commits = {{a, e}};

    protocol::PrimaryOptions options;
    Cluster cluster(batches, 2, options);
    auto from_a = cluster.pre(10).execute(a);
    REQUIRE(from_a.is_ok());
    Effects damaged = from_a->effects;
    damaged.created[0].contents[0] ^= 0x20;
    (void)cluster.pre(11).apply_peer_effects(damaged, executor::effects_digest(from_a->effects));
    auto submit_result = cluster.primary().submit(std::move(from_a).value());
    REQUIRE(submit_result.is_ok());
    cluster.submit(cluster.pre(11), e);
    std::vector<protocol::PrimaryCommit> commits = {cluster.process(batches.commits[0])};
    require_reference(cluster, batches, commits);
}

// --- Results that contradict themselves --------------------------------------------------------
// Mutations an honest executor never produces and the primary's structural checks (and identity
// check) must catch; a lie that keeps the result consistent (other contents under an honest
// table) is outside what the checks can see (docs/remora_protocol.md, "What is trusted").
enum class Mutation : int {
    kWriteUnread,       // an extra written object the table never read
    kCreatedAsWritten,  // a created object listed as written: the table read it absent
    kForeignIdentity,   // another executor identity
    kAbortKeepsWrites,  // an abort that still changes objects
    kFalseAuthAbort,    // kInvalidAuthenticator though every authenticator verified
    kCount
};

bool mutate(protocol::PreExecResult& result, Mutation mutation, std::uint64_t salt) {
    Effects& effects = result.effects;
    auto sort_objects = [](std::vector<Object>& objects) {
        std::sort(objects.begin(), objects.end(),
                  [](const Object& a, const Object& b) { return a.id < b.id; });
    };
    switch (mutation) {
        case Mutation::kWriteUnread: {
            const std::vector<Object>& source =
                effects.written.empty() ? effects.created : effects.written;
            if (!effects.status.is_success() || source.empty()) return false;
            Object extra = source.front();
            extra.id = hash_of(static_cast<std::uint8_t>(0x40 + salt % 64));
            extra.id.bytes[1] = static_cast<std::uint8_t>(salt >> 8);
            effects.written.push_back(extra);
            sort_objects(effects.written);
            return true;
        }
        case Mutation::kCreatedAsWritten:
            if (!effects.status.is_success() || effects.created.empty()) return false;
            effects.written.push_back(effects.created.back());
            effects.created.pop_back();
            sort_objects(effects.written);
            return true;
        case Mutation::kForeignIdentity:
            result.executor.digest.bytes[salt % 32] ^= 0x01;
            return true;
        case Mutation::kAbortKeepsWrites:
            if (!effects.status.is_success() || effects.written.empty()) return false;
            effects.status.code = executor::AbortCode::kUserAbort;
            effects.status.abort_value = 1;
            effects.status.detail = "forged";
            return true;
        case Mutation::kFalseAuthAbort:
            effects.status.code = executor::AbortCode::kInvalidAuthenticator;
            effects.status.abort_value = 0;
            effects.status.detail = "forged";
            effects.written.clear();
            effects.created.clear();
            effects.deleted.clear();
            effects.events.clear();
            return true;
        case Mutation::kCount:
            break;
    }
    return false;
}

struct CorruptedRun {
    std::size_t mutated = 0;  // mutated results the primary took in
    std::size_t adopted_mutated = 0;
    bool matches_reference = true;
};

// One pre-executor executes every transaction honestly; the results of a seeded selection are
// mutated before they reach the primary.
CorruptedRun run_corrupted(const std::string& workload, std::uint64_t seed, bool checks) {
    Batches batches = make_batches(protocol_config(workload, seed), 4, 25);
    protocol::PrimaryOptions options;
    options.adopt_checks = checks;
    Cluster cluster(batches, 1, options);
    std::mt19937_64 rng(seed);
    CorruptedRun run;
    std::set<common::Digest> mutated;
    std::vector<protocol::PrimaryCommit> commits;
    for (const auto& txs : batches.commits) {
        for (const Transaction& tx : txs) {
            auto result = cluster.pre(10).execute(tx);
            REQUIRE(result.is_ok());
            protocol::PreExecResult sent = std::move(result).value();
            if (rng() % 3 == 0) {
                auto mutation = static_cast<Mutation>(rng() % static_cast<int>(Mutation::kCount));
                if (mutate(sent, mutation, rng())) mutated.insert(sent.tx_digest);
            }
            auto submitted = cluster.primary().submit(std::move(sent));
            if (submitted.is_ok() && mutated.count(executor::transaction_digest(tx)) != 0) {
                ++run.mutated;
            }
        }
        protocol::PrimaryCommit commit = cluster.process(txs);
        for (const auto& decision : commit.decisions) {
            if (decision.adopted && mutated.count(decision.tx_digest) != 0) ++run.adopted_mutated;
        }
        commits.push_back(std::move(commit));
    }
    Reference reference = run_reference(batches);
    for (std::size_t c = 0; c < commits.size(); ++c) {
        if (effects_bytes(commits[c].outcome.effects) != reference.effects[c]) {
            run.matches_reference = false;
        }
    }
    return run;
}

TEST_CASE("results that contradict themselves are never adopted (generated mutations)",
          "[protocol][soundness]") {
    std::size_t mutated = 0;
    for (const std::string workload : {"mixed", "transfer", "nft", "amm"}) {
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            INFO(workload << " seed " << seed);
            CorruptedRun run = run_corrupted(workload, seed, true);
            CHECK(run.adopted_mutated == 0);
            CHECK(run.matches_reference);
            mutated += run.mutated;
        }
    }
    CHECK(mutated > 50);
}

TEST_CASE("without the structural checks the mutated results are adopted: the test can fail",
          "[protocol][soundness]") {
    std::size_t wrong_runs = 0;
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        CorruptedRun run = run_corrupted("mixed", seed, false);
        if (!run.matches_reference) ++wrong_runs;
        CHECK(run.adopted_mutated > 0);
    }
    CHECK(wrong_runs > 0);
}

// --- Replays and expiry (docs/execution.md, "Replays and expiry") ----------------------------

executor::AbortCode status_of(const protocol::PrimaryCommit& commit, std::size_t i) {
    return commit.outcome.effects.at(i).status.code;
}

TEST_CASE("a transaction digest executes at most once, in both paths alike", "[protocol][replay]") {
    Batches batches = child_world();
    const Transaction put = child_tx(1, "put", {executor::Bytes("v")});
    const Transaction show = child_tx(2, "show");
    Transaction forged = child_tx(3, "put", {executor::Bytes("w")});
    forged.authenticators[0].signature.bytes[7] ^= 0x10;  // same digest, broken signature
    const Transaction real = child_tx(3, "put", {executor::Bytes("w")});
    // show is shared-only: replayed, it would copy the child into the parent again.
    batches.commits = {{put, show}, {show, put}, {forged, real, real}, {show}};

    protocol::PrimaryOptions options;
    Cluster cluster(batches, 1, options);
    std::vector<protocol::PrimaryCommit> commits;
    for (const auto& txs : batches.commits) {
        cluster.pre_execute(txs);
        commits.push_back(cluster.process(txs));
    }
    require_reference(cluster, batches, commits);
    using executor::AbortCode;
    CHECK(status_of(commits[0], 1) == AbortCode::kNone);
    CHECK(status_of(commits[1], 0) == AbortCode::kDuplicate);  // a later commit
    CHECK(status_of(commits[1], 1) == AbortCode::kDuplicate);
    CHECK(status_of(commits[2], 0) == AbortCode::kInvalidAuthenticator);
    CHECK(status_of(commits[2], 1) == AbortCode::kNone);       // the forged copy blocked nothing
    CHECK(status_of(commits[2], 2) == AbortCode::kDuplicate);  // later in the same commit
    CHECK(status_of(commits[3], 0) == AbortCode::kDuplicate);
    for (const auto& commit : commits) {
        for (std::size_t i = 0; i < commit.decisions.size(); ++i) {
            const bool rejected = status_of(commit, i) == AbortCode::kDuplicate;
            CHECK(commit.decisions[i].ruled_out == rejected);
            if (rejected) {
                CHECK(commit.outcome.effects[i].written.empty());
                CHECK(commit.outcome.effects[i].gas_used == 0);
            }
        }
    }
    CHECK(cluster.primary().counters().ruled_out == 4);
    // The index points at the execution, never at a duplicate.
    auto where = cluster.store().find_transaction(executor::transaction_digest(show));
    REQUIRE(where.is_ok());
    CHECK(where->first == 2);
}

TEST_CASE("an expired transaction, or one whose expiry is past the horizon, is rejected",
          "[protocol][replay]") {
    Batches batches = child_world();
    const Transaction on_time = child_tx(1, "put", {executor::Bytes("a")}, 2);  // commit 2
    const Transaction late = child_tx(2, "put", {executor::Bytes("b")}, 2);     // commit 3
    const Transaction far =
        child_tx(3, "put", {executor::Bytes("c")}, 3 + executor::kExpiryHorizonCommits + 1);
    const Transaction edge =
        child_tx(4, "put", {executor::Bytes("d")}, 3 + executor::kExpiryHorizonCommits);
    batches.commits = {{on_time}, {late, far, edge}};
    protocol::PrimaryOptions options;
    Cluster cluster(batches, 1, options);
    std::vector<protocol::PrimaryCommit> commits;
    for (const auto& txs : batches.commits) {
        cluster.pre_execute(txs);
        commits.push_back(cluster.process(txs));
    }
    require_reference(cluster, batches, commits);
    using executor::AbortCode;
    CHECK(status_of(commits[0], 0) == AbortCode::kNone);
    CHECK(status_of(commits[1], 0) == AbortCode::kExpired);
    CHECK(status_of(commits[1], 1) == AbortCode::kExpired);
    CHECK(status_of(commits[1], 2) == AbortCode::kNone);
    // An expired transaction is not executed, so it may come back... and is expired again.
    CHECK_FALSE(cluster.store().find_transaction(executor::transaction_digest(late)).is_ok());
}

TEST_CASE("replayed transactions at random positions: the primary stays the reference's",
          "[protocol][replay]") {
    for (const std::string workload : {"counter", "mixed", "nft"}) {
        for (std::uint64_t seed = 1; seed <= 4; ++seed) {
            INFO(workload << " seed " << seed);
            Batches batches = make_batches(protocol_config(workload, seed), 5, 20);
            std::mt19937_64 rng(seed * 7919);
            std::vector<Transaction> seen;
            for (auto& txs : batches.commits) {
                for (const Transaction& tx : std::vector<Transaction>(txs)) {
                    seen.push_back(tx);
                    if (rng() % 4 == 0) {  // a replay of anything submitted so far, right here
                        txs.insert(txs.begin() + static_cast<long>(rng() % (txs.size() + 1)),
                                   seen[rng() % seen.size()]);
                    }
                }
            }
            protocol::PrimaryOptions options;
            Cluster cluster(batches, 2, options);
            std::vector<protocol::PrimaryCommit> commits;
            std::size_t duplicates = 0;
            for (const auto& txs : batches.commits) {
                cluster.pre_execute(txs);
                commits.push_back(cluster.process(txs));
                for (const auto& effects : commits.back().outcome.effects) {
                    duplicates += effects.status.code == executor::AbortCode::kDuplicate;
                }
            }
            require_reference(cluster, batches, commits);
            CHECK(duplicates > 0);
        }
    }
}

}  // namespace
}  // namespace remora::testing
