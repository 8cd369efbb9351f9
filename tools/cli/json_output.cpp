#include "tools/cli/json_output.h"

#include <cstdio>

namespace remora::tools {

std::string dump_json(const nlohmann::json& json) {
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dump_json(const nlohmann::ordered_json& json) {
    return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

void put_line(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

}  // namespace

void print_json(const nlohmann::json& json) { put_line(dump_json(json)); }
void print_json(const nlohmann::ordered_json& json) { put_line(dump_json(json)); }

nlohmann::ordered_json error_json(const std::string& message, int exit_code,
                                  std::string_view status_name) {
    return {{"error", message}, {"code", exit_code}, {"status", std::string(status_name)}};
}

nlohmann::ordered_json error_json(const common::Status& status, int exit_code) {
    return error_json(status.message(), exit_code, common::code_name(status.code()));
}

namespace {

// Length of the valid UTF-8 sequence of two or more bytes at the start of `text`, 0 when there is
// none (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence_bytes(std::string_view text) {
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto continuation = [&](std::size_t i, unsigned char low, unsigned char high) {
        return i < text.size() && at(i) >= low && at(i) <= high;
    };
    unsigned char lead = at(0);
    if (lead >= 0xc2 && lead <= 0xdf) return continuation(1, 0x80, 0xbf) ? 2 : 0;
    if (lead >= 0xe0 && lead <= 0xef) {
        unsigned char low = lead == 0xe0 ? 0xa0 : 0x80;
        unsigned char high = lead == 0xed ? 0x9f : 0xbf;
        return continuation(1, low, high) && continuation(2, 0x80, 0xbf) ? 3 : 0;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        unsigned char low = lead == 0xf0 ? 0x90 : 0x80;
        unsigned char high = lead == 0xf4 ? 0x8f : 0xbf;
        return continuation(1, low, high) && continuation(2, 0x80, 0xbf) &&
                       continuation(3, 0x80, 0xbf)
                   ? 4
                   : 0;
    }
    return 0;
}

}  // namespace

std::string printable(std::string_view text, bool keep_newlines) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto byte = static_cast<unsigned char>(text[i]);
        if ((byte >= 0x20 && byte < 0x7f) || (keep_newlines && (byte == '\n' || byte == '\t'))) {
            out += text[i++];
            continue;
        }
        std::size_t n = byte >= 0x80 ? utf8_sequence_bytes(text.substr(i)) : 0;
        bool c1_control = n == 2 && byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
        if (n != 0 && !c1_control) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        out += "\\x";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
        ++i;
    }
    return out;
}

std::string excerpt(std::string_view text, std::size_t shown_bytes_max) {
    if (text.size() <= shown_bytes_max) return printable(text);
    // Cut before a UTF-8 continuation byte would split a character.
    std::size_t cut = shown_bytes_max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
    return printable(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace remora::tools
