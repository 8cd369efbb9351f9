// Exact gas accounting and determinism.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "executor/vm/interpreter.h"
#include "executor/vm/opcode.h"
#include "tests/executor/vm_support.h"

namespace {

using remora::executor::vm::ExecStatus;
using remora::executor::vm::Value;
using remora::testing::bytes_value;
using remora::testing::FakeHost;
using remora::testing::int_value;
using remora::testing::run_program;

TEST_CASE("vm: gas of a small program, instruction by instruction", "[vm][gas]") {
    std::string source =
        ".func main args=0 locals=0 returns=1\n"
        "push 2\n"           // 1
        "push 3\n"           // 1
        "add\n"              // 2
        "pushc \"hello\"\n"  // 2 + 1 word
        "len\n"              // 2
        "mul\n"              // 3
        "ret\n";             // 5
    auto outcome = run_program(source, "main", {});
    REQUIRE(outcome.status == ExecStatus::kOk);
    CHECK(outcome.returns == std::vector<Value>{int_value(25)});  // (2 + 3) * len("hello")
    CHECK(outcome.gas_used == 17);
    CHECK(outcome.steps == 7);
    // One gas short fails at the last instruction and reports the whole budget.
    auto short_budget = run_program(source, "main", {}, 16);
    CHECK(short_budget.status == ExecStatus::kOutOfGas);
    CHECK(short_budget.gas_used == 16);
    CHECK(short_budget.abort_pc == 24);
}

TEST_CASE("vm: factorial gas is 15 + 23 n", "[vm][gas]") {
    std::string source = remora::testing::read_program("examples/factorial.rasm");
    for (std::uint64_t n : {0, 1, 5, 20}) {
        auto outcome = run_program(source, "factorial", {int_value(n)});
        INFO("n=" << n);
        REQUIRE(outcome.status == ExecStatus::kOk);
        CHECK(outcome.gas_used == 15 + 23 * n);
        CHECK(outcome.steps == 6 + 11 * n);
        CHECK(run_program(source, "factorial", {int_value(n)}, 15 + 23 * n).is_ok());
        CHECK(run_program(source, "factorial", {int_value(n)}, 14 + 23 * n).status ==
              ExecStatus::kOutOfGas);
    }
}

TEST_CASE("vm: byte-string gas scales with length in 32-byte words", "[vm][gas]") {
    auto concat_gas = [](std::size_t left, std::size_t right) {
        std::string source = ".func main args=2 locals=0 returns=1\nload 0\nload 1\nconcat\nret\n";
        auto outcome = run_program(
            source, "main",
            {bytes_value(std::string(left, 'a')), bytes_value(std::string(right, 'b'))});
        REQUIRE(outcome.is_ok());
        return outcome.gas_used;
    };
    using remora::executor::vm::gas_words;
    // load = 2 + words(copied), concat = 4 + words(result), ret = 5.
    auto expected = [](std::uint64_t l, std::uint64_t r) {
        return 2 + gas_words(l) + 2 + gas_words(r) + 4 + gas_words(l + r) + 5;
    };
    CHECK(concat_gas(0, 0) == 13);
    CHECK(concat_gas(1, 0) == expected(1, 0));
    CHECK(concat_gas(32, 32) == expected(32, 32));
    CHECK(concat_gas(33, 1000) == expected(33, 1000));
    CHECK(concat_gas(33, 1000) > concat_gas(1, 1));
}

TEST_CASE("vm: host gas: base, input words, output words, rounds", "[vm][gas]") {
    std::string blake = ".func main args=1 locals=0 returns=1\nload 0\nhost blake2b_256\nret\n";
    // load(2 + words) + blake2b (60 + 6 per input word) + ret 5
    auto small = run_program(blake, "main", {bytes_value(std::string(32, 'x'))});
    CHECK(small.gas_used == 2 + 1 + 60 + 6 + 5);
    auto big = run_program(blake, "main", {bytes_value(std::string(320, 'x'))});
    CHECK(big.gas_used == 2 + 10 + 60 + 60 + 5);

    std::string iterated =
        ".func main args=1 locals=0 returns=1\npushc \"seed\"\nload 0\nhost iterated_hash\nret\n";
    auto ten = run_program(iterated, "main", {int_value(10)});
    auto thousand = run_program(iterated, "main", {int_value(1000)});
    // pushc 3, load 2, iterated_hash 60 + 6 * 1 word + 20 per round, ret 5
    CHECK(ten.gas_used == 3 + 2 + 60 + 6 + 200 + 5);
    CHECK(thousand.gas_used == 3 + 2 + 60 + 6 + 20000 + 5);

    FakeHost host;
    host.add_input(std::string(100, 'c'));
    std::string read = ".func main args=0 locals=0 returns=1\npush 0\nhost input_read\nret\n";
    auto outcome = run_program(read, "main", {}, remora::testing::kGasPlenty, &host);
    // push 1, input_read 200 + 3 per output word (4 words), ret 5
    CHECK(outcome.gas_used == 1 + 200 + 12 + 5);
}

TEST_CASE("vm: same inputs give identical outcomes and host effects", "[vm][determinism]") {
    std::string source =
        ".func main args=1 locals=1 returns=2\n"
        "pushc \"coin\"\nload 0\nhost object_create\nstore 1\n"
        "load 1\npushc \"k\"\npushc \"v\"\nhost child_set\n"
        "pushc \"evt\"\nload 1\nhost emit_event\n"
        "load 1\nload 0\nhost sha256\nconcat\nhost blake2b_256\n"
        "push 3\nret\n";
    for (int round = 0; round < 2; ++round) {
        FakeHost a, b;
        auto first = run_program(source, "main", {bytes_value("payload")}, 1'000'000, &a);
        auto second = run_program(source, "main", {bytes_value("payload")}, 1'000'000, &b);
        REQUIRE(first.is_ok());
        CHECK(first == second);
        CHECK(a.objects == b.objects);
        CHECK(a.children == b.children);
        CHECK(a.events == b.events);
        CHECK(a.calls == b.calls);
        // The budget that just fits gives the same outcome; one less runs out identically.
        auto exact = run_program(source, "main", {bytes_value("payload")}, first.gas_used);
        CHECK(exact == first);
        auto out1 = run_program(source, "main", {bytes_value("payload")}, first.gas_used - 1);
        auto out2 = run_program(source, "main", {bytes_value("payload")}, first.gas_used - 1);
        CHECK(out1.status == ExecStatus::kOutOfGas);
        CHECK(out1 == out2);
    }
}

}  // namespace
