// Interpreter behaviour as data: each case is a program, its arguments and the expected
// status and results.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "executor/vm/interpreter.h"
#include "executor/vm/limits.h"
#include "tests/executor/vm_support.h"

namespace {

using remora::executor::vm::ExecStatus;
using remora::executor::vm::Value;
using remora::testing::bytes_value;
using remora::testing::int_value;

struct Case {
    std::string name;
    std::string source;  // defines `main`
    std::vector<Value> args;
    ExecStatus status;
    std::vector<Value> returns;  // when status == kOk
    std::uint64_t abort_code = 0;
};

// `body` becomes the code of `.func main args=A locals=L returns=R`.
std::string main_fn(int args, int locals, int returns, const std::string& body) {
    return ".func main args=" + std::to_string(args) + " locals=" + std::to_string(locals) +
           " returns=" + std::to_string(returns) + "\n" + body + "\n";
}

std::string ret1(const std::string& body) { return main_fn(0, 0, 1, body + "\nret"); }

const std::string kMaxInt = "18446744073709551615";

std::vector<Case> ok_cases() {
    return {
        {"add", ret1("push 7\npush 5\nadd"), {}, ExecStatus::kOk, {int_value(12)}},
        {"sub", ret1("push 7\npush 5\nsub"), {}, ExecStatus::kOk, {int_value(2)}},
        {"mul", ret1("push 7\npush 5\nmul"), {}, ExecStatus::kOk, {int_value(35)}},
        {"div truncates", ret1("push 7\npush 2\ndiv"), {}, ExecStatus::kOk, {int_value(3)}},
        {"mod", ret1("push 7\npush 5\nmod"), {}, ExecStatus::kOk, {int_value(2)}},
        {"max int add 0",
         ret1("push " + kMaxInt + "\npush 0\nadd"),
         {},
         ExecStatus::kOk,
         {int_value(UINT64_MAX)}},
        {"hex push", ret1("push 0xff"), {}, ExecStatus::kOk, {int_value(255)}},
        {"eq true", ret1("push 3\npush 3\neq"), {}, ExecStatus::kOk, {int_value(1)}},
        {"eq false", ret1("push 3\npush 4\neq"), {}, ExecStatus::kOk, {int_value(0)}},
        {"ne", ret1("push 3\npush 4\nne"), {}, ExecStatus::kOk, {int_value(1)}},
        {"lt", ret1("push 3\npush 4\nlt"), {}, ExecStatus::kOk, {int_value(1)}},
        {"lt equal", ret1("push 4\npush 4\nlt"), {}, ExecStatus::kOk, {int_value(0)}},
        {"le", ret1("push 4\npush 4\nle"), {}, ExecStatus::kOk, {int_value(1)}},
        {"gt", ret1("push 4\npush 3\ngt"), {}, ExecStatus::kOk, {int_value(1)}},
        {"ge", ret1("push 3\npush 4\nge"), {}, ExecStatus::kOk, {int_value(0)}},
        {"and", ret1("push 2\npush 5\nand"), {}, ExecStatus::kOk, {int_value(1)}},
        {"and zero", ret1("push 2\npush 0\nand"), {}, ExecStatus::kOk, {int_value(0)}},
        {"or", ret1("push 0\npush 9\nor"), {}, ExecStatus::kOk, {int_value(1)}},
        {"or zeros", ret1("push 0\npush 0\nor"), {}, ExecStatus::kOk, {int_value(0)}},
        {"not", ret1("push 0\nnot"), {}, ExecStatus::kOk, {int_value(1)}},
        {"not nonzero", ret1("push 5\nnot"), {}, ExecStatus::kOk, {int_value(0)}},
        {"dup",
         main_fn(0, 0, 2, "push 4\ndup\nret"),
         {},
         ExecStatus::kOk,
         {int_value(4), int_value(4)}},
        {"swap",
         main_fn(0, 0, 2, "push 1\npush 2\nswap\nret"),
         {},
         ExecStatus::kOk,
         {int_value(2), int_value(1)}},
        {"pick",
         main_fn(0, 0, 4, "push 1\npush 2\npush 3\npick 2\nret"),
         {},
         ExecStatus::kOk,
         {int_value(1), int_value(2), int_value(3), int_value(1)}},
        {"pop", ret1("push 1\npush 2\npop"), {}, ExecStatus::kOk, {int_value(1)}},
        {"args and zeroed locals",
         main_fn(2, 1, 3, "load 0\nload 1\nload 2\nret"),
         {int_value(8), bytes_value("ab")},
         ExecStatus::kOk,
         {int_value(8), bytes_value("ab"), int_value(0)}},
        {"store",
         main_fn(1, 0, 1, "push 9\nstore 0\nload 0\nret"),
         {int_value(1)},
         ExecStatus::kOk,
         {int_value(9)}},
        {"jz taken",
         ret1("push 0\njz yes\npush 1\nret\nyes:\npush 2"),
         {},
         ExecStatus::kOk,
         {int_value(2)}},
        {"jnz not taken",
         ret1("push 0\njnz yes\npush 1\nret\nyes:\npush 2"),
         {},
         ExecStatus::kOk,
         {int_value(1)}},
        {"call with two returns",
         main_fn(0, 0, 2, "push 7\npush 2\ncall divmod\nret") +
             ".func divmod args=2 locals=0 returns=2\nload 0\nload 1\ndiv\nload 0\nload "
             "1\nmod\nret",
         {},
         ExecStatus::kOk,
         {int_value(3), int_value(1)}},
        {"call keeps caller stack",
         main_fn(0, 0, 2, "push 5\npush 1\ncall inc\nret") +
             ".func inc args=1 locals=0 returns=1\nload 0\npush 1\nadd\nret",
         {},
         ExecStatus::kOk,
         {int_value(5), int_value(2)}},
        {"concat",
         ret1("pushc \"ab\"\npushc \"cd\"\nconcat"),
         {},
         ExecStatus::kOk,
         {bytes_value("abcd")}},
        {"len", ret1("pushc 0x00ff00\nlen"), {}, ExecStatus::kOk, {int_value(3)}},
        {"slice",
         ret1("pushc \"hello\"\npush 1\npush 3\nslice"),
         {},
         ExecStatus::kOk,
         {bytes_value("ell")}},
        {"empty slice at end",
         ret1("pushc \"hello\"\npush 5\npush 0\nslice"),
         {},
         ExecStatus::kOk,
         {bytes_value("")}},
        {"byte_at", ret1("pushc 0x10ff\npush 1\nbyte_at"), {}, ExecStatus::kOk, {int_value(255)}},
        {"beq", ret1("pushc \"x\"\npushc \"x\"\nbeq"), {}, ExecStatus::kOk, {int_value(1)}},
        {"beq differs",
         ret1("pushc \"x\"\npushc \"xy\"\nbeq"),
         {},
         ExecStatus::kOk,
         {int_value(0)}},
        {"itob",
         ret1("push 0x0102\nitob"),
         {},
         ExecStatus::kOk,
         {bytes_value(std::string("\0\0\0\0\0\0\x01\x02", 8))}},
        {"btoi", ret1("pushc 0x0000000000000102\nbtoi"), {}, ExecStatus::kOk, {int_value(258)}},
        {"empty string constant", ret1("pushc \"\"\nlen"), {}, ExecStatus::kOk, {int_value(0)}},
    };
}

TEST_CASE("vm: instructions compute what docs/vm.md says", "[vm]") {
    for (const Case& c : ok_cases()) {
        SECTION(c.name) {
            auto outcome = remora::testing::run_program(c.source, "main", c.args);
            INFO(outcome.to_string());
            CHECK(outcome.status == c.status);
            CHECK(outcome.returns == c.returns);
        }
    }
}

TEST_CASE("vm: factorial example", "[vm]") {
    std::string source = remora::testing::read_program("examples/factorial.rasm");
    struct Row {
        const char* entry;
        std::uint64_t n;
        ExecStatus status;
        std::uint64_t result;
    };
    const Row rows[] = {
        {"factorial", 0, ExecStatus::kOk, 1},
        {"factorial", 5, ExecStatus::kOk, 120},
        {"factorial", 20, ExecStatus::kOk, 2432902008176640000ULL},
        {"factorial", 21, ExecStatus::kArithmeticOverflow, 0},
        {"fact_rec", 0, ExecStatus::kOk, 1},
        {"fact_rec", 10, ExecStatus::kOk, 3628800},
        {"fact_rec", 20, ExecStatus::kOk, 2432902008176640000ULL},
        {"fact_rec", 100, ExecStatus::kCallDepthExceeded, 0},
    };
    for (const Row& row : rows) {
        auto outcome = remora::testing::run_program(source, row.entry, {int_value(row.n)});
        INFO(row.entry << "(" << row.n << ") -> " << outcome.to_string());
        REQUIRE(outcome.status == row.status);
        if (row.status == ExecStatus::kOk) {
            REQUIRE(outcome.returns == std::vector<Value>{int_value(row.result)});
        } else {
            REQUIRE(outcome.returns.empty());
        }
    }
}

TEST_CASE("vm: bytes example", "[vm]") {
    std::string source = remora::testing::read_program("examples/bytes.rasm");
    using remora::testing::run_program;
    CHECK(run_program(source, "reverse", {bytes_value("abc")}).returns ==
          std::vector<Value>{bytes_value("cba")});
    CHECK(run_program(source, "reverse", {bytes_value("")}).returns ==
          std::vector<Value>{bytes_value("")});
    CHECK(run_program(source, "greet", {bytes_value("remora")}).returns ==
          std::vector<Value>{bytes_value("hello, remora!")});
    std::string a(8, '\0'), b(8, '\0');
    a[7] = 40;
    b[7] = 2;
    std::string sum(8, '\0');
    sum[7] = 42;
    CHECK(run_program(source, "sum_be", {bytes_value(a), bytes_value(b)}).returns ==
          std::vector<Value>{bytes_value(sum)});
    CHECK(run_program(source, "sum_be", {bytes_value("short"), bytes_value(b)}).status ==
          ExecStatus::kConversionFailed);
}

TEST_CASE("vm: call depth limit is exact", "[vm]") {
    // depth(n) recurses n times: n + 1 frames.
    std::string source =
        ".func depth args=1 locals=0 returns=1\n"
        "load 0\njnz more\npush 0\nret\n"
        "more:\nload 0\npush 1\nsub\ncall depth\npush 1\nadd\nret\n";
    std::uint64_t deepest = remora::executor::vm::limits::kCallDepthMax - 1;
    auto ok = remora::testing::run_program(source, "depth", {int_value(deepest)});
    CHECK(ok.status == ExecStatus::kOk);
    CHECK(ok.returns == std::vector<Value>{int_value(deepest)});
    auto too_deep = remora::testing::run_program(source, "depth", {int_value(deepest + 1)});
    CHECK(too_deep.status == ExecStatus::kCallDepthExceeded);
}

}  // namespace
