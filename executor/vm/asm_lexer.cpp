#include "executor/vm/asm_lexer.h"

namespace remora::executor::vm {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads the string literal starting at line[i] == '"'; advances i past the closing quote.
common::Result<std::string> read_string(std::string_view line, std::size_t& i,
                                        std::uint32_t line_number) {
    const auto start_column = static_cast<std::uint32_t>(i + 1);
    std::string out;
    ++i;
    while (i < line.size() && line[i] != '"') {
        char c = line[i];
        if (c != '\\') {
            out.push_back(c);
            ++i;
            continue;
        }
        const auto column = static_cast<std::uint32_t>(i + 1);
        if (i + 1 >= line.size()) return asm_error(line_number, column, "unfinished escape");
        char e = line[i + 1];
        i += 2;
        switch (e) {
            case '\\':
                out.push_back('\\');
                break;
            case '"':
                out.push_back('"');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case '0':
                out.push_back('\0');
                break;
            case 'x': {
                int hi = i < line.size() ? hex_digit(line[i]) : -1;
                int lo = i + 1 < line.size() ? hex_digit(line[i + 1]) : -1;
                if (hi < 0 || lo < 0) {
                    return asm_error(line_number, column, "\\x needs two hex digits");
                }
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                break;
            }
            default:
                return asm_error(line_number, column, std::string("unknown escape \\") + e);
        }
    }
    if (i >= line.size()) return asm_error(line_number, start_column, "unterminated string");
    ++i;  // closing quote
    return out;
}

}  // namespace

common::Status asm_error(std::uint32_t line, std::uint32_t column, const std::string& message) {
    return common::Status(common::Code::kInvalidArgument,
                          std::to_string(line) + ":" + std::to_string(column) + ": " + message);
}

common::Result<std::vector<Token>> tokenize_line(std::string_view line, std::uint32_t line_number) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        if (is_blank(c)) {
            ++i;
        } else if (c == ';') {
            break;
        } else if (c == '"') {
            Token token{Token::Kind::kString, {}, static_cast<std::uint32_t>(i + 1)};
            common::Result<std::string> text = read_string(line, i, line_number);
            if (!text) return text.status();
            token.text = std::move(text).value();
            tokens.push_back(std::move(token));
        } else {
            std::size_t start = i;
            while (i < line.size() && !is_blank(line[i]) && line[i] != ';' && line[i] != '"') ++i;
            tokens.push_back(Token{Token::Kind::kWord, std::string(line.substr(start, i - start)),
                                   static_cast<std::uint32_t>(start + 1)});
        }
    }
    return tokens;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    std::uint64_t value = 0;
    for (char c : text) {
        int d = hex_digit(c);
        if (d < 0 || static_cast<std::uint64_t>(d) >= base) return std::nullopt;
        if (value > (UINT64_MAX - static_cast<std::uint64_t>(d)) / base) return std::nullopt;
        value = value * base + static_cast<std::uint64_t>(d);
    }
    return value;
}

std::optional<common::Bytes> parse_hex_bytes(std::string_view text) {
    if (text.size() < 4 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
        return std::nullopt;
    }
    return common::from_hex(text.substr(2));
}

bool is_identifier(std::string_view text) {
    if (text.empty() || (text[0] >= '0' && text[0] <= '9')) return false;
    for (char c : text) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string bytes_literal(common::ByteView bytes) {
    bool printable = true;
    for (char c : bytes) {
        if (c < 0x20 || c > 0x7e) printable = false;
    }
    if (!printable) return "0x" + common::to_hex(bytes);
    std::string out = "\"";
    for (char c : bytes) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace remora::executor::vm
