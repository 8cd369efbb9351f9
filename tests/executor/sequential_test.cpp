// The sequential reference: commits persisted with their effects, replay-verify, determinism.

#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <fstream>
#include <functional>

#include "executor/exec/execute.h"
#include "executor/exec/state_overlay.h"
#include "executor/sequential/commit_body.h"
#include "executor/sequential/replay.h"
#include "executor/sequential/sequential.h"
#include "executor/tx/effects.h"
#include "executor/workload/workload.h"
#include "storage/commit_codec.h"
#include "storage/keys.h"
#include "tests/executor/tx_reference_codec.h"
#include "tests/support/temp_dir.h"

using namespace remora;
using namespace remora::executor;

namespace {

struct Run {
    common::Digest digest;
    std::vector<std::string> effects_bytes;
    std::uint64_t unexpected_status = 0;
};

std::unique_ptr<storage::Store> create_store(const std::string& dir) {
    storage::StoreOptions options;
    options.create_if_missing = true;
    options.sync = false;
    auto store = storage::Store::open(dir, storage::OpenMode::kReadWrite, options);
    REQUIRE(store.is_ok());
    return std::move(store).value();
}

// Genesis plus `commits` commits of `per_commit` transactions of the named workload.
Run run_workload(const std::string& dir, const workload::WorkloadConfig& config, int commits,
                 int per_commit) {
    auto store = create_store(dir);
    auto made = workload::make_workload(config);
    INFO(made.status().to_string());
    REQUIRE(made.is_ok());
    auto& load = *made.value();
    SequentialExecutor executor(*store);
    REQUIRE(executor.commit_genesis(load.genesis_objects(), load.name()).is_ok());
    Run run;
    for (int c = 0; c < commits; ++c) {
        std::vector<Transaction> txs;
        std::vector<AbortCode> expected;
        for (int i = 0; i < per_commit; ++i) {
            auto next = load.next();
            if (!next) break;
            txs.push_back(next->tx);
            expected.push_back(next->expected_status);
        }
        auto outcome = executor.execute_commit(txs);
        INFO(outcome.status().to_string());
        REQUIRE(outcome.is_ok());
        REQUIRE(outcome->effects.size() == txs.size());
        for (std::size_t i = 0; i < txs.size(); ++i) {
            if (outcome->effects[i].status.code != expected[i]) ++run.unexpected_status;
            run.effects_bytes.push_back(canonical_effects_bytes(outcome->effects[i]));
        }
    }
    run.digest = store->status().state_digest;
    auto recomputed = store->recompute_digest();
    REQUIRE(recomputed.is_ok());
    CHECK(recomputed->state_digest == run.digest);
    return run;
}

// Rewrites commit `index`'s record in a closed store with raw RocksDB, as another build (or a
// damaged disk) would have written it.
void rewrite_commit(const std::string& dir, common::CommitIndex index,
                    const std::function<void(storage::CommitRecord&)>& edit) {
    rocksdb::DBOptions options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (auto name : storage::kColumnFamilies) {
        cfs.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir, cfs, &handles, &raw).ok());
    std::string value;
    REQUIRE(raw->Get({}, handles[3], storage::commit_key(index), &value).ok());
    auto record = storage::decode_commit_record(value).value();
    edit(record);
    REQUIRE(
        raw->Put({}, handles[3], storage::commit_key(index), storage::encode_commit_record(record))
            .ok());
    for (auto* h : handles) REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
}

// The commit record in tests/data/commit_record_body_v1.hex (comment lines skipped).
storage::CommitRecord fixture_record_v1() {
    std::ifstream in(std::string(REMORA_SOURCE_DIR) + "/tests/data/commit_record_body_v1.hex");
    REQUIRE(in.good());
    std::string line;
    std::string hex;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != '#') hex += line;
    }
    auto bytes = common::from_hex(hex);
    REQUIRE(bytes.has_value());
    auto record = storage::decode_commit_record(*bytes);
    INFO(record.status().to_string());
    REQUIRE(record.is_ok());
    return std::move(record).value();
}

workload::WorkloadConfig config_for(const std::string& name, std::uint64_t seed) {
    workload::WorkloadConfig config;
    config.name = name;
    config.seed = seed;
    config.accounts = 64;
    config.compute_rounds = 50;
    config.invalid_signature_rate = 0.05;
    return config;
}

}  // namespace

TEST_CASE("every workload runs as its generator predicts and replays to the same digest",
          "[sequential]") {
    for (const char* name : {"transfer", "counter", "nft", "amm", "compute", "mixed"}) {
        DYNAMIC_SECTION(name) {
            testing::TempDir tmp;
            Run run = run_workload(tmp.sub("db"), config_for(name, 3), 3, 40);
            CHECK(run.unexpected_status == 0);
            CHECK(run.effects_bytes.size() == 120);

            auto source = storage::Store::open(tmp.sub("db"), storage::OpenMode::kReadOnly);
            REQUIRE(source.is_ok());
            auto report = replay_verify(*source.value(), tmp.sub("replay"));
            INFO(report.status().to_string());
            REQUIRE(report.is_ok());
            CHECK(report->match);
            CHECK(report->detail.empty());
            CHECK(report->commits == 4);  // genesis + 3
            CHECK(report->transactions == 120);
            CHECK(report->replayed_digest == run.digest);
        }
    }
}

TEST_CASE("the same seed gives byte-identical effects and digest; another seed does not",
          "[sequential][determinism]") {
    testing::TempDir tmp;
    Run a = run_workload(tmp.sub("a"), config_for("mixed", 11), 2, 50);
    Run b = run_workload(tmp.sub("b"), config_for("mixed", 11), 2, 50);
    Run c = run_workload(tmp.sub("c"), config_for("mixed", 12), 2, 50);
    CHECK(a.digest == b.digest);
    CHECK(a.effects_bytes == b.effects_bytes);
    CHECK(a.digest != c.digest);
}

TEST_CASE("the reference digest is a fixed function of the workload, whatever the build",
          "[sequential][determinism]") {
    // Regression anchor: CI builds Release, developers Debug and ASan; all must agree. If a
    // deliberate change to the VM, programs, encodings or digest moves it, update it here
    // together with the change and say why in the commit.
    testing::TempDir tmp;
    workload::WorkloadConfig config;
    config.name = "transfer";
    config.seed = 1;
    config.accounts = 32;
    Run run = run_workload(tmp.sub("db"), config, 2, 25);
    CHECK(run.unexpected_status == 0);
    CHECK(run.digest.hex() == "b3c064c1b93029700c9a88f9290baef35beb3d5965c323a55396a1989710a29b");
}

TEST_CASE("commits store their transactions and effects, and the transaction index",
          "[sequential]") {
    testing::TempDir tmp;
    run_workload(tmp.sub("db"), config_for("counter", 5), 2, 10);
    auto store = storage::Store::open(tmp.sub("db"), storage::OpenMode::kReadOnly).value();
    CHECK(store->status().applied_commit == 3);
    auto genesis = decode_commit_body(store->read_commit(1)->body);
    REQUIRE(genesis.is_ok());
    CHECK(genesis->genesis);
    CHECK_FALSE(genesis->genesis_objects.empty());
    auto record = store->read_commit(3);
    REQUIRE(record.is_ok());
    auto body = decode_commit_body(record->body);
    REQUIRE(body.is_ok());
    REQUIRE(body->transactions.size() == 10);
    // The index holds the executed transactions: not those whose signature failed (the
    // workload breaks 5% of them), so that a forged copy cannot block the real one.
    std::uint32_t executed = 0;
    for (const CommittedTx& entry : body->transactions) {
        const bool failed = entry.effects.status.code == AbortCode::kInvalidAuthenticator;
        executed += failed ? 0 : 1;
        CHECK(store->find_transaction(entry.effects.tx_digest).is_ok() == !failed);
    }
    CHECK(executed < 10);
    CHECK(record->transactions == executed);
    const Effects& fourth = body->transactions[3].effects;
    CHECK(fourth.tx_digest == transaction_digest(body->transactions[3].transaction));
    auto where = store->find_transaction(fourth.tx_digest);
    REQUIRE(where.is_ok());
    CHECK(where->first == 3);
    CHECK(where->second == 3);
}

TEST_CASE("a commit's body is the same bytes however it is encoded", "[sequential][format]") {
    // The commit path encodes the body from spans with one reused builder; the body of a
    // decoded record is encoded one transaction at a time into fresh byte strings, and the
    // reference encoder (tx_reference_codec) uses FlatBuffers' own calls only. Every workload's
    // commits (both failure kinds of the mixed one, and the generative `random` one with its
    // created, deleted and wrapped objects, events and aborts midway) must agree byte for byte.
    for (const char* name : {"transfer", "counter", "nft", "amm", "compute", "mixed", "random"}) {
        DYNAMIC_SECTION(name) {
            testing::TempDir tmp;
            workload::WorkloadConfig config = config_for(name, 7);
            if (std::string(name) == "random") config.shared_objects = 3;
            run_workload(tmp.sub("db"), config, 2, 40);
            auto store = storage::Store::open(tmp.sub("db"), storage::OpenMode::kReadOnly).value();
            for (common::CommitIndex c = 2; c <= store->status().applied_commit; ++c) {
                INFO("commit " << c);
                auto record = store->read_commit(c);
                REQUIRE(record.is_ok());
                auto body = decode_commit_body(record->body);
                REQUIRE(body.is_ok());
                REQUIRE(body->transactions.size() == 40);
                std::vector<const Transaction*> transactions;
                std::vector<Effects> effects;
                for (const CommittedTx& entry : body->transactions) {
                    transactions.push_back(&entry.transaction);
                    effects.push_back(entry.effects);
                }
                CHECK(encode_commit_body(*body) == record->body);
                CHECK(encode_commit_body(transactions, effects, body->identity) == record->body);
                CHECK(testing::reference_encode_commit_body(transactions, effects,
                                                            body->identity) == record->body);
            }
        }
    }
}

TEST_CASE("replay-verify reports the first commit whose record was altered", "[sequential]") {
    testing::TempDir tmp;
    run_workload(tmp.sub("db"), config_for("transfer", 9), 3, 20);
    // Forge commit 3's recorded digest with raw RocksDB, as a damaged or dishonest store.
    rewrite_commit(tmp.sub("db"), 3,
                   [](storage::CommitRecord& record) { record.state_digest.bytes[0] ^= 1; });
    auto source = storage::Store::open(tmp.sub("db"), storage::OpenMode::kReadOnly).value();
    auto report = replay_verify(*source, tmp.sub("replay"));
    REQUIRE(report.is_ok());
    CHECK_FALSE(report->match);
    CHECK(report->first_mismatch == 3);
    CHECK_THAT(report->detail, Catch::Contains("state digest after commit 3"));
}

TEST_CASE("a commit body of format 1 decodes as executed under rules version 1",
          "[sequential][format]") {
    storage::CommitRecord record = fixture_record_v1();
    auto body = decode_commit_body(record.body);
    INFO(body.status().to_string());
    REQUIRE(body.is_ok());
    CHECK(body->identity == executor_identity(kRulesV1));
    CHECK(body->transactions.size() == 2);
    // What this build writes is format 2 and names the current identity.
    auto again = decode_commit_body(encode_commit_body(*body));
    REQUIRE(again.is_ok());
    CHECK(again->identity == executor_identity(kRulesV1));
    CommitBody fresh;
    auto current = decode_commit_body(encode_commit_body(fresh));
    REQUIRE(current.is_ok());
    CHECK(current->identity == executor_identity());
    CHECK(executor_identity().rules_version == kRulesCurrent);
    CHECK(executor_identity(kRulesV1).digest != executor_identity(kRulesV2).digest);
}

TEST_CASE("replay-verify replays a commit the previous build wrote under its own rules",
          "[sequential][format]") {
    // The fixture is commit 2 of this workload as the build before identities wrote it; the
    // workload's stream has not changed since, so it fits this store's genesis.
    testing::TempDir tmp;
    workload::WorkloadConfig config;
    config.name = "counter";
    config.seed = 1;
    config.accounts = 2;
    config.batch_size = 2;
    run_workload(tmp.sub("db"), config, 1, 2);
    const storage::CommitRecord old = fixture_record_v1();
    rewrite_commit(tmp.sub("db"), 2, [&](storage::CommitRecord& record) {
        REQUIRE(record.state_digest == old.state_digest);
        record = old;
    });
    auto source = storage::Store::open(tmp.sub("db"), storage::OpenMode::kReadOnly).value();
    auto report = replay_verify(*source, tmp.sub("replay"));
    INFO(report.status().to_string());
    REQUIRE(report.is_ok());
    CHECK(report->match);
    CHECK(report->transactions == 2);
}

TEST_CASE("replay-verify refuses a commit executed under an identity this build lacks",
          "[sequential][format]") {
    testing::TempDir tmp;
    run_workload(tmp.sub("db"), config_for("counter", 4), 2, 5);
    rewrite_commit(tmp.sub("db"), 3, [](storage::CommitRecord& record) {
        auto body = decode_commit_body(record.body).value();
        body.identity.digest.bytes[0] ^= 1;  // another build's gas schedule or packages
        record.body = encode_commit_body(body);
    });
    auto source = storage::Store::open(tmp.sub("db"), storage::OpenMode::kReadOnly).value();
    auto report = replay_verify(*source, tmp.sub("replay"));
    REQUIRE_FALSE(report.is_ok());
    CHECK(report.status().code() == common::Code::kFormatVersion);
    CHECK_THAT(report.status().message(), Catch::Contains("commit 3 was executed under rules v2"));
}

TEST_CASE("genesis needs an empty store, and commits need genesis", "[sequential]") {
    testing::TempDir tmp;
    auto store = create_store(tmp.sub("db"));
    SequentialExecutor executor(*store);
    CHECK(executor.execute_commit({}).status().code() == common::Code::kInvalidArgument);
    REQUIRE(executor.commit_genesis({}, "empty").is_ok());
    CHECK(executor.commit_genesis({}, "again").status().code() == common::Code::kInvalidArgument);
    auto empty_commit = executor.execute_commit({});
    REQUIRE(empty_commit.is_ok());
    CHECK(empty_commit->index == 2);
}

TEST_CASE("the random workload's commits equal an in-memory execution in the same order",
          "[sequential][random]") {
    // The store keeps what the in-memory state keeps: in particular the tombstone of a child
    // created and removed within one commit, whose re-creation must get a higher version than
    // the removed incarnation had (issue 8, bug 1). The random workload's churn does exactly
    // that, many times.
    testing::TempDir tmp;
    auto store = create_store(tmp.sub("db"));
    auto config = config_for("random", 5);
    config.shared_objects = 2;
    auto made = workload::make_workload(config);
    REQUIRE(made.is_ok());
    auto& load = *made.value();
    SequentialExecutor executor(*store);
    REQUIRE(executor.commit_genesis(load.genesis_objects(), load.name()).is_ok());
    InMemoryState memory;
    for (const auto& object : load.genesis_objects()) memory.put(object);
    std::size_t unexpected = 0;
    for (int c = 0; c < 40; ++c) {
        std::vector<Transaction> txs;
        std::vector<AbortCode> expected;
        for (int i = 0; i < 15; ++i) {
            auto next = load.next();
            REQUIRE(next.has_value());
            txs.push_back(next->tx);
            expected.push_back(next->expected_status);
        }
        auto outcome = executor.execute_commit(txs);
        REQUIRE(outcome.is_ok());
        for (std::size_t i = 0; i < txs.size(); ++i) {
            auto mine = execute_transaction(txs[i], memory);
            REQUIRE(mine.is_ok());
            apply_effects(memory, mine->effects);
            INFO("commit " << c + 2 << " tx " << i);
            REQUIRE(common::to_hex(canonical_effects_bytes(outcome->effects[i])) ==
                    common::to_hex(canonical_effects_bytes(mine->effects)));
            if (outcome->effects[i].status.code != expected[i]) ++unexpected;
        }
    }
    CHECK(unexpected == 0);
}
