// The shared argument parser and driver (tools/cli/args.h, tools/cli/command.h) against a made-up
// tool that uses every kind and feature: every refusal is a usage error naming the argument.

#include <stdexcept>

#include <catch2/catch.hpp>

#include "tools/cli/args.h"
#include "tools/cli/command.h"
#include "tools/cli/help.h"
#include "tools/cli/version.h"

namespace remora::tools::cli {
namespace {

const ToolSpec kTool{
    .name = "remora-test",
    .summary = "a tool for the parser's tests",
    .global_options = {{"db", ArgKind::kPath, "DIR", "the store", true},
                       {"net.cluster_port", ArgKind::kUnsigned, "PORT", "a dotted name", false,
                        "7000"}},
    .default_command = "show",
};

const CommandSpec kShow{.name = "show", .summary = "show it", .details = "Shows."};
const CommandSpec kGet{
    .name = "get",
    .summary = "get one",
    .details = "Gets.",
    .positionals = {{"ID", ArgKind::kObjectId, "an id"}},
    .options = {{"version", ArgKind::kUnsigned, "V", "a bound"},
                {"all", ArgKind::kFlag, "", "every one"}},
};
const CommandSpec kConnect{
    .name = "peer connect",
    .summary = "connect",
    .details = "Connects.",
    .positionals = {{"ADDR", ArgKind::kHostPort, "where"}},
    .options = {{"name", ArgKind::kText, "NAME", "a name", true},
                {"output", ArgKind::kPath, "FILE", "where to write", false, "", 'o'},
                {"arg", ArgKind::kText, "A", "an argument", false, "", 0, true}},
    .optional_globals = {"db"},
};
const CommandSpec kDrop{.name = "peer drop", .summary = "drop", .details = "Drops."};

const std::vector<const CommandSpec*> kSpecs = {&kShow, &kGet, &kConnect, &kDrop};
const std::string kId(64, 'b');

ParseResult parse(const std::vector<std::string>& args) {
    return parse_invocation(kTool, kSpecs, args);
}

Invocation ok(const std::vector<std::string>& args) {
    ParseResult result = parse(args);
    INFO("error: " << result.error.message());
    REQUIRE(result.error.is_ok());
    return result.invocation;
}

std::string refused(const std::vector<std::string>& args) {
    ParseResult result = parse(args);
    REQUIRE_FALSE(result.error.is_ok());
    CHECK(result.error.code() == common::Code::kInvalidArgument);
    return result.error.message();
}

TEST_CASE("cli args: the specs of the test tool are coherent", "[cli][args]") {
    CHECK(check_specs(kTool, kSpecs).is_ok());
}

TEST_CASE("cli args: default command, dotted names, both spellings, --", "[cli][args]") {
    Invocation show = ok({"--db", "/d"});
    REQUIRE(show.command == &kShow);
    CHECK(show.text_option("db") == "/d");
    CHECK_FALSE(show.json);

    Invocation dotted = ok({"--net.cluster_port=7001", "show", "--db=/d", "--json"});
    CHECK(dotted.unsigned_option("net.cluster_port") == 7001u);
    CHECK(dotted.json);

    Invocation get = ok({"get", "--version", "3", kId, "--all", "--db", "/d"});
    REQUIRE(get.command == &kGet);
    CHECK(get.object_id_at(0).hex() == kId);
    CHECK(get.unsigned_option("version") == 3u);
    CHECK(get.has_option("all"));

    Invocation dashed = ok({"peer", "connect", "--name", "n", "--", "-x:1"});
    CHECK(dashed.positionals == std::vector<std::string>{"-x:1"});
}

TEST_CASE("cli args: short names, repeatable options, HOST:PORT", "[cli][args]") {
    Invocation connect = ok({"peer", "connect", "[::1]:9000", "--name=a", "-o", "/out", "--arg",
                             "1", "--arg=2", "--arg", "3"});
    CHECK(connect.command == &kConnect);
    CHECK_FALSE(connect.has_option("db"));  // this command does without the required global
    CHECK(connect.host_port_at(0) == HostPort{"::1", 9000});
    CHECK(connect.text_option("output") == "/out");
    CHECK(connect.option_values("arg") == std::vector<std::string>{"1", "2", "3"});
    CHECK(ok({"peer", "connect", "h:1", "--name", "a", "-o=/x"}).text_option("output") == "/x");

    CHECK(parse_host_port("localhost:65535") == HostPort{"localhost", 65535});
    CHECK(parse_host_port("10.0.0.1:1") == HostPort{"10.0.0.1", 1});
    for (const char* bad : {"", "host", ":80", "host:", "host:0", "host:65536", "host:-1",
                            "host:8x", "::1:80", "[::1]80", "[::1]", "[]:80", "a b:80"}) {
        INFO(bad);
        CHECK_FALSE(parse_host_port(bad).has_value());
    }
}

TEST_CASE("cli args: every malformed value is refused naming the argument", "[cli][args]") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--db", "", "show"}, "--db must not be empty"},
        {{"--db", "/d", "get", kId.substr(1)}, "ID must be an object id of exactly 64 hex"},
        {{"--db", "/d", "get", std::string(64, 'z')}, "ID must be an object id"},
        {{"--db", "/d", "get", kId, "--version", "-1"}, "--version must be a non-negative"},
        {{"--db", "/d", "--net.cluster_port", "18446744073709551616"}, "--net.cluster_port must"},
        {{"--db", "/d", "--net.cluster_port", "+1"}, "--net.cluster_port must"},
        {{"peer", "connect", "h:0", "--name", "a"}, "ADDR must be HOST:PORT"},
        {{"peer", "connect", "h:1", "--name="}, "--name must not be empty"},
    };
    for (const auto& [args, message] : cases) {
        INFO(args.size());
        CHECK_THAT(refused(args), Catch::Contains(message));
    }
}

TEST_CASE("cli args: misplaced, missing, unknown and repeated arguments are refused",
          "[cli][args]") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--db", "/d", "--nope"}, "unknown option '--nope'"},
        {{"--db", "/d", "-x"}, "unknown option '-x'"},
        {{"--db", "/d", "-oo", "f"}, "unknown option '-oo'"},
        {{"--db", "/d", "--json=yes"}, "option '--json' takes no value"},
        {{"--db", "/d", "get", kId, "--all=1"}, "option '--all' takes no value"},
        {{"--db"}, "option '--db' needs a value"},
        {{"--db", "/d", "get", kId, "--version"}, "option '--version' needs a value"},
        {{"--db", "/d", "--db", "/e"}, "option '--db' given twice"},
        {{"--db", "/d", "--json", "--json"}, "option '--json' given twice"},
        {{"--db", "/d", "get", kId, "--all", "--all"}, "option '--all' given twice"},
        {{"--db", "/d", "get", kId, "--version=1", "--version", "2"}, "'--version' given twice"},
        {{"peer", "connect", "h:1", "--name", "a", "-o", "x", "--output", "y"},
         "option '--output' given twice"},
        {{"--db", "/d", "show", "--all"}, "option '--all' does not apply to 'show'"},
        {{"peer", "connect", "h:1"}, "'peer connect' needs --name NAME"},
        {{"show"}, "'show' needs --db DIR"},
        {{"--db", "/d", "get"}, "'get' needs ID"},
        {{"--db", "/d", "show", "extra"}, "unexpected argument 'extra' for 'show'"},
        {{"--db", "/d", "nonsense"}, "unknown command 'nonsense' (one of: show, get"},
        {{"--db", "/d", "peer"}, "'peer': a subcommand is needed (one of: connect, drop)"},
        {{"--db", "/d", "peer", "kick"}, "'peer': unknown subcommand 'kick'"},
    };
    for (const auto& [args, message] : cases) {
        std::string got = refused(args);
        INFO(got);
        CHECK_THAT(got, Catch::Contains(message));
    }
}

TEST_CASE("cli args: --version belongs to a command that declares it, else asks the version",
          "[cli][args]") {
    CHECK(ok({"--version"}).version);
    CHECK(ok({"--db", "/d", "show", "--version"}).version);
    CHECK(ok({"nonsense", "--version"}).version);      // wins over a bad command line
    CHECK(ok({"--db", "/d", "--version=1"}).version);  // show does not declare one
    Invocation get = ok({"--db", "/d", "get", kId, "--version", "4"});
    CHECK_FALSE(get.version);
    CHECK(get.unsigned_option("version") == 4u);
    CHECK_THAT(refused({"--db", "/d", "get", kId, "--version", "--json"}),
               Catch::Contains("'--version' needs a value"));
}

TEST_CASE("cli args: with no default command, an empty command line is refused", "[cli][args]") {
    ToolSpec tool = kTool;
    tool.default_command = "";
    ParseResult result = parse_invocation(tool, kSpecs, std::vector<std::string>{"--db", "/d"});
    CHECK_THAT(result.error.message(), Catch::Contains("a command is needed (one of: show"));
}

TEST_CASE("cli args: a one-mode tool takes its arguments without a command word", "[cli][args]") {
    const ToolSpec tool{.name = "remora-one", .summary = "one mode"};
    const CommandSpec only{
        .name = "",
        .summary = "the mode",
        .details = "Does it.",
        .positionals = {{"TARGET", ArgKind::kHostPort, "where"}},
        .options = {{"rate", ArgKind::kUnsigned, "N", "per second", false, "100"}},
    };
    const std::vector<const CommandSpec*> specs = {&only};
    REQUIRE(check_specs(tool, specs).is_ok());
    ParseResult run = parse_invocation(tool, specs, std::vector<std::string>{"h:5", "--rate", "7"});
    REQUIRE(run.error.is_ok());
    CHECK(run.invocation.command == &only);
    CHECK(run.invocation.unsigned_option("rate") == 7u);
    ParseResult extra = parse_invocation(tool, specs, std::vector<std::string>{"h:5", "h:6"});
    CHECK_THAT(extra.error.message(), Catch::Equals("unexpected argument 'h:6'"));
    ParseResult missing = parse_invocation(tool, specs, std::vector<std::string>{});
    CHECK_THAT(missing.error.message(), Catch::Equals("remora-one needs TARGET"));

    ParseResult twice =
        parse_invocation(tool, specs, std::vector<std::string>{"--version", "--version"});
    CHECK_THAT(twice.error.message(), Catch::Equals("option '--version' given twice"));
    CHECK(parse_invocation(tool, specs, std::vector<std::string>{"--version"}).invocation.version);

    std::string help = tool_help(tool, specs);
    CHECK_THAT(help, Catch::Contains("Usage: remora-one [--json] TARGET [--rate N]"));
    CHECK_THAT(help, Catch::Contains("(default: 100)"));
}

TEST_CASE("cli args: help wins, names its topic, and --json is known on error", "[cli][args]") {
    Invocation tool = ok({"--help", "--nope"});
    CHECK(tool.help);
    CHECK(tool.command == nullptr);
    Invocation get = ok({"get", "-h"});  // no ID, no --db: still help
    CHECK(get.command == &kGet);
    Invocation group = ok({"peer", "--help"});
    CHECK(group.help_topic == "peer");

    ParseResult failed = parse({"--db", "/d", "--nope", "--json"});
    CHECK_FALSE(failed.error.is_ok());
    CHECK(failed.invocation.json);

    std::string text = tool_help(kTool, kSpecs);
    for (const char* part : {"Usage: remora-test --db DIR [--net.cluster_port PORT] [--json]",
                             "(show is the default)", "get ID [--version V] [--all]",
                             "peer connect ADDR --name NAME [--output FILE] [--arg A...]",
                             "--version", "(default: 7000)", "Exit codes:"}) {
        CHECK_THAT(text, Catch::Contains(part));
    }
    CHECK_THAT(command_help(kTool, kConnect),
               Catch::Contains("Usage: remora-test [--db DIR] [--net.cluster_port PORT] [--json] "
                               "peer connect"));
    CHECK_THAT(command_help(kTool, kConnect), Catch::Contains("-o, --output FILE"));
    CHECK_THAT(group_help(kTool, "peer", kSpecs), Catch::Contains("peer drop"));
}

TEST_CASE("cli args: check_specs refuses incoherent specs", "[cli][args]") {
    auto refused_spec = [](const ToolSpec& tool, std::vector<const CommandSpec*> specs) {
        Status status = check_specs(tool, specs);
        CHECK_FALSE(status.is_ok());
        return status.message();
    };
    const CommandSpec json_option{
        .name = "a", .summary = "", .details = "", .options = {{"json", ArgKind::kFlag, "", ""}}};
    CHECK_THAT(refused_spec(kTool, {&json_option}), Catch::Contains("built in"));
    const CommandSpec version_flag{.name = "a",
                                   .summary = "",
                                   .details = "",
                                   .options = {{"version", ArgKind::kFlag, "", ""}}};
    CHECK_THAT(refused_spec(kTool, {&version_flag}), Catch::Contains("built in"));
    const CommandSpec other_kind{.name = "b",
                                 .summary = "",
                                 .details = "",
                                 .options = {{"version", ArgKind::kText, "V", ""}}};
    CHECK_THAT(refused_spec(kTool, {&kGet, &other_kind}), Catch::Contains("different meanings"));
    const CommandSpec global_again{
        .name = "c", .summary = "", .details = "", .options = {{"db", ArgKind::kPath, "DIR", ""}}};
    CHECK_THAT(refused_spec(kTool, {&global_again}), Catch::Contains("global option"));
    const CommandSpec no_value_name{
        .name = "d", .summary = "", .details = "", .options = {{"n", ArgKind::kUnsigned, "", ""}}};
    CHECK_THAT(refused_spec(kTool, {&no_value_name}), Catch::Contains("value_name"));
    const CommandSpec unnamed{.name = "", .summary = "", .details = ""};
    CHECK_THAT(refused_spec(kTool, {&kShow, &unnamed}), Catch::Contains("only one"));
    CHECK_THAT(refused_spec(kTool, {&kShow, &kShow}), Catch::Contains("twice"));
    CHECK_THAT(refused_spec(kTool, {&kGet}), Catch::Contains("default command 'show'"));
}

// --- the driver --------------------------------------------------------------------------------

class FakeCommand final : public Command {
public:
    explicit FakeCommand(CommandSpec spec) : m_spec(std::move(spec)) {}
    const CommandSpec& spec() const override { return m_spec; }
    Status check(const Invocation& invocation) const override {
        if (invocation.text_option("mode") == "unchecked")
            return usage_error("--mode: out of range");
        return Status::ok();
    }
    Result<Report> run(Context& context) const override {
        const std::string mode = *context.invocation.text_option("mode");
        if (mode == "throw") throw std::runtime_error("thrown");
        if (mode == "fail") return Status(common::Code::kNotFound, "no such thing");
        Report report;
        report.text = "ran\n";
        report.json = {{"ran", true}};
        if (mode == "mismatch") report.verdict = Status(common::Code::kVerificationFailed, "bad");
        if (mode == "aborted") report.exit_code = 1;  // a result, not an error
        if (mode == "late-usage") {
            report.verdict = Status(common::Code::kInvalidArgument, "no such entry");
            report.exit_code = 2;
        }
        if (mode == "bad-input") {
            report.verdict = Status(common::Code::kInvalidArgument, "bad bytes");
            report.exit_code = 65;
        }
        return report;
    }

private:
    CommandSpec m_spec;
};

TEST_CASE("cli driver: exit codes for every outcome", "[cli][driver]") {
    const ToolSpec tool{.name = "remora-fake", .summary = "fake"};
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(std::make_unique<FakeCommand>(
        CommandSpec{.name = "",
                    .summary = "",
                    .details = "",
                    .options = {{"mode", ArgKind::kText, "M", "what to do", true}}}));
    auto run = [&](std::vector<std::string> args) { return run_tool(tool, commands, args); };
    CHECK(run({"--mode", "ok"}) == 0);
    CHECK(run({"--mode", "ok", "--json"}) == 0);
    CHECK(run({"--help"}) == 0);
    CHECK(run({"--version", "--json"}) == 0);
    CHECK(run({"--mode", "ok", "--nope"}) == 2);
    CHECK(run({}) == 2);
    CHECK(run({"--mode", "unchecked"}) == 2);
    CHECK(run({"--mode", "fail", "--json"}) == 1);
    CHECK(run({"--mode", "throw"}) == 1);
    CHECK(run({"--mode", "mismatch", "--json"}) == 65);
    CHECK(run({"--mode", "aborted", "--json"}) == 1);
    CHECK(run({"--mode", "late-usage"}) == 2);
    CHECK(run({"--mode", "bad-input", "--json"}) == 65);
}

TEST_CASE("cli version: names the formats and the executor identity", "[cli][version]") {
    auto json = version_json("remora-x");
    CHECK(json.at("tool") == "remora-x");
    CHECK_FALSE(json.at("build").get<std::string>().empty());
    for (const char* key :
         {"store", "commit_body", "snapshot_manifest", "wire_protocol", "wire_protocol_min"}) {
        CHECK(json.at("formats").at(key).get<std::uint32_t>() >= 1);
    }
    CHECK(json.at("executor_identity").at("digest").get<std::string>().size() == 64);
    CHECK_THAT(version_text("remora-x"), Catch::StartsWith("remora-x "));
}

}  // namespace
}  // namespace remora::tools::cli
