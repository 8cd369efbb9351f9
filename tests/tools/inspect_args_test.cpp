// The shared argument parser (tools/cli/args.h) against remora-inspect's real specs.

#include <catch2/catch.hpp>

#include "tools/cli/args.h"
#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

using cli::Invocation;
using cli::ParseResult;

struct Parser {
    std::vector<std::unique_ptr<cli::Command>> commands = make_commands();
    std::vector<const cli::CommandSpec*> specs;

    Parser() {
        for (const auto& command : commands) specs.push_back(&command->spec());
    }
    ParseResult parse(const std::vector<std::string>& args) const {
        return cli::parse_invocation(inspect_tool(), specs, args);
    }
    Invocation ok(const std::vector<std::string>& args) const {
        ParseResult result = parse(args);
        INFO("error: " << result.error.message());
        REQUIRE(result.error.is_ok());
        return result.invocation;
    }
    std::string error(const std::vector<std::string>& args) const {
        ParseResult result = parse(args);
        REQUIRE_FALSE(result.error.is_ok());
        CHECK(result.error.code() == common::Code::kInvalidArgument);
        return result.error.message();
    }
};

const std::string kId(64, 'a');

TEST_CASE("inspect args: no command means status", "[inspect][args]") {
    Parser p;
    Invocation inv = p.ok({"--db", "/data"});
    REQUIRE(inv.command != nullptr);
    CHECK(inv.command->name == "status");
    CHECK(inv.text_option("db") == "/data");
    CHECK_FALSE(inv.json);
}

TEST_CASE("inspect args: options are accepted anywhere and in both spellings", "[inspect][args]") {
    Parser p;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--db", "/d", "--json", "get", kId, "--version", "7"},
             {"get", kId, "--version=7", "--db=/d", "--json"},
             {"--json", "get", "--version", "7", kId, "--db", "/d"},
         }) {
        Invocation inv = p.ok(args);
        CHECK(inv.command->name == "get");
        CHECK(inv.text_option("db") == "/d");
        CHECK(inv.json);
        CHECK(inv.object_id_at(0).hex() == kId);
        CHECK(inv.unsigned_option("version") == 7u);
    }
}

TEST_CASE("inspect args: two-word commands and their arguments", "[inspect][args]") {
    Parser p;
    Invocation restore = p.ok({"snapshot", "restore", "/snap", "--into", "/new"});
    CHECK(restore.command->name == "snapshot restore");
    CHECK(restore.positionals == std::vector<std::string>{"/snap"});
    CHECK(restore.text_option("into") == "/new");
    CHECK_FALSE(restore.has_option("db"));  // restore does not need --db

    Invocation list = p.ok({"--db", "/d", "snapshot", "list"});
    CHECK(list.command->name == "snapshot list");
    CHECK(list.positionals.empty());

    // "--" ends options: a path that starts with a dash.
    Invocation dashed = p.ok({"snapshot", "verify", "--", "-odd-name"});
    CHECK(dashed.positionals == std::vector<std::string>{"-odd-name"});
}

TEST_CASE("inspect args: values are validated by kind", "[inspect][args]") {
    Parser p;
    CHECK_THAT(p.error({"--db", "/d", "get", kId.substr(1)}), Catch::Contains("64 hex digits"));
    CHECK_THAT(p.error({"--db", "/d", "get", std::string(64, 'z')}), Catch::Contains("64 hex"));
    CHECK_THAT(p.error({"--db", "/d", "commit", "1x"}), Catch::Contains("decimal"));
    CHECK_THAT(p.error({"--db", "/d", "commit", "18446744073709551616"}),
               Catch::Contains("decimal"));
    CHECK(p.ok({"--db", "/d", "commit", "18446744073709551615"}).unsigned_at(0) == UINT64_MAX);
    CHECK_THAT(p.error({"--db", "", "status"}), Catch::Contains("--db must not be empty"));
    CHECK_THAT(p.error({"--db", "/d", "--json=yes"}), Catch::Contains("takes no value"));
}

TEST_CASE("inspect args: misplaced, missing and repeated arguments are usage errors",
          "[inspect][args]") {
    Parser p;
    CHECK_THAT(p.error({"status"}), Catch::Contains("needs --db DIR"));
    CHECK_THAT(p.error({"--db", "/d", "--db", "/e"}), Catch::Contains("given twice"));
    CHECK_THAT(p.error({"--db", "/d", "get", kId, "--version", "1", "--version", "2"}),
               Catch::Contains("given twice"));
    CHECK_THAT(p.error({"--db", "/d", "digest", "--into", "/x"}),
               Catch::Contains("does not apply to 'digest'"));
    CHECK_THAT(p.error({"--db", "/d", "commit"}), Catch::Contains("needs N"));
    CHECK_THAT(p.error({"--db", "/d", "stats", "extra"}), Catch::Contains("unexpected argument"));
    CHECK_THAT(p.error({"--db", "/d", "replay-verify", "extra"}),
               Catch::Contains("unexpected argument"));
    CHECK_THAT(p.error({"--db", "/d", "-x"}), Catch::Contains("unknown option '-x'"));
    CHECK_THAT(p.error({"--db", "/d", "snapshot"}),
               Catch::Contains("list, create, verify, restore"));
}

TEST_CASE("inspect args: the json flag is known even when parsing fails", "[inspect][args]") {
    Parser p;
    ParseResult result = p.parse({"--json", "--db", "/d", "nonsense"});
    CHECK_FALSE(result.error.is_ok());
    CHECK(result.invocation.json);
}

TEST_CASE("inspect args: help wins and names its topic", "[inspect][args]") {
    Parser p;
    Invocation tool = p.ok({"--help"});
    CHECK(tool.help);
    CHECK(tool.command == nullptr);
    CHECK(tool.help_topic.empty());

    Invocation get = p.ok({"get", "--help"});  // no ID, no --db: still help
    REQUIRE(get.command != nullptr);
    CHECK(get.command->name == "get");

    Invocation group = p.ok({"snapshot", "-h"});
    CHECK(group.command == nullptr);
    CHECK(group.help_topic == "snapshot");
}

TEST_CASE("inspect args: --version is the tool's, except after get", "[inspect][args]") {
    Parser p;
    CHECK(p.ok({"--version"}).version);
    CHECK(p.ok({"--db", "/d", "status", "--version"}).version);
    Invocation get = p.ok({"--db", "/d", "get", kId, "--version", "3"});
    CHECK_FALSE(get.version);
    CHECK(get.unsigned_option("version") == 3u);
    CHECK(cli::check_specs(inspect_tool(), p.specs).is_ok());
}

}  // namespace
}  // namespace remora::tools::inspect
