#include "tools/asm/asm_args.h"

#include "executor/vm/asm_lexer.h"

namespace remora::tools::asm_tool {
namespace {

using cli::ArgKind;
using common::Status;

const cli::PositionalSpec kInput{
    "IN", ArgKind::kPath,
    "assembly source when the name ends in .rasm, an encoded package otherwise"};

}  // namespace

common::Result<executor::vm::Value> parse_run_arg(const std::string& text) {
    using executor::vm::Value;
    auto bad = [&] {
        return cli::usage_error("--arg '" + text + "': use N, int:N, hex:HEX, 0xHEX or str:TEXT");
    };
    if (text.rfind("str:", 0) == 0) return Value::bytes(text.substr(4));
    if (text.rfind("hex:", 0) == 0 || text.rfind("0x", 0) == 0) {
        std::optional<common::Bytes> bytes = common::from_hex(text.substr(text[0] == 'h' ? 4 : 2));
        if (!bytes) return bad();
        return Value::bytes(std::move(*bytes));
    }
    std::string digits = text.rfind("int:", 0) == 0 ? text.substr(4) : text;
    std::optional<std::uint64_t> v = executor::vm::parse_uint(digits);
    if (!v) return bad();
    return Value::integer(*v);
}

common::Result<AsmArgs> asm_args(const cli::Invocation& invocation) {
    AsmArgs out;
    out.input = invocation.positionals.at(0);
    out.output = invocation.text_option("output");
    out.json = invocation.json;
    out.no_verify = invocation.has_option("no-verify");
    out.entry = invocation.text_option("entry").value_or("");
    if (std::optional<std::string> gas = invocation.text_option("gas")) {
        std::optional<std::uint64_t> parsed = executor::vm::parse_uint(*gas);
        if (!parsed) return cli::usage_error("--gas needs an unsigned integer, got '" + *gas + "'");
        out.gas = *parsed;
    }
    for (const std::string& text : invocation.option_values("arg")) {
        common::Result<executor::vm::Value> arg = parse_run_arg(text);
        if (!arg) return arg.status();
        out.args.push_back(std::move(arg).value());
    }
    return out;
}

const cli::ToolSpec& asm_tool() {
    static const cli::ToolSpec tool{
        .name = "remora-asm",
        .summary = "assemble, disassemble, verify and run VM packages",
        .exit_codes_help =
            "Exit codes:\n"
            "  0   ok\n"
            "  1   failure (I/O, or `run` aborted)\n"
            "  2   usage error (also an unknown `run` entry)\n"
            "  65  invalid input\n",
        .docs_page = "docs/vm.md (syntax and formats)",
    };
    return tool;
}

const cli::CommandSpec& assemble_spec() {
    static const cli::CommandSpec spec{
        .name = "assemble",
        .summary = "assemble a source into an encoded package",
        .details =
            "Assembles IN, verifies the package unless --no-verify, and writes it to OUT "
            "through a temporary file and a rename.",
        .positionals = {kInput},
        .options = {{"output", ArgKind::kPath, "OUT.pkg", "the package to write", true, "", 'o'},
                    {"no-verify", ArgKind::kFlag, "", "write the package without verifying it"}},
    };
    return spec;
}

const cli::CommandSpec& disassemble_spec() {
    static const cli::CommandSpec spec{
        .name = "disassemble",
        .summary = "print a package (or a source, assembled) as assembly",
        .details = "Prints IN as assembly source, or writes it to OUT.",
        .positionals = {kInput},
        .options = {{"output", ArgKind::kPath, "OUT.rasm", "the source to write", false, "", 'o'}},
    };
    return spec;
}

const cli::CommandSpec& verify_spec() {
    static const cli::CommandSpec spec{
        .name = "verify",
        .summary = "verify a package: its functions, stack heights and constants",
        .details = "Loads IN and runs the VM's verifier; lists every function.",
        .positionals = {kInput},
    };
    return spec;
}

const cli::CommandSpec& run_spec() {
    static const cli::CommandSpec spec{
        .name = "run",
        .summary = "run one function on a host without state",
        .details =
            "Runs the function NAME of IN with the arguments given. The host has no state: object "
            "and "
            "child calls fail (host_error 6); precompiles and events work. Run arguments: "
            "N or int:N (integer), hex:HEX or 0xHEX (bytes), str:TEXT (bytes). Exit 1 "
            "when the program aborts.",
        .positionals = {kInput},
        .options = {{"entry", ArgKind::kText, "NAME", "the function to run", true},
                    {"arg", ArgKind::kText, "VALUE", "one argument", false, "", 0, true},
                    {"gas", ArgKind::kText, "N", "the gas limit", false,
                     std::to_string(kGasDefault)}},
    };
    return spec;
}

}  // namespace remora::tools::asm_tool
