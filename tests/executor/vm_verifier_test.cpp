// The bytecode verifier: one rejection per rule, as data, and what it accepts.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "executor/vm/assembler.h"
#include "executor/vm/limits.h"
#include "executor/vm/opcode.h"
#include "executor/vm/verifier.h"

namespace {

namespace vm = remora::executor::vm;
namespace limits = remora::executor::vm::limits;
using remora::common::Code;

struct Rejection {
    std::string rule;
    std::string source;
    std::string message;  // a substring of the verifier's message
};

std::string repeat(const std::string& line, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += line + "\n";
    return out;
}

std::vector<Rejection> rejections() {
    const std::string f = ".func f args=0 locals=0 returns=0\n";
    return {
        {"no functions", "; nothing\n", "no functions"},
        {"empty code", f, "empty code"},
        {"too many arguments", ".func f args=17 returns=0\nret\n", "17 arguments"},
        {"too many returns", ".func f returns=17\nret\n", "17 returns"},
        {"too many slots", ".func f args=16 locals=49\nret\n", "65 argument and local slots"},
        {"unknown opcode", f + ".raw 0xff\nret\n", "offset 0: unknown opcode 0xff"},
        {"unknown opcode later", f + "nop\n.raw 0x07\nret\n", "offset 1: unknown opcode 0x07"},
        {"truncated immediate", f + "nop\n.raw 0x0100\n", "offset 1: truncated immediate"},
        {"truncated target", f + ".raw 0x2800\n", "truncated immediate"},
        {"jump outside", f + "jmp @100\n", "jump target 100 outside the function"},
        {"jump past end", f + "jmp @3\n", "jump target 3 outside"},
        {"jump into an instruction", f + "push 1\njz @1\nret\n", "jump target 1 is inside"},
        {"unknown function", f + "call #5\nret\n", "call to unknown function #5"},
        {"unknown host function", f + "host 0xee\nret\n", "unknown host function 238"},
        {"constant out of range", f + "pushc #0\npop\nret\n", "constant #0 out of range"},
        {"local out of range", ".func f args=1 locals=1\nload 2\npop\nret\n",
         "local 2 out of range (2 slots)"},
        {"store out of range", f + "push 1\nstore 0\nret\n", "local 0 out of range"},
        {"underflow", f + "add\nret\n", "add needs 2 values, stack has 0"},
        {"pick underflow", f + "push 1\npick 1\nret\n", "pick needs 2 values"},
        {"abort underflow", f + "abort\n", "abort needs 1 values"},
        {"call arity", f + "push 1\ncall g\nret\n.func g args=2\nret\n", "call needs 2 values"},
        {"host arity", f + "pushc \"x\"\nhost child_set\nret\n", "host needs 3 values"},
        {"inconsistent heights", f + "push 0\njz join\npush 1\njoin:\nret\n",
         "another path arrives with"},
        {"loop changes height", f + "top:\npush 1\njmp top\n", "another path arrives with 0"},
        {"ret with too few", ".func f returns=1\nret\n",
         "ret with stack height 0, function returns 1"},
        {"ret with too many", f + "push 1\nret\n", "ret with stack height 1, function returns 0"},
        {"falls off the end", f + "push 1\npop\n", "offset 9: control falls off the end"},
        {"conditional falls off", f + "push 0\njz skip\nret\nskip:\nnop\n", "falls off the end"},
        {"label at the end", f + "push 1\njz end\nret\nend:\n", "jump target 13 outside"},
        {"stack too deep", f + repeat("push 0", limits::kFrameStackMax + 1) + "ret\n",
         "stack height 257 exceeds the limit 256"},
    };
}

TEST_CASE("vm verifier: each rule rejects", "[vm][verifier]") {
    for (const Rejection& r : rejections()) {
        SECTION(r.rule) {
            auto package = vm::assemble(r.source);
            INFO(package.status().to_string());
            REQUIRE(package.is_ok());
            auto verified = vm::verify_package(std::move(package).value());
            INFO(r.rule);
            REQUIRE_FALSE(verified.is_ok());
            CHECK(verified.status().code() == Code::kVerificationFailed);
            CHECK_THAT(verified.status().message(), Catch::Contains(r.message));
        }
    }
}

vm::Package tiny_package() {
    vm::Package p;
    vm::Function f;
    f.name = "f";
    f.code = std::string(1, static_cast<char>(vm::Opcode::kRet));
    p.functions.push_back(f);
    return p;
}

TEST_CASE("vm verifier: package shape limits", "[vm][verifier]") {
    auto rejects = [](const vm::Package& p, const std::string& message) {
        auto verified = vm::verify_package(p);
        REQUIRE_FALSE(verified.is_ok());
        CHECK_THAT(verified.status().message(), Catch::Contains(message));
    };
    REQUIRE(vm::verify_package(tiny_package()).is_ok());

    vm::Package dup = tiny_package();
    dup.functions.push_back(dup.functions[0]);
    rejects(dup, "duplicate function name 'f'");

    for (const std::string& bad : std::vector<std::string>{
             "", "1f", "a-b", std::string(limits::kFunctionNameBytesMax + 1, 'a')}) {
        vm::Package p = tiny_package();
        p.functions[0].name = bad;
        rejects(p, "invalid name");
    }

    vm::Package many = tiny_package();
    for (std::size_t i = 1; i <= limits::kFunctionsMax; ++i) {
        many.functions.push_back(many.functions[0]);
        many.functions.back().name = "f" + std::to_string(i);
    }
    rejects(many, "257 functions, limit 256");

    vm::Package constants = tiny_package();
    constants.constants.assign(limits::kConstantsMax + 1, "c");
    rejects(constants, "1025 constants");

    vm::Package long_constant = tiny_package();
    long_constant.constants.emplace_back(limits::kBytesLengthMax + 1, 'c');
    rejects(long_constant, "constant #0 is 65537 bytes");

    vm::Package constant_total = tiny_package();
    constant_total.constants.assign(limits::kConstantsBytesMax / limits::kBytesLengthMax + 1,
                                    std::string(limits::kBytesLengthMax, 'c'));
    rejects(constant_total, "constants total");

    vm::Package big_code = tiny_package();
    big_code.functions[0].code =
        std::string(limits::kFunctionCodeBytesMax, static_cast<char>(vm::Opcode::kNop)) +
        static_cast<char>(vm::Opcode::kRet);
    rejects(big_code, "code bytes, limit 32768");

    vm::Package total_code = tiny_package();
    total_code.functions[0].code =
        std::string(limits::kFunctionCodeBytesMax - 1, '\0') + static_cast<char>(vm::Opcode::kRet);
    for (std::size_t i = 1; i <= limits::kPackageCodeBytesMax / limits::kFunctionCodeBytesMax;
         ++i) {
        total_code.functions.push_back(total_code.functions[0]);
        total_code.functions.back().name = "f" + std::to_string(i);
    }
    rejects(total_code, "code totals");
}

TEST_CASE("vm verifier: accepts what the rules allow", "[vm][verifier]") {
    const char* accepted[] = {
        // Unreachable code is decoded but not stack-checked.
        ".func f returns=1\npush 1\nret\nadd\n",
        // Loops that keep the height.
        ".func f args=1\ntop:\nload 0\njz done\njmp top\ndone:\nret\n",
        // Exactly the deepest stack allowed, popped again: one literal in three pieces.
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
        ".func f\n"
        "PUSHES"
        "POPS"
        "ret\n",
        // Recursion and forward calls.
        ".func f args=1 returns=1\nload 0\ncall g\nret\n.func g args=1 returns=1\nload 0\nret\n",
        // Every slot.
        ".func f args=16 locals=48\nload 63\nstore 0\nret\n",
    };
    for (std::string source : accepted) {
        auto at = source.find("PUSHES");
        if (at != std::string::npos) {
            source.replace(at, 6, repeat("push 0", limits::kFrameStackMax));
            at = source.find("POPS");
            source.replace(at, 4, repeat("pop", limits::kFrameStackMax));
        }
        auto package = vm::assemble(source);
        REQUIRE(package.is_ok());
        auto verified = vm::verify_package(std::move(package).value());
        INFO(source.substr(0, 120) << "\n" << verified.status().to_string());
        CHECK(verified.is_ok());
    }
}

TEST_CASE("vm verifier: reports the maximum stack height", "[vm][verifier]") {
    auto package = vm::assemble(
        ".func f returns=1\npush 1\npush 2\npush 3\nadd\nadd\nret\n"
        ".func g\nret\n");
    REQUIRE(package.is_ok());
    auto verified = vm::verify_package(std::move(package).value());
    REQUIRE(verified.is_ok());
    CHECK(verified->max_stack(0) == 3);
    CHECK(verified->max_stack(1) == 0);
}

}  // namespace
