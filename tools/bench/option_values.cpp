#include "tools/bench/option_values.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace remora::tools::bench {
namespace {

std::string number_text(double value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", value);
    return text;
}

}  // namespace

common::Status usage_error(const std::string& message) {
    return {common::Code::kInvalidArgument, message};
}

common::Result<std::uint64_t> parse_u64(const std::string& flag, const std::string& text,
                                        std::uint64_t min, std::uint64_t max) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) {
        return usage_error(flag + " expects an unsigned integer, got '" + text + "'");
    }
    if (value < min || value > max) {
        return usage_error(flag + " must be in [" + std::to_string(min) + ", " +
                           std::to_string(max) + "], got " + text);
    }
    return value;
}

common::Result<double> parse_number(const std::string& flag, const std::string& text, double min,
                                    double max) {
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    // The negated comparison also rejects NaN.
    if (text.empty() || end != text.c_str() + text.size() || !(value >= min && value <= max)) {
        return usage_error(flag + " expects a number in [" + number_text(min) + ", " +
                           number_text(max) + "], got '" + text + "'");
    }
    return value;
}

common::Result<bool> parse_on_off(const std::string& flag, const std::string& text) {
    if (text == "on") return true;
    if (text == "off") return false;
    return usage_error(flag + " expects on or off, got '" + text + "'");
}

common::Status set_number(double& field, const std::string& name, const std::string& value,
                          double min, double max) {
    auto parsed = parse_number(name, value, min, max);
    if (!parsed) return parsed.status();
    field = *parsed;
    return common::Status::ok();
}

common::Status set_on_off(bool& field, const std::string& name, const std::string& value) {
    auto parsed = parse_on_off(name, value);
    if (!parsed) return parsed.status();
    field = *parsed;
    return common::Status::ok();
}

}  // namespace remora::tools::bench
