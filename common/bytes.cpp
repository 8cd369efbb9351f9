#include "common/bytes.h"

#include <cstring>

#include "common/status.h"

namespace remora::common {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(ByteView bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        auto b = static_cast<std::uint8_t>(c);
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xF]);
    }
    return out;
}

std::optional<Bytes> from_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    Bytes out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int hi = hex_value(text[i]);
        int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

std::string Hash256::hex() const { return to_hex(view()); }

std::optional<Hash256> Hash256::from_hex(std::string_view text) {
    if (text.size() != 64) return std::nullopt;
    auto raw = common::from_hex(text);
    if (!raw) return std::nullopt;
    return from_bytes(*raw);
}

Hash256 Hash256::from_bytes(ByteView raw) {
    REMORA_ASSERT(raw.size() == 32);
    Hash256 h;
    std::memcpy(h.bytes.data(), raw.data(), 32);
    return h;
}

bool Hash256::is_zero() const {
    for (auto b : bytes) {
        if (b != 0) return false;
    }
    return true;
}

}  // namespace remora::common
