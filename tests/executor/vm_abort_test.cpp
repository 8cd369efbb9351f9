// Every abort status of the interpreter, with where it stops and the gas it reports.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "executor/vm/interpreter.h"
#include "executor/vm/limits.h"
#include "tests/executor/vm_support.h"

namespace {

namespace limits = remora::executor::vm::limits;
using remora::executor::vm::ExecStatus;
using remora::executor::vm::Value;
using remora::testing::bytes_value;
using remora::testing::FakeHost;
using remora::testing::int_value;
using remora::testing::run_program;

struct AbortCase {
    std::string name;
    std::string body;  // code of `.func main args=0 locals=1 returns=R`
    ExecStatus status;
    std::uint64_t abort_code = 0;
    std::uint32_t abort_pc = 0;  // offset of the failing instruction
    int returns = 1;             // main's return count (the verifier checks it at `ret`)
};

std::string repeat(const std::string& line, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += line + "\n";
    return out;
}

// Leaves a byte string of limits::kBytesLengthMax bytes in local 0 (16 doublings of "x").
std::string make_max_string() {
    static_assert(limits::kBytesLengthMax == 1 << 16);
    return "pushc \"x\"\n" + repeat("dup\nconcat", 16) + "store 0\n";
}

std::vector<AbortCase> abort_cases() {
    const std::string kMax = "push 18446744073709551615\n";
    return {
        // push = 9 bytes, pushc = 3, one-byte ops = 1.
        {"type mismatch", "push 1\npushc \"a\"\nadd\nret", ExecStatus::kTypeMismatch, 0, 12},
        {"type mismatch bytes op", "push 1\nlen\nret", ExecStatus::kTypeMismatch, 0, 9},
        {"type mismatch branch", "pushc \"a\"\njz @0\nret", ExecStatus::kTypeMismatch, 0, 3, 0},
        {"add overflow", kMax + "push 1\nadd\nret", ExecStatus::kArithmeticOverflow, 0, 18},
        {"mul overflow", kMax + "push 2\nmul\nret", ExecStatus::kArithmeticOverflow, 0, 18},
        {"sub underflow", "push 0\npush 1\nsub\nret", ExecStatus::kArithmeticUnderflow, 0, 18},
        {"div by zero", "push 1\npush 0\ndiv\nret", ExecStatus::kDivisionByZero, 0, 18},
        {"mod by zero", "push 1\npush 0\nmod\nret", ExecStatus::kDivisionByZero, 0, 18},
        {"slice past end", "pushc \"abc\"\npush 2\npush 2\nslice\nret",
         ExecStatus::kIndexOutOfRange, 0, 21},
        {"slice start past end", "pushc \"abc\"\npush 4\npush 0\nslice\nret",
         ExecStatus::kIndexOutOfRange, 0, 21},
        {"byte_at past end", "pushc \"abc\"\npush 3\nbyte_at\nret", ExecStatus::kIndexOutOfRange, 0,
         12},
        {"btoi of 7 bytes", "pushc 0x00000000000001\nbtoi\nret", ExecStatus::kConversionFailed, 0,
         3},
        {"user abort", "push 42\nabort", ExecStatus::kUserAbort, 42, 9},
        {"bytes too long", make_max_string() + "load 0\npushc \"y\"\nconcat\nret",
         ExecStatus::kBytesTooLong, 0, 3 + 32 + 2 + 2 + 3},
        // 16 live copies fill the memory limit exactly; the 17th passes it.
        {"memory limit", make_max_string() + repeat("load 0", 15) + "load 0\nret",
         ExecStatus::kMemoryLimit, 0, 3 + 32 + 2 + 15 * 2, 16},
        {"host argument", "pushc \"short id\"\nhost object_read\nret",
         ExecStatus::kHostArgumentInvalid, 0, 3},
        {"host type", "push 1\nhost object_read\nret", ExecStatus::kTypeMismatch, 0, 9},
        {"host rounds zero", "pushc \"d\"\npush 0\nhost iterated_hash\nret",
         ExecStatus::kHostArgumentInvalid, 0, 12},
        {"host not found", "push 3\nhost input_read\nret", ExecStatus::kHostError,
         remora::executor::vm::host_error::kNotFound, 9},
    };
}

TEST_CASE("vm: every abort status stops at the failing instruction", "[vm]") {
    static_assert(limits::kMemoryBytesMax == 16 * limits::kBytesLengthMax);
    for (const AbortCase& c : abort_cases()) {
        SECTION(c.name) {
            std::string source = ".func main args=0 locals=1 returns=" + std::to_string(c.returns) +
                                 "\n" + c.body + "\n";
            auto outcome = run_program(source, "main", {});
            INFO(outcome.to_string());
            CHECK(outcome.status == c.status);
            CHECK(outcome.abort_code == c.abort_code);
            CHECK(outcome.abort_function == 0);
            CHECK(outcome.abort_pc == c.abort_pc);
            CHECK(outcome.returns.empty());
            CHECK(outcome.gas_used > 0);
        }
    }
}

TEST_CASE("vm: out of gas reports the whole budget", "[vm]") {
    std::string source = remora::testing::read_program("examples/spin.rasm");
    auto outcome = run_program(source, "spin", {}, 1001);
    CHECK(outcome.status == ExecStatus::kOutOfGas);
    CHECK(outcome.gas_used == 1001);
    CHECK(outcome.steps == 501);  // jmp costs 2: 500 fit, the 501st does not
    auto zero = run_program(source, "spin", {}, 0);
    CHECK(zero.status == ExecStatus::kOutOfGas);
    CHECK(zero.gas_used == 0);
}

TEST_CASE("vm: the step limit stops an endless loop", "[vm]") {
    std::string source = remora::testing::read_program("examples/spin.rasm");
    auto outcome = run_program(source, "spin", {}, 10 * limits::kStepsMax);
    CHECK(outcome.status == ExecStatus::kStepLimit);
    CHECK(outcome.steps == limits::kStepsMax);
    CHECK(outcome.gas_used == 2 * limits::kStepsMax);
    auto countdown =
        run_program(source, "countdown", {int_value(1'000'000)}, 10 * limits::kStepsMax);
    CHECK(countdown.status == ExecStatus::kStepLimit);
    auto small = run_program(source, "countdown", {int_value(1000)});
    CHECK(small.status == ExecStatus::kOk);
    CHECK(small.returns == std::vector<Value>{int_value(1000)});
}

TEST_CASE("vm: the operand stack limit spans frames", "[vm]") {
    // Each frame keeps 200 values and recurses: the 6th frame passes 1024 values.
    std::string source = ".func grow args=0 locals=0 returns=0\n" + repeat("push 0", 200) +
                         "call grow\n" + repeat("pop", 200) + "ret\n";
    auto outcome = run_program(source, "grow", {});
    CHECK(outcome.status == ExecStatus::kStackOverflow);
    CHECK(outcome.abort_pc == (limits::kOperandStackMax % 200) * 9);
}

TEST_CASE("vm: host errors and the host call limit", "[vm]") {
    std::string once = ".func main args=0 locals=0 returns=1\nhost tx_sender\nret\n";
    FakeHost host;
    host.fail_next = 0x123;
    auto failed = run_program(once, "main", {}, remora::testing::kGasPlenty, &host);
    CHECK(failed.status == ExecStatus::kHostError);
    CHECK(failed.abort_code == 0x123);
    CHECK(failed.gas_used == 20);  // tx_sender's base gas was charged before the call

    std::string loop =
        ".func main args=1 locals=0 returns=0\n"
        "again:\nhost tx_sender\npop\nload 0\npush 1\nsub\ndup\nstore 0\njnz again\nret\n";
    auto within = run_program(loop, "main", {int_value(limits::kHostCallsMax)});
    CHECK(within.status == ExecStatus::kOk);
    auto beyond = run_program(loop, "main", {int_value(limits::kHostCallsMax + 1)});
    CHECK(beyond.status == ExecStatus::kHostCallLimit);
}

TEST_CASE("vm: oversized host results abort", "[vm]") {
    std::string source =
        ".func main args=0 locals=0 returns=1\npush 0\nhost input_id\nhost object_read\nret\n";
    FakeHost host;
    host.add_input("contents");
    host.oversized_read = limits::kBytesLengthMax + 1;
    auto outcome = run_program(source, "main", {}, remora::testing::kGasPlenty, &host);
    CHECK(outcome.status == ExecStatus::kBytesTooLong);
}

TEST_CASE("vm: invalid entries are rejected without gas", "[vm]") {
    std::string source = ".func main args=1 locals=0 returns=1\nload 0\nret\n";
    auto unknown = run_program(source, "nope", {int_value(1)});
    CHECK(unknown.status == ExecStatus::kInvalidEntry);
    CHECK(unknown.gas_used == 0);
    CHECK(run_program(source, "main", {}).status == ExecStatus::kInvalidEntry);
    CHECK(run_program(source, "main", {int_value(1), int_value(2)}).status ==
          ExecStatus::kInvalidEntry);
    std::string too_long(limits::kBytesLengthMax + 1, 'a');
    CHECK(run_program(source, "main", {bytes_value(too_long)}).status == ExecStatus::kInvalidEntry);
    auto package = remora::testing::build_package(source);
    FakeHost host;
    std::vector<Value> args{int_value(1)};
    CHECK(remora::executor::vm::execute(package, std::uint16_t{7}, args, 100, host).status ==
          ExecStatus::kInvalidEntry);
}

}  // namespace
