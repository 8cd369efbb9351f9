// Edges that every tool must survive (docs/design.md, "Tools"): arguments that are not valid
// UTF-8, duplicated options, inputs that are not regular files, random bytes, signals, outputs
// that cannot be written. Each case runs the real binaries as child processes and ends only the
// processes it started.

#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace {

using remora::testing::ChildResult;
using remora::testing::run_child;
using remora::testing::run_child_for;
using remora::testing::StartedChild;
using remora::testing::TempDir;
using Args = std::vector<std::string>;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A hang is a failure, not a stuck test run.
constexpr auto kChildTimeout = 60s;

ChildResult run(const char* tool, const Args& args) {
    ChildResult result = run_child_for(tool, args, kChildTimeout);
    INFO(tool << " exit " << result.exit_code << "\nstdout: " << result.out
              << "\nstderr: " << result.err);
    CHECK_FALSE(result.timed_out);
    return result;
}

// Byte strings that are not valid UTF-8: a lone continuation byte, an invalid lead byte, an
// overlong form, a surrogate, a truncated sequence, and one past U+10FFFF.
std::vector<std::string> invalid_utf8_samples() {
    return {"\x80", "\xff", "\xc0\xaf", "\xed\xa0\x80", "caf\xc3", "\xf4\x90\x80\x80", "a\xfe"};
}

// True when `text` is valid UTF-8 holding no control character but newline (C0, DEL or C1):
// what may reach a terminal.
bool terminal_safe(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            if ((byte < 0x20 && byte != '\n') || byte == 0x7f) return false;
            ++i;
            continue;
        }
        std::size_t n = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 ? 2 : 0;
        if (n == 0 || byte > 0xf4 || i + n > text.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
        }
        if (byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) return false;  // C1
        i += n;
    }
    return true;
}

// The one JSON object a tool prints on stdout for an error.
nlohmann::json error_document(const ChildResult& result) {
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    auto json = nlohmann::json::parse(result.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(json.is_discarded());
    REQUIRE(json.contains("error"));
    CHECK(json.at("code") == result.exit_code);
    CHECK(json.contains("status"));
    return json;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    return names;
}

const char* kFactorial = REMORA_SOURCE_DIR "/executor/programs/examples/factorial.rasm";

}  // namespace

// --- Arguments that are not valid UTF-8 ----------------------------------------------------------

TEST_CASE("every tool reports arguments that are not valid UTF-8 without aborting", "[edges]") {
    for (const std::string& bad : invalid_utf8_samples()) {
        INFO("argument bytes: " << nlohmann::json(bad).dump(
                 -1, ' ', true, nlohmann::json::error_handler_t::replace));
        // As a mode, an option, a value and a path, for each tool.
        std::vector<std::pair<const char*, Args>> cases = {
            {REMORA_BENCH_BIN, {bad, "--json"}},
            {REMORA_BENCH_BIN, {"sequential", "--" + bad, "1", "--json"}},
            {REMORA_BENCH_BIN, {"sequential", "--workload", bad, "--txs", "1", "--json"}},
            {REMORA_BENCH_BIN,
             {"sequential", "--workload", "trace:/nonexistent/" + bad, "--txs", "1", "--seed", "1",
              "--json"}},
            {REMORA_BENCH_BIN, {"storage", "--commits", bad, "--json"}},
            {REMORA_BENCH_BIN, {"remora", "--workload", bad, "--json"}},
            {REMORA_ASM_BIN, {bad, "--json"}},
            {REMORA_ASM_BIN, {"verify", "/nonexistent/" + bad + ".rasm", "--json"}},
            {REMORA_ASM_BIN, {"run", kFactorial, "--entry", bad, "--json"}},
            {REMORA_ASM_BIN, {"run", kFactorial, "--entry", "factorial", "--arg", bad, "--json"}},
            {REMORA_INSPECT_BIN, {"--db", "/nonexistent/" + bad, "--json", "status"}},
            {REMORA_INSPECT_BIN, {"--json", bad}},
        };
        for (const auto& [tool, args] : cases) {
            ChildResult result = run(tool, args);
            INFO(tool << " case " << args[0] << " " << (args.size() > 1 ? args[1] : ""));
            CHECK(result.exit_code != 0);
            CHECK(result.exit_code < 128);  // no abort (134), no other signal
            CHECK_FALSE(result.err.empty());
            CHECK(terminal_safe(result.err));  // the bytes are escaped, not echoed
            error_document(result);
        }
    }
}

// --- The allocator -------------------------------------------------------------------------------

// The programs run on the allocator the build was configured with (REMORA_ALLOCATOR; the
// sanitizer builds keep the C library's, which their runtimes intercept), and `--version` says
// which one, as the dynamic linker resolved `malloc` in the running process.
TEST_CASE("every tool runs on the configured allocator and --version names it", "[edges]") {
    const std::string expected = REMORA_ALLOCATOR_EXPECTED;
    for (const char* tool : {REMORA_BENCH_BIN, REMORA_INSPECT_BIN, REMORA_ASM_BIN}) {
        INFO(tool);
        ChildResult json = run(tool, {"--version", "--json"});
        REQUIRE(json.exit_code == 0);
        const std::string allocator = nlohmann::json::parse(json.out).at("allocator");
        INFO("allocator: " << allocator << ", configured: " << expected);
        if (expected == "jemalloc") {
            CHECK(allocator.rfind("libjemalloc.so", 0) == 0);
        } else {
            CHECK(allocator.find("jemalloc") == std::string::npos);
            CHECK(allocator != "unknown");
        }
        ChildResult text = run(tool, {"--version"});
        REQUIRE(text.exit_code == 0);
        CHECK(std::regex_search(text.out, std::regex("\\nallocator: +" + allocator + "\\n")));
    }
}

// --- Duplicated options ------------------------------------------------------------------------

TEST_CASE("an option given twice is a usage error in every tool", "[edges]") {
    std::vector<std::pair<const char*, Args>> cases = {
        {REMORA_BENCH_BIN,
         {"sequential", "--workload", "transfer", "--txs", "5", "--txs", "6", "--seed", "1"}},
        {REMORA_BENCH_BIN,
         {"sequential", "--workload=transfer", "--workload", "counter", "--txs", "5", "--seed",
          "1"}},
        {REMORA_BENCH_BIN,
         {"storage", "--db", "/nonexistent/a", "--commits", "1", "--objects-per-commit", "1",
          "--seed", "1", "--seed", "2"}},
        {REMORA_BENCH_BIN,
         {"remora", "--workload", "transfer", "--txs", "5", "--seed", "1", "--pre-executors", "1",
          "--pre-executors", "2"}},
        {REMORA_ASM_BIN, {"assemble", kFactorial, "-o", "/nonexistent/a", "--output", "b"}},
        {REMORA_ASM_BIN,
         {"run", kFactorial, "--entry", "factorial", "--entry", "factorial", "--arg", "3"}},
        {REMORA_ASM_BIN, {"run", kFactorial, "--entry", "factorial", "--gas=5", "--gas=6"}},
        {REMORA_INSPECT_BIN, {"--db", "/nonexistent/a", "--db", "/nonexistent/b", "status"}},
        {REMORA_INSPECT_BIN,
         {"--db", "/nonexistent/a", "get", std::string(64, 'a'), "--version", "1", "--version",
          "2"}},
    };
    for (const auto& [tool, args] : cases) {
        Args with_json = args;
        with_json.push_back("--json");
        ChildResult result = run(tool, with_json);
        INFO(tool << " " << args[0] << "\nstderr: " << result.err);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains("twice"));
        CHECK(error_document(result).at("status") == "Usage");
    }
    // --arg is a list: repeating it passes several arguments.
    TempDir scratch("remora-edges");
    write_text(scratch.sub("add.rasm"),
               ".func add args=2 locals=2 returns=1\n"
               "    load 0\n    load 1\n    add\n    ret\n");
    ChildResult added = run(REMORA_ASM_BIN, {"run", scratch.sub("add.rasm"), "--entry", "add",
                                             "--arg", "2", "--arg", "3", "--json"});
    CHECK(added.exit_code == 0);
    CHECK_THAT(added.out, Catch::Contains("\"returns\":[5]"));
}

// --- Traces that are not regular files or start with a byte order mark ------------------------

TEST_CASE("remora-bench refuses a FIFO as a trace instead of hanging", "[edges]") {
    TempDir scratch("remora-edges");
    std::string fifo = scratch.sub("f.csv");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    ChildResult missing =
        run(REMORA_BENCH_BIN, {"sequential", "--workload", "trace:" + scratch.sub("absent.csv"),
                               "--txs", "1", "--seed", "1"});
    ChildResult result = run_child_for(
        REMORA_BENCH_BIN,
        {"sequential", "--workload", "trace:" + fifo, "--txs", "1", "--seed", "1"}, 20s);
    INFO("stderr: " << result.err);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == missing.exit_code);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains("not a regular file"));
}

TEST_CASE("remora-bench accepts a trace that starts with a UTF-8 byte order mark", "[edges]") {
    TempDir scratch("remora-edges");
    std::string trace = scratch.sub("bom.csv");
    write_text(trace,
               "\xEF\xBB\xBF"
               "block,tx_index,sender,receiver,extra_objects\r\n"
               "1,0,aa,bb,\r\n1,1,bb,CREATE,01:02\r\n");
    ChildResult result = run(REMORA_BENCH_BIN, {"sequential", "--workload", "trace:" + trace,
                                                "--txs", "2", "--seed", "1", "--json"});
    INFO("stderr: " << result.err);
    REQUIRE(result.exit_code == 0);
    auto json = nlohmann::json::parse(result.out);
    CHECK(json.at("txs") == 2);
}

// --- Signals -------------------------------------------------------------------------------

namespace {

// Starts a long sequential run without --db, its temporary store under `tmpdir`, and waits until
// the store exists.
void interrupt_run(int signal_number, int expected_exit) {
    TempDir tmpdir("remora-edges-tmp");
    StartedChild child(REMORA_BENCH_BIN,
                       {"sequential", "--workload", "transfer", "--txs", "50000000", "--seed", "1"},
                       {{"TMPDIR", tmpdir.path().string()}});
    auto deadline = std::chrono::steady_clock::now() + kChildTimeout;
    bool store_seen = false;
    while (!store_seen && child.running() && std::chrono::steady_clock::now() < deadline) {
        for (const auto& entry : fs::recursive_directory_iterator(tmpdir.path())) {
            if (entry.path().filename() == "CURRENT") store_seen = true;  // RocksDB is open
        }
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(store_seen);
    std::this_thread::sleep_for(300ms);  // into the commits
    child.signal(signal_number);
    ChildResult result = child.wait(kChildTimeout);
    INFO("stderr: " << result.err);
    CHECK_FALSE(result.timed_out);
    CHECK(result.exit_code == expected_exit);
    CHECK_THAT(result.err, Catch::Contains("removed the temporary directory"));
    CHECK(entries(tmpdir.path()).empty());
}

}  // namespace

TEST_CASE("SIGINT or SIGTERM during remora-bench sequential removes its temporary store",
          "[edges]") {
    SECTION("SIGINT") { interrupt_run(SIGINT, 130); }
    SECTION("SIGTERM") { interrupt_run(SIGTERM, 143); }
}

TEST_CASE("two remora-bench runs on one --db: one runs, the other stops with a listed code",
          "[edges]") {
    // Started together, both may find DIR empty; the second then finds the store locked (75).
    // Otherwise it finds DIR in use (1). Either way nothing of the first run is lost.
    for (int attempt = 0; attempt < 3; ++attempt) {
        TempDir scratch("remora-edges");
        std::string db = scratch.sub("db");
        Args args = {"sequential", "--workload", "transfer", "--txs", "3000",
                     "--seed",     "1",          "--db",     db,      "--json"};
        StartedChild first(REMORA_BENCH_BIN, args);
        StartedChild second(REMORA_BENCH_BIN, args);
        ChildResult a = first.wait(kChildTimeout);
        ChildResult b = second.wait(kChildTimeout);
        INFO("first: " << a.exit_code << " " << a.err << "\nsecond: " << b.exit_code << " "
                       << b.err);
        std::vector<int> codes = {std::min(a.exit_code, b.exit_code),
                                  std::max(a.exit_code, b.exit_code)};
        CHECK((codes == std::vector<int>{0, 1} || codes == std::vector<int>{0, 75}));
        const ChildResult& loser = a.exit_code == 0 ? b : a;
        error_document(loser);
        if (loser.exit_code == 75) CHECK_THAT(loser.err, Catch::Contains("another process"));
        ChildResult verify =
            run(REMORA_INSPECT_BIN, {"--db", db + "/store", "--json", "digest", "--recompute"});
        CHECK(verify.exit_code == 0);
    }
    // The exit-code table of every mode lists 75.
    std::ifstream doc(REMORA_SOURCE_DIR "/docs/tools/remora-bench.md");
    std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
    std::size_t modes = 0, listed = 0;
    for (std::size_t at = text.find("\n## `remora-bench "); at != std::string::npos;) {
        std::size_t end = text.find("\n## ", at + 1);
        std::string section = text.substr(at, end == std::string::npos ? end : end - at);
        INFO(section.substr(0, section.find('\n', 1)));
        ++modes;
        CHECK(section.find("### Exit codes") != std::string::npos);
        if (section.find("\n| 75 |") != std::string::npos) ++listed;
        at = end;
    }
    CHECK(modes >= 4);  // storage, sequential, remora, primary
    CHECK(listed == modes);
}

// --- remora-asm inputs and outputs ------------------------------------------------------------

TEST_CASE("remora-asm on random bytes names a position and shows a printable excerpt", "[edges]") {
    TempDir scratch("remora-edges");
    std::mt19937_64 rng(20261205);
    for (int sample = 0; sample < 8; ++sample) {
        std::string bytes(4096, '\0');
        for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
        std::string path = scratch.sub("random" + std::to_string(sample) + ".rasm");
        write_text(path, bytes);
        for (const Args& args : {Args{"assemble", path, "-o", scratch.sub("x.pkg")},
                                 Args{"verify", path}, Args{"disassemble", path}}) {
            ChildResult result = run(REMORA_ASM_BIN, args);
            INFO(args[0] << " stderr: "
                         << nlohmann::json(result.err)
                                .dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
            CHECK(result.exit_code == 65);
            CHECK(std::regex_search(result.err, std::regex("random\\d\\.rasm:\\d+:\\d+: ")));
            CHECK(terminal_safe(result.err));
            CHECK(result.err.size() < 1024);
        }
        // As a package (not .rasm), the decoder's message is printable too.
        std::string package = scratch.sub("random.pkg");
        write_text(package, bytes);
        ChildResult decoded = run(REMORA_ASM_BIN, {"verify", package});
        CHECK(decoded.exit_code == 65);
        CHECK(terminal_safe(decoded.err));
    }
    CHECK(!fs::exists(scratch.sub("x.pkg")));
}

TEST_CASE("remora-asm run with an unknown entry says so on stderr", "[edges]") {
    ChildResult result = run(REMORA_ASM_BIN, {"run", kFactorial, "--entry", "nope", "--arg", "3"});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains("no function 'nope'"));
    CHECK_THAT(result.err, Catch::Contains("factorial"));
    CHECK(result.out.empty());
    ChildResult json = run(REMORA_ASM_BIN, {"run", kFactorial, "--entry", "nope", "--json"});
    CHECK_THAT(error_document(json).at("error").get<std::string>(),
               Catch::Contains("no function 'nope'"));
    ChildResult arity = run(REMORA_ASM_BIN, {"run", kFactorial, "--entry", "factorial"});
    CHECK(arity.exit_code == 2);
    CHECK_THAT(arity.err, Catch::Contains("takes 1 arguments, 0 given"));
}

TEST_CASE("remora-asm -o leaves nothing behind when it cannot write", "[edges]") {
    TempDir scratch("remora-edges");
    SECTION("into a directory") {
        fs::create_directory(scratch.sub("out"));
        ChildResult result =
            run(REMORA_ASM_BIN, {"assemble", kFactorial, "-o", scratch.sub("out")});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains(scratch.sub("out")));
        CHECK_THAT(result.err, Catch::Contains("directory"));
        CHECK(entries(scratch.path()) == std::vector<std::string>{"out"});
        CHECK(entries(scratch.sub("out")).empty());
    }
    SECTION("into a missing directory") {
        std::string target = scratch.sub("missing/f.pkg");
        ChildResult result = run(REMORA_ASM_BIN, {"assemble", kFactorial, "-o", target, "--json"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains(target));
        CHECK_THAT(result.err, Catch::Contains("No such file or directory"));
        CHECK_THAT(error_document(result).at("error").get<std::string>(),
                   Catch::Contains("No such file or directory"));
        CHECK(entries(scratch.path()).empty());
    }
    SECTION("a kept OUT.tmp is not touched, and OUT is written whole") {
        write_text(scratch.sub("f.pkg.tmp"), "mine");
        ChildResult result =
            run(REMORA_ASM_BIN, {"assemble", kFactorial, "-o", scratch.sub("f.pkg")});
        CHECK(result.exit_code == 0);
        std::ifstream kept(scratch.sub("f.pkg.tmp"));
        std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
        CHECK(text == "mine");
        auto names = entries(scratch.path());
        std::sort(names.begin(), names.end());
        CHECK(names == std::vector<std::string>{"f.pkg", "f.pkg.tmp"});
    }
}

// --- Large transactions through the real tools ------------------------------------------------

TEST_CASE("remora-bench replays every row of a trace of several hundred objects per row",
          "[edges]") {
    const std::string trace =
        "trace:" REMORA_SOURCE_DIR "/tests/data/traces/large_rows.csv";  // 1..402 objects a row
    ChildResult sequential = run(REMORA_BENCH_BIN, {"sequential", "--workload", trace, "--txs",
                                                    "100", "--seed", "1", "--json"});
    INFO("stderr: " << sequential.err);
    REQUIRE(sequential.exit_code == 0);
    auto seq = nlohmann::json::parse(sequential.out);
    CHECK(seq.at("txs") == 7);
    CHECK(seq.at("status_counts") == nlohmann::json{{"None", 7}});
    CHECK(seq.at("digest_verified") == true);

    ChildResult cluster = run(REMORA_BENCH_BIN, {"remora", "--workload", trace, "--txs", "100",
                                                 "--seed", "1", "--pre-executors", "2", "--json"});
    INFO("stderr: " << cluster.err);
    REQUIRE(cluster.exit_code == 0);
    auto remora = nlohmann::json::parse(cluster.out);
    CHECK(remora.at("digest_match") == true);
    CHECK(remora.at("digest") == seq.at("digest"));
}
