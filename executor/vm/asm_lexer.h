#pragma once
// Tokens and literals of the assembly language (docs/vm.md, "Assembler syntax"), shared by
// the assembler and the disassembler so that what one prints the other reads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::executor::vm {

struct Token {
    enum class Kind : std::uint8_t { kWord, kString };
    Kind kind = Kind::kWord;
    std::string text;          // the word as written, or the decoded bytes of a string literal
    std::uint32_t column = 0;  // 1-based
};

// Splits one line into tokens: words are runs of characters other than blanks, '"' and ';';
// a string literal is "..." with escapes \\ \" \n \t \r \0 \xHH; ';' outside a string starts
// a comment. Errors read "LINE:COL: message".
common::Result<std::vector<Token>> tokenize_line(std::string_view line, std::uint32_t line_number);

// Decimal or 0x-hexadecimal unsigned integer that fits 64 bits; nullopt otherwise.
std::optional<std::uint64_t> parse_uint(std::string_view text);
// "0x" followed by a non-zero, even number of hex digits; nullopt otherwise.
std::optional<common::Bytes> parse_hex_bytes(std::string_view text);
// [A-Za-z_][A-Za-z0-9_]*
bool is_identifier(std::string_view text);

// A byte string as a literal the lexer reads back to the same bytes: "..." when every byte is
// printable ASCII (and for the empty string), 0x<hex> otherwise.
std::string bytes_literal(common::ByteView bytes);

// "LINE:COL: message" as a kInvalidArgument Status.
common::Status asm_error(std::uint32_t line, std::uint32_t column, const std::string& message);

}  // namespace remora::executor::vm
