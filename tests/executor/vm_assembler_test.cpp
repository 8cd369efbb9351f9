// The assembler's errors (with line and column) and the disassembler round trip.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "executor/vm/assembler.h"
#include "executor/vm/disassembler.h"
#include "executor/vm/opcode.h"
#include "executor/vm/package_codec.h"
#include "executor/vm/verifier.h"
#include "tests/executor/vm_support.h"

namespace {

namespace vm = remora::executor::vm;
using remora::common::Code;

struct AsmError {
    std::string source;
    std::string message;  // the full "LINE:COL: ..." prefix, or a substring of the message
};

TEST_CASE("assembler: errors name the line and column", "[vm][asm]") {
    const std::string f = ".func f\n";
    const std::vector<AsmError> cases = {
        {"foo\n", "1:1: unknown mnemonic 'foo'"},
        {"push 1\n", "1:1: instruction outside a .func"},
        {f + "  push\n", "2:3: 'push' needs an operand"},
        {f + "push 1 2\n", "2:8: unexpected operand after 'push'"},
        {f + "add 1\n", "2:5: unexpected operand after 'add'"},
        {f + "push 18446744073709551616\n", "2:6: expected an integer 0..18446744073709551615"},
        {f + "push -1\n", "2:6: expected an integer"},
        {f + "load 256\n", "2:6: expected an integer 0..255"},
        {f + "pick x\n", "2:6: expected an integer"},
        {f + "jmp nowhere\nret\n", "2:5: unknown label 'nowhere'"},
        {f + "jmp @65536\n", "2:5: expected an integer 0..65535"},
        {f + "a:\na:\n", "3:1: duplicate label 'a'"},
        {f + "1a:\n", "2:1: invalid label '1a'"},
        {"x:\n", "1:1: label outside a .func"},
        {f + "call missing\n", "2:6: unknown function 'missing'"},
        {f + "pushc nothing\n", "2:7: unknown constant 'nothing'"},
        {f + "pushc #70000\n", "2:7: expected #0..65535"},
        {f + "pushc \"open\n", "2:7: unterminated string"},
        {f + "pushc \"a\\qb\"\n", "2:9: unknown escape \\q"},
        {f + "pushc \"\\x4\"\n", "2:8: \\x needs two hex digits"},
        {f + "push \"str\"\n", "2:6: a string is not a valid operand here"},
        {f + "host frobnicate\n", "2:6: unknown host function 'frobnicate'"},
        {f + "host 256\n", "2:6: expected an integer 0..255"},
        {f + ".raw zz\n", "2:6: expected 0x hex bytes"},
        {f + ".raw\n", "2:1: .raw needs bytes"},
        {".raw 0x00\n", "1:1: .raw outside a .func"},
        {f + ".bogus\n", "2:1: unknown directive '.bogus'"},
        {".func\n", "1:1: .func needs a valid function name"},
        {".func 9lives\n", "1:7: .func needs a valid function name"},
        {".func f args=x\n", "1:9: 'args' needs an integer 0..255"},
        {".func f args=300\n", "1:9: 'args' needs an integer 0..255"},
        {".func f color=1\n", "1:9: unknown attribute 'color'"},
        {".func f args=1 args=2\n", "1:16: duplicate attribute 'args'"},
        {".func f bare\n", "1:9: expected args=N, locals=N or returns=N"},
        {f + ".func f\n", "2:7: duplicate function 'f'"},
        {".const\n", "1:1: .const needs a name and a literal"},
        {".const 1x \"a\"\n", "1:8: invalid constant name"},
        {".const k 12\n", "1:10: expected a string or 0x hex bytes literal"},
        {".const k 0x1\n", "1:10: expected a string or 0x hex bytes literal"},
        {".const k \"a\"\n.const k \"b\"\n", "2:8: duplicate constant 'k'"},
        {f + "l: .const k \"a\"\n", "2:4: a label cannot precede .const"},
        {f + "\"lonely\"\n", "2:1: expected a mnemonic or a directive"},
        {"; fine\n\n" + f + "ret ; comment\n  nop nop\n", "5:7: unexpected operand after 'nop'"},
    };
    for (const AsmError& c : cases) {
        auto result = vm::assemble(c.source);
        INFO("source:\n" << c.source);
        REQUIRE_FALSE(result.is_ok());
        CHECK(result.status().code() == Code::kInvalidArgument);
        CHECK_THAT(result.status().message(), Catch::StartsWith(c.message));
    }
}

TEST_CASE("assembler: encodings, constants and references", "[vm][asm]") {
    auto package = vm::assemble(
        ".const greeting \"hi\"\n"
        ".const dup_of_greeting \"hi\"\n"
        ".func main returns=1\n"
        "  pushc greeting      ; #0\n"
        "  pushc \"hi\"          ; interned: #0\n"
        "  pushc 0x00ff        ; new: #2\n"
        "  pushc #1\n"
        "  pop\n  pop\n  pop\n"
        "  call helper\n"
        "  jmp end\n"
        "end: ret\n"
        ".func helper\n  host sha256\n  ret\n");
    INFO(package.status().to_string());
    REQUIRE(package.is_ok());
    CHECK(package->constants == std::vector<std::string>{"hi", "hi", std::string("\0\xff", 2)});
    const std::string& code = package->functions[0].code;
    std::string expected;
    vm::encode_instruction(expected, vm::Opcode::kPushConst, 0);
    vm::encode_instruction(expected, vm::Opcode::kPushConst, 0);
    vm::encode_instruction(expected, vm::Opcode::kPushConst, 2);
    vm::encode_instruction(expected, vm::Opcode::kPushConst, 1);
    vm::encode_instruction(expected, vm::Opcode::kPop);
    vm::encode_instruction(expected, vm::Opcode::kPop);
    vm::encode_instruction(expected, vm::Opcode::kPop);
    vm::encode_instruction(expected, vm::Opcode::kCall, 1);
    vm::encode_instruction(expected, vm::Opcode::kJmp, 21);
    vm::encode_instruction(expected, vm::Opcode::kRet);
    CHECK(code == expected);
    CHECK(package->functions[1].code == std::string("\x48\x21\x31", 3));
}

void check_round_trip(const vm::Package& package) {
    std::string text = vm::disassemble(package);
    auto again = vm::assemble(text);
    INFO(text);
    INFO(again.status().to_string());
    REQUIRE(again.is_ok());
    CHECK(*again == package);
    CHECK(vm::encode_package(*again) == vm::encode_package(package));
}

TEST_CASE("disassembler: round trip of every program in executor/programs", "[vm][asm]") {
    // All committed sources, examples included, in a fixed order.
    std::vector<std::string> names;
    const std::filesystem::path root = std::string(REMORA_SOURCE_DIR) + "/executor/programs";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().extension() == ".rasm") {
            names.push_back(std::filesystem::relative(entry.path(), root).string());
        }
    }
    std::sort(names.begin(), names.end());
    REQUIRE(names.size() >= 4);
    for (const std::string& name : names) {
        INFO(name);
        auto package = vm::assemble(remora::testing::read_program(name));
        INFO(package.status().to_string());
        REQUIRE(package.is_ok());
        CHECK(vm::verify_package(*package).is_ok());
        check_round_trip(*package);
    }
}

TEST_CASE("disassembler: round trip of code that does not verify", "[vm][asm]") {
    vm::Package p;
    p.constants = {"", "quote\" and \\", std::string("\x00\x01\xfe", 3), "plain text"};
    vm::Function f;
    f.name = "odd";
    f.arg_count = 2;
    f.local_count = 3;
    f.return_count = 1;
    // unknown opcode, jump into an instruction, out-of-range references, truncated tail
    f.code = std::string("\xff\x07", 2);
    vm::encode_instruction(f.code, vm::Opcode::kPush, 0x0102030405060708ULL);
    vm::encode_instruction(f.code, vm::Opcode::kJmp, 3);
    vm::encode_instruction(f.code, vm::Opcode::kJz, 0);
    vm::encode_instruction(f.code, vm::Opcode::kJnz, 2);
    vm::encode_instruction(f.code, vm::Opcode::kPushConst, 77);
    vm::encode_instruction(f.code, vm::Opcode::kCall, 9);
    vm::encode_instruction(f.code, vm::Opcode::kHost, 0xEE);
    vm::encode_instruction(f.code, vm::Opcode::kPick, 5);
    f.code += std::string("\x01\x00\x00", 3);
    p.functions.push_back(f);
    check_round_trip(p);
}

TEST_CASE("disassembler: output format", "[vm][asm]") {
    auto package = vm::assemble(
        ".const k 0x00ff\n.func main args=1 returns=1\nload 0\njz zero\npushc k\nret\n"
        "zero:\npushc \"z\"\nret\n");
    REQUIRE(package.is_ok());
    CHECK(vm::disassemble(*package) ==
          "; remora VM package: 2 constants, 1 functions\n"
          ".const c0 0x00ff\n"
          ".const c1 \"z\"\n"
          "\n"
          ".func main args=1 locals=0 returns=1\n"
          "    load 0                       ; 0\n"
          "    jz L9                        ; 2\n"
          "    pushc c0                     ; 5\n"
          "    ret                          ; 8\n"
          "L9:\n"
          "    pushc c1                     ; 9\n"
          "    ret                          ; 12\n");
}

}  // namespace
