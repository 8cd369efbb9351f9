// `remora-inspect replay-verify` on stores written by the sequential reference executor.

#include <catch2/catch.hpp>

#include "executor/sequential/sequential.h"
#include "executor/workload/workload.h"
#include "tests/tools/inspect_fixture.h"

using namespace remora;
using namespace remora::testing;

namespace {

// Genesis plus two commits of 30 `mixed` transactions, written by the sequential reference.
void build_executed_store(const std::string& dir) {
    storage::StoreOptions options;
    options.create_if_missing = true;
    auto store = storage::Store::open(dir, storage::OpenMode::kReadWrite, options).value();
    executor::workload::WorkloadConfig config;
    config.name = "mixed";
    config.accounts = 40;
    config.compute_rounds = 20;
    auto load = executor::workload::make_workload(config).value();
    executor::SequentialExecutor sequential(*store);
    REQUIRE(sequential.commit_genesis(load->genesis_objects(), load->name()).is_ok());
    for (int c = 0; c < 2; ++c) {
        std::vector<executor::Transaction> txs;
        for (int i = 0; i < 30; ++i) txs.push_back(load->next()->tx);
        REQUIRE(sequential.execute_commit(txs).is_ok());
    }
}

}  // namespace

TEST_CASE("replay-verify re-executes an executor-written store and matches", "[inspect][replay]") {
    TempDir tmp("remora-replay");
    build_executed_store(tmp.sub("db"));
    auto run = inspect({"--db", tmp.sub("db"), "--json", "replay-verify"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    Json json = parse_single_json(run);
    CHECK(json["match"] == true);
    CHECK(json["commits"] == 3);
    CHECK(json["transactions"] == 60);
    CHECK(json["replayed_digest"] == json["recorded_digest"]);

    auto text = inspect({"--db", tmp.sub("db"), "replay-verify", "--scratch", tmp.sub("scratch")});
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("match"));
    // A named scratch store is kept, and a second run refuses to reuse it.
    auto again = inspect({"--db", tmp.sub("db"), "replay-verify", "--scratch", tmp.sub("scratch")});
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.err, Catch::Contains("not empty"));
}

TEST_CASE("replay-verify shows its progress on a terminal, and only there", "[inspect][replay]") {
    TempDir tmp("remora-replay");
    build_executed_store(tmp.sub("db"));
    auto quiet = inspect({"--db", tmp.sub("db"), "replay-verify"});
    REQUIRE(quiet.exit_code == 0);
    CHECK(quiet.err.empty());
    auto shown = inspect_on_terminal("--db " + tmp.sub("db") + " replay-verify");
    INFO(shown.out << shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("remora-inspect replay-verify: 3/3 commits (100.0%)"));
    CHECK_THAT(shown.out, Catch::Contains("commits/s"));
}

TEST_CASE("replay-verify refuses commits the executor did not write", "[inspect][replay]") {
    InspectStore fixture;  // commit bodies are plain strings, not executor records
    auto run = inspect({"--db", fixture.db, "replay-verify"});
    CHECK(run.exit_code == 65);
    CHECK_THAT(run.err, Catch::Contains("commit 1"));
}
