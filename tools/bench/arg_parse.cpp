#include "tools/bench/arg_parse.h"

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

common::Result<ParsedSwitches> parse_flags(const std::vector<std::string>& args,
                                           const std::set<std::string>& required,
                                           const ApplyFlag& apply) {
    ParsedSwitches switches;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            switches.help = true;
            return switches;
        }
        if (arg == "--json") {
            switches.json = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) return usage_error("unexpected argument '" + arg + "'");
        std::string name = arg;
        std::string value;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return usage_error("option " + name + " expects a value");
        }
        // A repeated option is a usage error: "the last one wins" would hide a typo in a script.
        if (seen.count(name) != 0) return usage_error("option " + name + " given twice");
        REMORA_RETURN_IF_ERROR(apply(name, value));
        seen.insert(name);
    }
    for (const auto& flag : required) {
        if (!seen.count(flag)) return usage_error("missing required option " + flag);
    }
    return switches;
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
