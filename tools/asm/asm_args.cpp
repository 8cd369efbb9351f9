#include "tools/asm/asm_args.h"

#include <map>
#include <set>

#include "executor/vm/asm_lexer.h"

namespace remora::tools::asm_tool {
namespace {

using common::Code;
using common::Status;

Status usage(const std::string& message) { return Status(Code::kInvalidArgument, message); }

const std::map<std::string, CommandKind> kCommands = {
    {"assemble", CommandKind::kAssemble},
    {"disassemble", CommandKind::kDisassemble},
    {"verify", CommandKind::kVerify},
    {"run", CommandKind::kRun},
};

// Options that take a value, and which commands accept each option.
bool takes_value(const std::string& name) {
    return name == "o" || name == "output" || name == "entry" || name == "arg" || name == "gas";
}

bool allowed(CommandKind command, const std::string& name) {
    if (name == "json" || name == "help") return true;
    switch (command) {
        case CommandKind::kAssemble:
            return name == "o" || name == "output" || name == "no-verify";
        case CommandKind::kDisassemble:
            return name == "o" || name == "output";
        case CommandKind::kRun:
            return name == "entry" || name == "arg" || name == "gas";
        default:
            return false;
    }
}

Status apply_option(Invocation& out, const std::string& name, const std::string& value) {
    if (name == "o" || name == "output") {
        out.output = value;
    } else if (name == "no-verify") {
        out.no_verify = true;
    } else if (name == "entry") {
        out.entry = value;
    } else if (name == "gas") {
        std::optional<std::uint64_t> gas = executor::vm::parse_uint(value);
        if (!gas) return usage("--gas needs an unsigned integer, got '" + value + "'");
        out.gas = *gas;
    } else if (name == "arg") {
        common::Result<executor::vm::Value> arg = parse_run_arg(value);
        if (!arg) return arg.status();
        out.args.push_back(std::move(arg).value());
    }
    return Status::ok();
}

}  // namespace

common::Result<executor::vm::Value> parse_run_arg(const std::string& text) {
    using executor::vm::Value;
    auto bad = [&] {
        return usage("--arg '" + text + "': use N, int:N, hex:HEX, 0xHEX or str:TEXT");
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

Status parse_invocation(std::span<const std::string> args, Invocation& out) {
    std::vector<std::string> positionals;
    std::vector<std::pair<std::string, std::string>> options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() < 2 || a[0] != '-') {
            positionals.push_back(a);
            continue;
        }
        std::string name = a.substr(a[1] == '-' ? 2 : 1);
        std::string value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        if (name == "h") name = "help";
        if (name == "json") out.json = true;
        if (takes_value(name) && !has_value) {
            if (i + 1 >= args.size()) return usage("option " + a + " needs a value");
            value = args[++i];
        }
        options.emplace_back(name, value);
    }
    for (const auto& [name, value] : options) {
        if (name == "help") {
            out.command = CommandKind::kHelp;
            return Status::ok();
        }
    }
    if (positionals.empty()) return usage("no command (assemble, disassemble, verify or run)");
    auto command = kCommands.find(positionals[0]);
    if (command == kCommands.end()) return usage("unknown command '" + positionals[0] + "'");
    out.command = command->second;
    if (positionals.size() != 2) return usage(positionals[0] + " needs exactly one input file");
    out.input = positionals[1];
    std::set<std::string> seen;
    for (const auto& [name, value] : options) {
        if (!allowed(out.command, name)) {
            return usage("option '" + name + "' does not apply to " + positionals[0]);
        }
        // A value given twice is a mistake, not "the last one wins"; --arg is a list.
        if (takes_value(name) && name != "arg" &&
            !seen.insert(name == "o" ? "output" : name).second) {
            return usage("option '" + name + "' given twice");
        }
        REMORA_RETURN_IF_ERROR(apply_option(out, name, value));
    }
    if (out.command == CommandKind::kAssemble && !out.output) {
        return usage("assemble needs -o OUT.pkg");
    }
    if (out.command == CommandKind::kRun && out.entry.empty()) {
        return usage("run needs --entry NAME");
    }
    return Status::ok();
}

const char* usage_text() {
    return "usage:\n"
           "  remora-asm assemble IN.rasm -o OUT.pkg [--no-verify] [--json]\n"
           "  remora-asm disassemble IN [-o OUT.rasm] [--json]\n"
           "  remora-asm verify IN [--json]\n"
           "  remora-asm run IN --entry NAME [--arg VALUE]... [--gas N] [--json]\n"
           "\n"
           "IN is assembly source when its name ends in .rasm, an encoded package otherwise.\n"
           "Run arguments: N or int:N (integer), hex:HEX or 0xHEX (bytes), str:TEXT (bytes).\n"
           "`run` uses a host without state: object and child calls fail (host_error 6),\n"
           "precompiles and events work.\n"
           "An option given twice is a usage error, except --arg (a list).\n"
           "Exit codes: 0 ok, 1 failure (I/O, or `run` aborted), 2 usage (also an unknown\n"
           "`run` entry), 65 invalid input.\n"
           "Syntax and formats: docs/vm.md.\n";
}

}  // namespace remora::tools::asm_tool
