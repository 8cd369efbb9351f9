#include "executor/vm/assembler.h"

#include <map>
#include <string>
#include <vector>

#include "executor/vm/asm_lexer.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/limits.h"
#include "executor/vm/opcode.h"

namespace remora::executor::vm {
namespace {

using common::Status;

// A reference resolved later: a label (end of its function) or a function (end of the source).
struct Fixup {
    std::size_t function = 0;
    std::uint32_t immediate_offset = 0;  // where the 16-bit immediate starts in the code
    std::string name;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

class Assembler {
public:
    common::Result<Package> run(std::string_view source);

private:
    Status line(const std::vector<Token>& tokens, std::uint32_t line);
    Status directive(const std::vector<Token>& tokens, std::size_t first, std::uint32_t line);
    Status directive_const(const std::vector<Token>& tokens, std::uint32_t line);
    Status directive_func(const std::vector<Token>& tokens, std::uint32_t line);
    Status func_attribute(const Token& token, Function& f, std::string& seen, std::uint32_t line);
    Status directive_raw(const std::vector<Token>& tokens, std::size_t first, std::uint32_t line);
    Status instruction(const std::vector<Token>& tokens, std::size_t first, std::uint32_t line);
    common::Result<std::uint64_t> operand(const OpInfo& op, const Token& token, std::uint32_t line);
    common::Result<std::uint64_t> constant_operand(const Token& token, std::uint32_t line);
    common::Result<std::uint16_t> add_constant(common::Bytes bytes, bool intern, std::uint32_t line,
                                               std::uint32_t column);
    Status append(const common::Bytes& bytes, std::uint32_t line, std::uint32_t column);
    Status finish_function();
    Status resolve_calls();

    Function& current() { return m_package.functions.back(); }
    static void patch16(common::Bytes& code, std::uint32_t at, std::uint64_t value) {
        code[at] = static_cast<char>(value >> 8);
        code[at + 1] = static_cast<char>(value);
    }

    Package m_package;
    std::map<std::string, std::uint16_t> m_constant_names;
    bool m_in_function = false;
    std::map<std::string, std::uint32_t> m_labels;  // of the current function
    std::vector<Fixup> m_label_fixups;              // of the current function
    std::vector<Fixup> m_call_fixups;
};

common::Result<Package> Assembler::run(std::string_view source) {
    if (source.size() > limits::kAssemblySourceBytesMax) {
        return asm_error(1, 1,
                         "source is " + std::to_string(source.size()) + " bytes, limit " +
                             std::to_string(limits::kAssemblySourceBytesMax));
    }
    std::uint32_t line_number = 0;
    std::size_t start = 0;
    while (start <= source.size()) {
        std::size_t end = source.find('\n', start);
        if (end == std::string_view::npos) end = source.size();
        ++line_number;
        common::Result<std::vector<Token>> tokens =
            tokenize_line(source.substr(start, end - start), line_number);
        if (!tokens) return tokens.status();
        REMORA_RETURN_IF_ERROR(line(*tokens, line_number));
        start = end + 1;
    }
    REMORA_RETURN_IF_ERROR(finish_function());
    REMORA_RETURN_IF_ERROR(resolve_calls());
    return std::move(m_package);
}

Status Assembler::line(const std::vector<Token>& tokens, std::uint32_t line) {
    if (tokens.empty()) return Status::ok();
    std::size_t first = 0;
    const Token& head = tokens[0];
    if (head.kind == Token::Kind::kWord && head.text.size() > 1 && head.text.back() == ':') {
        std::string name = head.text.substr(0, head.text.size() - 1);
        if (!m_in_function) return asm_error(line, head.column, "label outside a .func");
        if (!is_identifier(name))
            return asm_error(line, head.column, "invalid label '" + name + "'");
        if (!m_labels.emplace(name, static_cast<std::uint32_t>(current().code.size())).second) {
            return asm_error(line, head.column, "duplicate label '" + name + "'");
        }
        first = 1;
    }
    if (first == tokens.size()) return Status::ok();
    const Token& t = tokens[first];
    if (t.kind == Token::Kind::kString) {
        return asm_error(line, t.column, "expected a mnemonic or a directive");
    }
    if (t.text[0] == '.') return directive(tokens, first, line);
    return instruction(tokens, first, line);
}

Status Assembler::directive(const std::vector<Token>& tokens, std::size_t first,
                            std::uint32_t line) {
    const Token& t = tokens[first];
    if (t.text == ".raw") return directive_raw(tokens, first, line);
    if (first != 0) return asm_error(line, t.column, "a label cannot precede " + t.text);
    if (t.text == ".const") return directive_const(tokens, line);
    if (t.text == ".func") return directive_func(tokens, line);
    return asm_error(line, t.column, "unknown directive '" + t.text + "'");
}

Status Assembler::directive_const(const std::vector<Token>& tokens, std::uint32_t line) {
    if (tokens.size() != 3) {
        return asm_error(line, tokens[0].column, ".const needs a name and a literal");
    }
    const Token& name = tokens[1];
    const Token& literal = tokens[2];
    if (name.kind != Token::Kind::kWord || !is_identifier(name.text)) {
        return asm_error(line, name.column, "invalid constant name");
    }
    if (m_constant_names.count(name.text) != 0) {
        return asm_error(line, name.column, "duplicate constant '" + name.text + "'");
    }
    common::Bytes bytes;
    if (literal.kind == Token::Kind::kString) {
        bytes = literal.text;
    } else if (auto hex = parse_hex_bytes(literal.text)) {
        bytes = std::move(*hex);
    } else {
        return asm_error(line, literal.column, "expected a string or 0x hex bytes literal");
    }
    common::Result<std::uint16_t> index =
        add_constant(std::move(bytes), false, line, literal.column);
    if (!index) return index.status();
    m_constant_names.emplace(name.text, *index);
    return Status::ok();
}

Status Assembler::directive_func(const std::vector<Token>& tokens, std::uint32_t line) {
    REMORA_RETURN_IF_ERROR(finish_function());
    if (tokens.size() < 2 || tokens[1].kind != Token::Kind::kWord ||
        !is_valid_function_name(tokens[1].text)) {
        std::uint32_t column = tokens.size() < 2 ? tokens[0].column : tokens[1].column;
        return asm_error(line, column, ".func needs a valid function name");
    }
    if (m_package.find_function(tokens[1].text)) {
        return asm_error(line, tokens[1].column, "duplicate function '" + tokens[1].text + "'");
    }
    if (m_package.functions.size() >= limits::kFunctionsMax) {
        return asm_error(line, tokens[0].column,
                         "more than " + std::to_string(limits::kFunctionsMax) + " functions");
    }
    Function f;
    f.name = tokens[1].text;
    std::string seen;
    for (std::size_t i = 2; i < tokens.size(); ++i) {
        REMORA_RETURN_IF_ERROR(func_attribute(tokens[i], f, seen, line));
    }
    m_package.functions.push_back(std::move(f));
    m_in_function = true;
    return Status::ok();
}

Status Assembler::func_attribute(const Token& token, Function& f, std::string& seen,
                                 std::uint32_t line) {
    std::size_t eq = token.text.find('=');
    if (token.kind != Token::Kind::kWord || eq == std::string::npos) {
        return asm_error(line, token.column, "expected args=N, locals=N or returns=N");
    }
    std::string key = token.text.substr(0, eq);
    std::optional<std::uint64_t> value = parse_uint(std::string_view(token.text).substr(eq + 1));
    if (!value || *value > 0xFF) {
        return asm_error(line, token.column, "'" + key + "' needs an integer 0..255");
    }
    char tag = 0;
    if (key == "args") {
        f.arg_count = static_cast<std::uint8_t>(*value);
        tag = 'a';
    } else if (key == "locals") {
        f.local_count = static_cast<std::uint8_t>(*value);
        tag = 'l';
    } else if (key == "returns") {
        f.return_count = static_cast<std::uint8_t>(*value);
        tag = 'r';
    } else {
        return asm_error(line, token.column, "unknown attribute '" + key + "'");
    }
    if (seen.find(tag) != std::string::npos) {
        return asm_error(line, token.column, "duplicate attribute '" + key + "'");
    }
    seen.push_back(tag);
    return Status::ok();
}

Status Assembler::directive_raw(const std::vector<Token>& tokens, std::size_t first,
                                std::uint32_t line) {
    if (!m_in_function) return asm_error(line, tokens[first].column, ".raw outside a .func");
    if (first + 1 == tokens.size())
        return asm_error(line, tokens[first].column, ".raw needs bytes");
    for (std::size_t i = first + 1; i < tokens.size(); ++i) {
        std::optional<common::Bytes> bytes =
            tokens[i].kind == Token::Kind::kWord ? parse_hex_bytes(tokens[i].text) : std::nullopt;
        if (!bytes) return asm_error(line, tokens[i].column, "expected 0x hex bytes");
        REMORA_RETURN_IF_ERROR(append(*bytes, line, tokens[i].column));
    }
    return Status::ok();
}

Status Assembler::instruction(const std::vector<Token>& tokens, std::size_t first,
                              std::uint32_t line) {
    const Token& mnemonic = tokens[first];
    const OpInfo* op = op_by_mnemonic(mnemonic.text);
    if (op == nullptr)
        return asm_error(line, mnemonic.column, "unknown mnemonic '" + mnemonic.text + "'");
    if (!m_in_function) return asm_error(line, mnemonic.column, "instruction outside a .func");
    std::size_t operands = op->operand == Operand::kNone ? 0 : 1;
    if (tokens.size() - first - 1 < operands) {
        return asm_error(line, mnemonic.column, "'" + mnemonic.text + "' needs an operand");
    }
    if (tokens.size() - first - 1 > operands) {
        const Token& extra = tokens[first + 1 + operands];
        return asm_error(line, extra.column, "unexpected operand after '" + mnemonic.text + "'");
    }
    std::uint64_t immediate = 0;
    if (operands == 1) {
        common::Result<std::uint64_t> value = operand(*op, tokens[first + 1], line);
        if (!value) return value.status();
        immediate = *value;
    }
    common::Bytes bytes;
    encode_instruction(bytes, op->opcode, immediate);
    return append(bytes, line, mnemonic.column);
}

common::Result<std::uint64_t> Assembler::operand(const OpInfo& op, const Token& token,
                                                 std::uint32_t line) {
    if (op.operand == Operand::kConstant) return constant_operand(token, line);
    if (token.kind != Token::Kind::kWord) {
        return asm_error(line, token.column, "a string is not a valid operand here");
    }
    const std::string& text = token.text;
    const std::uint64_t max = operand_width(op.operand) == 8
                                  ? UINT64_MAX
                                  : (std::uint64_t{1} << (8 * operand_width(op.operand))) - 1;
    auto number = [&](std::string_view digits) -> common::Result<std::uint64_t> {
        std::optional<std::uint64_t> v = parse_uint(digits);
        if (!v || *v > max) {
            return asm_error(line, token.column, "expected an integer 0.." + std::to_string(max));
        }
        return *v;
    };
    Fixup fixup{m_package.functions.size() - 1,
                static_cast<std::uint32_t>(current().code.size() + 1), text, line, token.column};
    switch (op.operand) {
        case Operand::kTarget:
            if (text[0] == '@') return number(std::string_view(text).substr(1));
            if (!is_identifier(text)) return asm_error(line, token.column, "expected a label");
            m_label_fixups.push_back(std::move(fixup));
            return std::uint64_t{0};
        case Operand::kFunction:
            if (text[0] == '#') return number(std::string_view(text).substr(1));
            if (!is_identifier(text)) {
                return asm_error(line, token.column, "expected a function name");
            }
            m_call_fixups.push_back(std::move(fixup));
            return std::uint64_t{0};
        case Operand::kHost:
            if (const HostSignature* sig = host_signature_by_name(text)) {
                return static_cast<std::uint64_t>(sig->function);
            }
            if (is_identifier(text)) {
                return asm_error(line, token.column, "unknown host function '" + text + "'");
            }
            return number(text);
        default:
            return number(text);
    }
}

common::Result<std::uint64_t> Assembler::constant_operand(const Token& token, std::uint32_t line) {
    if (token.kind == Token::Kind::kString) {
        common::Result<std::uint16_t> index = add_constant(token.text, true, line, token.column);
        if (!index) return index.status();
        return std::uint64_t{*index};
    }
    const std::string& text = token.text;
    if (text[0] == '#') {
        std::optional<std::uint64_t> v = parse_uint(std::string_view(text).substr(1));
        if (!v || *v > 0xFFFF) return asm_error(line, token.column, "expected #0..65535");
        return *v;
    }
    if (std::optional<common::Bytes> hex = parse_hex_bytes(text)) {
        common::Result<std::uint16_t> index =
            add_constant(std::move(*hex), true, line, token.column);
        if (!index) return index.status();
        return std::uint64_t{*index};
    }
    auto named = m_constant_names.find(text);
    if (named == m_constant_names.end()) {
        return asm_error(line, token.column,
                         "unknown constant '" + text + "' (declare it with .const before use)");
    }
    return std::uint64_t{named->second};
}

common::Result<std::uint16_t> Assembler::add_constant(common::Bytes bytes, bool intern,
                                                      std::uint32_t line, std::uint32_t column) {
    if (bytes.size() > limits::kBytesLengthMax) {
        return asm_error(line, column,
                         "constant of " + std::to_string(bytes.size()) + " bytes, limit " +
                             std::to_string(limits::kBytesLengthMax));
    }
    std::vector<common::Bytes>& pool = m_package.constants;
    if (intern) {
        for (std::size_t i = 0; i < pool.size(); ++i) {
            if (pool[i] == bytes) return static_cast<std::uint16_t>(i);
        }
    }
    if (pool.size() >= limits::kConstantsMax) {
        return asm_error(line, column,
                         "more than " + std::to_string(limits::kConstantsMax) + " constants");
    }
    pool.push_back(std::move(bytes));
    return static_cast<std::uint16_t>(pool.size() - 1);
}

Status Assembler::append(const common::Bytes& bytes, std::uint32_t line, std::uint32_t column) {
    if (current().code.size() + bytes.size() > limits::kFunctionCodeBytesMax) {
        return asm_error(
            line, column,
            "function code passes " + std::to_string(limits::kFunctionCodeBytesMax) + " bytes");
    }
    current().code += bytes;
    return Status::ok();
}

Status Assembler::finish_function() {
    if (!m_in_function) return Status::ok();
    for (const Fixup& fixup : m_label_fixups) {
        auto label = m_labels.find(fixup.name);
        if (label == m_labels.end()) {
            return asm_error(fixup.line, fixup.column, "unknown label '" + fixup.name + "'");
        }
        patch16(current().code, fixup.immediate_offset, label->second);
    }
    m_labels.clear();
    m_label_fixups.clear();
    m_in_function = false;
    return Status::ok();
}

Status Assembler::resolve_calls() {
    for (const Fixup& fixup : m_call_fixups) {
        std::optional<std::uint16_t> index = m_package.find_function(fixup.name);
        if (!index) {
            return asm_error(fixup.line, fixup.column, "unknown function '" + fixup.name + "'");
        }
        patch16(m_package.functions[fixup.function].code, fixup.immediate_offset, *index);
    }
    return Status::ok();
}

}  // namespace

common::Result<Package> assemble(std::string_view source) { return Assembler().run(source); }

}  // namespace remora::executor::vm
