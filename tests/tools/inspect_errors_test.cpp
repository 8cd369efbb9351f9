// remora-inspect's exit codes and messages for bad command lines, unknown things, damaged or
// foreign databases and a database held by another process.

#include <catch2/catch.hpp>

#include "storage/keys.h"
#include "tests/tools/inspect_fixture.h"

namespace remora::testing {
namespace {

constexpr int kUsage = 2;
constexpr int kFailure = 1;
constexpr int kVerificationFailed = 65;
constexpr int kLocked = 75;

// With --json, an error is still exactly one JSON object, carrying the exit code.
void check_json_error(const ChildResult& run, int code) {
    Json json = parse_single_json(run);
    CHECK(json["code"] == code);
    CHECK(json["error"].is_string());
    CHECK_FALSE(json["error"].get<std::string>().empty());
}

TEST_CASE("inspect: usage errors exit 2 and say what is wrong", "[inspect]") {
    InspectStore fixture;
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::string a = fixture.a.hex();
    std::vector<Case> cases = {
        {{"status"}, "needs --db DIR"},
        {{"--db", fixture.db, "frobnicate"}, "unknown command 'frobnicate'"},
        {{"--db", fixture.db, "--bogus"}, "unknown option '--bogus'"},
        {{"--db", fixture.db, "get"}, "needs ID"},
        {{"--db", fixture.db, "get", "abc"}, "64 hex digits"},
        {{"--db", fixture.db, "get", a.substr(1) + "g"}, "64 hex digits"},
        {{"--db", fixture.db, "get", a, "--version", "-1"}, "--version"},
        {{"--db", fixture.db, "get", a, "--version"}, "needs a value"},
        {{"--db", fixture.db, "history", a, "extra"}, "unexpected argument 'extra'"},
        {{"--db", fixture.db, "commit", "two"}, "non-negative decimal"},
        {{"--db", fixture.db, "status", "--recompute"}, "does not apply to 'status'"},
        {{"--db", fixture.db, "snapshot"}, "a subcommand is needed"},
        {{"--db", fixture.db, "snapshot", "nap"}, "unknown subcommand 'nap'"},
        {{"--db", fixture.db, "snapshot", "restore", "x"}, "needs --into DIR"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args = c.args;
        INFO("args: " << Catch::Detail::stringify(args));
        ChildResult run = inspect(args);
        INFO("stderr: " << run.err);
        CHECK(run.exit_code == kUsage);
        CHECK_THAT(run.err, Catch::Contains(c.message));
        CHECK(run.out.empty());
        args.insert(args.begin(), "--json");
        check_json_error(inspect(args), kUsage);
    }
}

TEST_CASE("inspect: help exits 0 for the tool, a command and a group", "[inspect]") {
    ChildResult tool = inspect({"--help"});
    REQUIRE(tool.exit_code == 0);
    CHECK_THAT(tool.out, Catch::Contains("Usage: remora-inspect --db DIR [--json]"));
    for (const char* command : {"status", "stats", "get ID [--version V]", "history ID", "commit N",
                                "digest [--recompute]", "snapshot restore PATH --into DIR"}) {
        CHECK_THAT(tool.out, Catch::Contains(command));
    }
    CHECK_THAT(tool.out, Catch::Contains("75"));

    ChildResult get = inspect({"get", "--help"});
    REQUIRE(get.exit_code == 0);
    CHECK_THAT(get.out, Catch::Contains("get ID [--version V]"));

    ChildResult group = inspect({"snapshot", "-h"});
    REQUIRE(group.exit_code == 0);
    CHECK_THAT(group.out, Catch::Contains("snapshot verify PATH"));
}

TEST_CASE("inspect: unknown objects and commits exit 1 with a message", "[inspect]") {
    InspectStore fixture;
    const std::string unknown = fixture.unknown.hex();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"get", unknown}, {"history", unknown}, {"get", fixture.a.hex(), "--version", "0"}}) {
        std::vector<std::string> full = {"--db", fixture.db};
        full.insert(full.end(), args.begin(), args.end());
        INFO("args: " << Catch::Detail::stringify(full));
        ChildResult run = inspect(full);
        CHECK(run.exit_code == kFailure);
        CHECK_THAT(run.err, Catch::Contains("not found"));
        full.emplace_back("--json");
        check_json_error(inspect(full), kFailure);
    }
    ChildResult commit = inspect({"--db", fixture.db, "commit", "4"});
    CHECK(commit.exit_code == kFailure);
    CHECK_THAT(commit.err, Catch::Contains("commit 4"));
}

TEST_CASE("inspect: a directory that is not a Remora database exits 1 and says so", "[inspect]") {
    TempDir tmp("remora-inspect");
    for (const std::string& dir : {tmp.path().string(), tmp.sub("absent")}) {
        ChildResult run = inspect({"--db", dir, "status"});
        CHECK(run.exit_code == kFailure);
        CHECK_THAT(run.err, Catch::Contains(dir) && Catch::Contains("not a Remora database"));
        check_json_error(inspect({"--db", dir, "--json"}), kFailure);
    }
}

TEST_CASE("inspect: a store of another format version exits 65", "[inspect]") {
    InspectStore fixture;
    common::Bytes version;
    common::put_be32(version, storage::kFormatVersion + 1);
    put_meta_raw(fixture.db, std::string(storage::kMetaFormatVersion), version);
    ChildResult run = inspect({"--db", fixture.db, "status"});
    CHECK(run.exit_code == kVerificationFailed);
    CHECK_THAT(run.err,
               Catch::Contains("format version " + std::to_string(storage::kFormatVersion + 1)));
    check_json_error(inspect({"--db", fixture.db, "--json", "digest"}), kVerificationFailed);
}

TEST_CASE("inspect: digest --recompute exits 65 on a mismatch and shows both digests",
          "[inspect]") {
    InspectStore fixture;
    const common::Digest real = fixture.final_status().state_digest;
    common::Digest forged = real;
    forged.bytes[31] ^= 0x01;
    put_meta_raw(fixture.db, std::string(storage::kMetaStateDigest), common::Bytes(forged.view()));

    // Without --recompute the stored (forged) value is only shown.
    Json stored = parse_single_json(inspect({"--db", fixture.db, "--json", "digest"}));
    CHECK(stored["state_digest"] == forged.hex());

    ChildResult run = inspect({"--db", fixture.db, "digest", "--recompute"});
    CHECK(run.exit_code == kVerificationFailed);
    CHECK_THAT(run.err, Catch::Contains("mismatch") && Catch::Contains(forged.hex()) &&
                            Catch::Contains(real.hex()));
    CHECK_THAT(run.out, Catch::Contains("match:") && Catch::Contains("NO"));

    ChildResult json_run = inspect({"--db", fixture.db, "--json", "digest", "--recompute"});
    CHECK(json_run.exit_code == kVerificationFailed);
    Json json = parse_single_json(json_run);
    CHECK(json["match"] == false);
    CHECK(json["state_digest"] == forged.hex());
    CHECK(json["recomputed_digest"] == real.hex());
    CHECK(json["code"] == kVerificationFailed);
}

TEST_CASE("inspect: snapshot create exits 75 while another process holds the store", "[inspect]") {
    InspectStore fixture;
    auto held = fixture.open_read_write();  // as a running node would

    ChildResult run = inspect({"--db", fixture.db, "snapshot", "create"});
    CHECK(run.exit_code == kLocked);
    CHECK_THAT(run.err, Catch::Contains("stop the node first"));
    check_json_error(inspect({"--db", fixture.db, "--json", "snapshot", "create"}), kLocked);

    // Read-only commands work beside the writer.
    ChildResult status = inspect({"--db", fixture.db, "--json", "status"});
    REQUIRE(status.exit_code == 0);
    CHECK(parse_single_json(status)["applied_commit"] == 3);
    ChildResult recompute = inspect({"--db", fixture.db, "digest", "--recompute"});
    CHECK(recompute.exit_code == 0);
}

}  // namespace
}  // namespace remora::testing
