// The operator's commands of remora-inspect on stores the sequential reference executor wrote:
// `tx`, `prune`, `compact` and `diff`, their JSON keys, exit codes and refusals.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "executor/sequential/commit_body.h"
#include "executor/sequential/sequential.h"
#include "executor/tx/object_codec.h"
#include "executor/workload/workload.h"
#include "recovery/snapshot.h"
#include "tests/tools/inspect_fixture.h"

using namespace remora;
using namespace remora::testing;

namespace {

constexpr int kFailure = 1;
constexpr int kUsage = 2;
constexpr int kVerificationFailed = 65;
constexpr int kLocked = 75;

struct BuildSpec {
    std::string workload = "mixed";
    std::uint64_t seed = 1;
    int commits = 6;  // after genesis
    int txs_per_commit = 20;
    int snapshot_after = 0;  // a snapshot after this many commits (0: none)
    bool add_abort = false;  // append bad_bytecode_tx() to the first commit
};

// A validly signed transaction whose inline bytecode does not decode: it is executed (indexed)
// and aborts with BytecodeRejected.
executor::Transaction bad_bytecode_tx() {
    executor::Seed seed;
    seed.bytes.fill(7);
    const executor::KeyPair keys = executor::keypair_from_seed(seed);
    executor::Transaction tx;
    tx.sender = executor::address_of(keys.public_key);
    tx.nonce = 1;
    tx.gas_budget = 100000;
    tx.program = executor::InlineBytecode{common::Bytes("\x01\x02\x03", 3)};
    const common::Digest digest = executor::transaction_digest(tx);
    tx.authenticators.push_back({keys.public_key, executor::sign(keys, digest.view())});
    return tx;
}

// Genesis plus `commits` commits of the workload, written by the sequential reference.
void build_store(const std::string& dir, const BuildSpec& spec) {
    storage::StoreOptions options;
    options.create_if_missing = true;
    auto store = storage::Store::open(dir, storage::OpenMode::kReadWrite, options).value();
    executor::workload::WorkloadConfig config;
    config.name = spec.workload;
    config.seed = spec.seed;
    config.accounts = 40;
    config.compute_rounds = 20;
    auto load = executor::workload::make_workload(config).value();
    executor::SequentialExecutor sequential(*store);
    REQUIRE(sequential.commit_genesis(load->genesis_objects(), load->name()).is_ok());
    for (int c = 1; c <= spec.commits; ++c) {
        std::vector<executor::Transaction> txs;
        for (int i = 0; i < spec.txs_per_commit; ++i) txs.push_back(load->next()->tx);
        if (spec.add_abort && c == 1) txs.push_back(bad_bytecode_tx());
        REQUIRE(sequential.execute_commit(txs).is_ok());
        if (c == spec.snapshot_after) REQUIRE(recovery::create_snapshot(*store).is_ok());
    }
}

std::unique_ptr<storage::Store> open_read_only(const std::string& dir) {
    return storage::Store::open(dir, storage::OpenMode::kReadOnly).value();
}

// Every executed transaction of the store with its commit and position, from the bodies.
struct Executed {
    common::CommitIndex commit = 0;
    std::uint32_t position = 0;
    executor::CommittedTx tx;
};
std::vector<Executed> executed_transactions(const std::string& dir) {
    auto store = open_read_only(dir);
    std::vector<Executed> out;
    for (common::CommitIndex c = 2; c <= store->status().applied_commit; ++c) {
        auto body = executor::decode_commit_body(store->read_commit(c).value().body).value();
        for (std::uint32_t i = 0; i < body.transactions.size(); ++i) {
            out.push_back({c, i, body.transactions[i]});
        }
    }
    return out;
}

// id -> (commit -> version written), from the commit records.
using WriteLog = std::map<common::ObjectId, std::map<common::CommitIndex, common::Version>>;
WriteLog write_log(const std::string& dir) {
    auto store = open_read_only(dir);
    WriteLog log;
    for (common::CommitIndex c = 1; c <= store->status().applied_commit; ++c) {
        const storage::CommitRecord record = store->read_commit(c).value();
        for (const auto& w : record.writes) log[w.id][c] = w.version;
    }
    return log;
}

std::uint64_t stored_versions(const std::string& dir) {
    auto store = open_read_only(dir);
    std::uint64_t n = 0;
    const storage::StoreStats stats = store->stats().value();
    for (const auto& s : stats.shards) n += s.entries;
    return n;
}

// Every version the state of commit `keep` or a later commit holds is still stored.
void check_history_kept_from(const std::string& dir, const WriteLog& log,
                             common::CommitIndex keep) {
    auto store = open_read_only(dir);
    for (const auto& [id, writes] : log) {
        std::set<common::Version> stored;
        const std::vector<storage::ObjectVersion> history = store->history(id).value();
        for (const auto& v : history) stored.insert(v.version);
        auto live_at_keep = writes.upper_bound(keep);  // first write after `keep`
        if (live_at_keep != writes.begin()) {
            INFO("object " << id.hex() << " at commit " << keep);
            CHECK(stored.count(std::prev(live_at_keep)->second) == 1);
        }
        for (auto it = live_at_keep; it != writes.end(); ++it) {
            INFO("object " << id.hex() << " written at commit " << it->first);
            CHECK(stored.count(it->second) == 1);
        }
    }
}

void check_locked(const std::vector<std::string>& args) {
    auto run = inspect(args);
    CHECK(run.exit_code == kLocked);
    CHECK_THAT(run.err, Catch::Contains("held by another process"));
    std::vector<std::string> json_args = args;
    json_args.emplace_back("--json");
    Json json = parse_single_json(inspect(json_args));
    CHECK(json["code"] == kLocked);
    CHECK(json["status"] == "Locked");
}

}  // namespace

TEST_CASE("inspect tx: commit, position, status, gas and effects of an executed transaction",
          "[inspect][tx]") {
    TempDir tmp("remora-inspect-tx");
    const std::string db = tmp.sub("db");
    build_store(db, {.workload = "mixed", .commits = 3, .txs_per_commit = 30, .add_abort = true});
    std::vector<Executed> all = executed_transactions(db);
    REQUIRE(!all.empty());
    bool saw_success = false, saw_abort = false;
    for (const Executed& e : all) {
        const executor::Effects& effects = e.tx.effects;
        const bool success = effects.status.is_success();
        if (success ? saw_success : saw_abort) continue;
        if (effects.status.code == executor::AbortCode::kInvalidAuthenticator) continue;
        (success ? saw_success : saw_abort) = true;
        const std::string digest = effects.tx_digest.hex();
        auto run = inspect({"--db", db, "--json", "tx", digest});
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        Json json = parse_single_json(run);
        for (const char* key :
             {"command", "digest", "commit", "position", "commit_transactions", "rules_version",
              "sender", "success", "status", "gas_used", "gas_budget", "effects_digest", "events",
              "written", "created", "deleted"}) {
            CHECK(json.contains(key));
        }
        CHECK(json["command"] == "tx");
        CHECK(json["digest"] == digest);
        CHECK(json["commit"] == e.commit);
        CHECK(json["position"] == e.position);
        CHECK(json["success"] == success);
        CHECK(json["status"]["code"] == static_cast<unsigned>(effects.status.code));
        CHECK(json["status"]["name"] == executor::abort_code_name(effects.status.code));
        CHECK(json["status"]["detail"] == effects.status.detail);
        CHECK(json["status"]["abort_value"] == effects.status.abort_value);
        CHECK(json["gas_used"] == effects.gas_used);
        CHECK(json["gas_budget"] == e.tx.transaction.gas_budget);
        CHECK(json["effects_digest"] == executor::effects_digest(effects).hex());
        REQUIRE(json["written"].size() == effects.written.size());
        REQUIRE(json["created"].size() == effects.created.size());
        REQUIRE(json["deleted"].size() == effects.deleted.size());
        for (std::size_t i = 0; i < effects.written.size(); ++i) {
            const executor::Object& o = effects.written[i];
            CHECK(json["written"][i]["id"] == o.id.hex());
            CHECK(json["written"][i]["version"] == o.version);
            CHECK(json["written"][i]["tombstone"] == false);
            CHECK(json["written"][i]["payload_hex"] == common::to_hex(executor::encode_object(o)));
        }
        for (std::size_t i = 0; i < effects.deleted.size(); ++i) {
            CHECK(json["deleted"][i]["id"] == effects.deleted[i].id.hex());
            CHECK(json["deleted"][i]["version"] == effects.deleted[i].version);
            CHECK(json["deleted"][i]["tombstone"] == true);
        }
        // An object the effects wrote reads back through `get` exactly as `tx` shows it.
        if (!effects.created.empty()) {
            const executor::Object& o = effects.created.front();
            Json get = parse_single_json(inspect(
                {"--db", db, "--json", "get", o.id.hex(), "--version", std::to_string(o.version)}));
            CHECK(get["payload_hex"] == json["created"][0]["payload_hex"]);
        }
        auto text = inspect({"--db", db, "tx", digest});
        CHECK(text.exit_code == 0);
        CHECK_THAT(text.out, Catch::Contains("commit:") && Catch::Contains("effects digest:"));
        CHECK_THAT(text.out, Catch::Contains(success ? "success" : "aborted: "));
    }
    CHECK(saw_success);
    CHECK(saw_abort);

    SECTION("an unknown digest is not found, exit 1") {
        const std::string unknown(64, 'a');
        auto run = inspect({"--db", db, "tx", unknown});
        CHECK(run.exit_code == kFailure);
        CHECK_THAT(run.err, Catch::Contains("transaction " + unknown + " not found"));
        Json json = parse_single_json(inspect({"--db", db, "--json", "tx", unknown}));
        CHECK(json["status"] == "NotFound");
        CHECK(json["code"] == kFailure);
    }
    SECTION("a malformed digest is a usage error") {
        CHECK(inspect({"--db", db, "tx", "abc"}).exit_code == kUsage);
    }
}

TEST_CASE("inspect tx: a commit body that is not an executor record exits 65", "[inspect][tx]") {
    InspectStore fixture;  // indexes "tx/one" in commit 1, whose body is a plain string
    auto run = inspect({"--db", fixture.db, "tx", test_id("tx/one").hex()});
    CHECK(run.exit_code == kVerificationFailed);
    CHECK_THAT(run.err, Catch::Contains("not an executor record"));
}

TEST_CASE("inspect prune keeps every version the state from the kept commit on needs",
          "[inspect][prune]") {
    TempDir tmp("remora-inspect-prune");
    const std::string db = tmp.sub("db");
    build_store(db, {.workload = "mixed", .commits = 8, .txs_per_commit = 25, .snapshot_after = 4});
    const WriteLog log = write_log(db);
    const std::uint64_t before = stored_versions(db);
    Json status_before = parse_single_json(inspect({"--db", db, "--json", "status"}));

    SECTION("--keep-snapshots 1 keeps the state of the snapshot's commit and every later one") {
        auto run = inspect({"--db", db, "--json", "prune", "--keep-snapshots", "1"});
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        Json json = parse_single_json(run);
        for (const char* key : {"command", "keep_from_commit", "keep_snapshots", "snapshots_kept",
                                "applied_commit", "safe_watermark", "previous_watermark",
                                "retention_watermark", "pruned", "versions_deleted"}) {
            CHECK(json.contains(key));
        }
        CHECK(json["command"] == "prune");
        CHECK(json["keep_from_commit"] == 5);  // genesis is commit 1
        CHECK(json["snapshots_kept"] == Json::array({recovery::snapshot_name(5)}));
        CHECK(json["previous_watermark"] == 0);
        CHECK(json["retention_watermark"] == json["safe_watermark"]);
        check_history_kept_from(db, log, 5);
        CHECK(stored_versions(db) == before - json["versions_deleted"].get<std::uint64_t>());
        // Nothing live changed, and replay from the commit records still verifies.
        CHECK(inspect({"--db", db, "digest", "--recompute"}).exit_code == 0);
        CHECK(inspect({"--db", db, "replay-verify"}).exit_code == 0);
        Json status_after = parse_single_json(inspect({"--db", db, "--json", "status"}));
        CHECK(status_after["state_digest"] == status_before["state_digest"]);
        // Again: the watermark does not move, nothing more goes.
        Json again =
            parse_single_json(inspect({"--db", db, "--json", "prune", "--keep-snapshots", "1"}));
        CHECK(again["versions_deleted"] == 0);
        CHECK(again["pruned"] == false);
    }
    SECTION("--keep-from-commit at the applied commit leaves each object its newest version") {
        Json json =
            parse_single_json(inspect({"--db", db, "--json", "prune", "--keep-from-commit", "9"}));
        CHECK(json["pruned"] == true);
        CHECK(json["versions_deleted"].get<std::uint64_t>() > 0);
        CHECK(json["keep_snapshots"] == nullptr);
        check_history_kept_from(db, log, 9);
        CHECK(stored_versions(db) == log.size());
        CHECK(inspect({"--db", db, "replay-verify"}).exit_code == 0);

        SECTION("compact then gives the space back and changes no value") {
            auto run = inspect({"--db", db, "--json", "compact"});
            INFO(run.err);
            REQUIRE(run.exit_code == 0);
            Json c = parse_single_json(run);
            CHECK(c["command"] == "compact");
            REQUIRE(c["column_families"].size() == 5);
            std::uint64_t before_sum = 0, after_sum = 0;
            for (const Json& f : c["column_families"]) {
                for (const char* key : {"name", "sst_file_bytes_before", "sst_file_bytes_after"}) {
                    CHECK(f.contains(key));
                }
                before_sum += f["sst_file_bytes_before"].get<std::uint64_t>();
                after_sum += f["sst_file_bytes_after"].get<std::uint64_t>();
            }
            CHECK(c["sst_file_bytes_before"] == before_sum);
            CHECK(c["sst_file_bytes_after"] == after_sum);
            CHECK(after_sum > 0);
            CHECK(inspect({"--db", db, "digest", "--recompute"}).exit_code == 0);
            CHECK(stored_versions(db) == log.size());
        }
    }
    SECTION("a commit the store does not hold is refused, nothing pruned") {
        auto run = inspect({"--db", db, "prune", "--keep-from-commit", "10"});
        CHECK(run.exit_code == kFailure);
        CHECK_THAT(run.err, Catch::Contains("not a stored commit"));
        CHECK(stored_versions(db) == before);
    }
    SECTION("usage: exactly one choice, N >= 1") {
        CHECK(inspect({"--db", db, "prune"}).exit_code == kUsage);
        CHECK(inspect({"--db", db, "prune", "--keep-snapshots", "1", "--keep-from-commit", "2"})
                  .exit_code == kUsage);
        CHECK(inspect({"--db", db, "prune", "--keep-snapshots", "0"}).exit_code == kUsage);
        CHECK(stored_versions(db) == before);
    }
}

TEST_CASE("inspect prune --keep-snapshots without a snapshot is refused", "[inspect][prune]") {
    InspectStore fixture;
    auto run = inspect({"--db", fixture.db, "prune", "--keep-snapshots", "2"});
    CHECK(run.exit_code == kFailure);
    CHECK_THAT(run.err, Catch::Contains("no snapshot in"));
    // The fixture: A 1,2,5; B 1, tombstone 2; later than commit 2 only versions 5 and 3.
    Json json = parse_single_json(
        inspect({"--db", fixture.db, "--json", "prune", "--keep-from-commit", "2"}));
    CHECK(json["safe_watermark"] == 2);
    CHECK(json["versions_deleted"] == 2);  // A v1 and B v1
}

TEST_CASE("inspect prune and compact exit 75 while another process holds the store",
          "[inspect][prune]") {
    InspectStore fixture;
    auto held = fixture.open_read_write();  // as a running node would
    check_locked({"--db", fixture.db, "prune", "--keep-from-commit", "2"});
    check_locked({"--db", fixture.db, "compact"});
    held.reset();
    CHECK(inspect({"--db", fixture.db, "compact"}).exit_code == 0);
}

TEST_CASE("inspect diff: the first commit and the objects where two stores part",
          "[inspect][diff]") {
    TempDir tmp("remora-inspect-diff");
    const std::string a = tmp.sub("a");
    build_store(a, {.workload = "mixed", .seed = 1, .commits = 4, .txs_per_commit = 25});

    SECTION("a copy is equal: exit 0") {
        std::filesystem::copy(a, tmp.sub("copy"), std::filesystem::copy_options::recursive);
        auto run = inspect({"--db", a, "--json", "diff", "--other", tmp.sub("copy")});
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        Json json = parse_single_json(run);
        for (const char* key :
             {"command", "db", "other", "applied_commit", "other_applied_commit", "common_commits",
              "diverged", "first_difference", "difference", "objects_differing", "objects"}) {
            CHECK(json.contains(key));
        }
        CHECK(json["diverged"] == false);
        CHECK(json["first_difference"] == nullptr);
        CHECK(json["objects_differing"] == 0);
        CHECK(json["common_commits"] == 5);
    }
    SECTION("a store that is only behind is a prefix: exit 0, the newer objects listed") {
        build_store(tmp.sub("behind"),
                    {.workload = "mixed", .seed = 1, .commits = 2, .txs_per_commit = 25});
        Json json =
            parse_single_json(inspect({"--db", a, "--json", "diff", "--other", tmp.sub("behind")}));
        CHECK(json["diverged"] == false);
        CHECK(json["common_commits"] == 3);
        CHECK(json["other_applied_commit"] == 3);
        CHECK(json["objects_differing"].get<std::uint64_t>() > 0);
        CHECK(json["objects"].size() <= 20);
    }
    SECTION("other commits from commit 2 on: exit 65 naming commit 2, 20 objects shown") {
        // The same genesis and transactions, cut into other commits from commit 2 on.
        build_store(tmp.sub("other"),
                    {.workload = "mixed", .seed = 1, .commits = 4, .txs_per_commit = 10});
        auto run = inspect({"--db", a, "--json", "diff", "--other", tmp.sub("other")});
        CHECK(run.exit_code == kVerificationFailed);
        Json json = parse_single_json(run);
        CHECK(json["diverged"] == true);
        CHECK(json["status"] == "VerificationFailed");
        const std::uint64_t differing = json["objects_differing"].get<std::uint64_t>();
        CHECK(differing > 20);
        CHECK(json["objects"].size() == 20);
        for (const Json& o : json["objects"]) {
            CHECK(o.contains("id"));
            CHECK(o.contains("db"));
            CHECK(o.contains("other"));
            CHECK(o["db"] != o["other"]);
        }
        auto text = inspect({"--db", a, "diff", "--other", tmp.sub("other")});
        CHECK_THAT(text.err, Catch::Contains("the stores part at commit"));
        CHECK_THAT(text.out, Catch::Contains("and " + std::to_string(differing - 20) + " more"));
        CHECK(json["first_difference"] == 2);
    }
    SECTION("diff opens both read-only: it works beside a process holding either store") {
        auto held = storage::Store::open(a, storage::OpenMode::kReadWrite).value();
        CHECK(inspect({"--db", a, "diff", "--other", a}).exit_code == 0);
    }
    SECTION("an --other that is not a store exits 1") {
        auto run = inspect({"--db", a, "diff", "--other", tmp.sub("nothing")});
        CHECK(run.exit_code == kFailure);
    }
}
