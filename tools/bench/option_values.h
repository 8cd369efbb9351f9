#pragma once
// The value parsers of remora-bench's options, with each mode's bounds; every error names the flag
// and is kInvalidArgument (a usage error, exit 2). The command line itself is parsed by the shared
// layer (tools/cli/args.h, tools/bench/mode.h).

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace remora::tools::bench {

common::Status usage_error(const std::string& message);

// A decimal integer in [min, max].
common::Result<std::uint64_t> parse_u64(const std::string& flag, const std::string& text,
                                        std::uint64_t min, std::uint64_t max);
// A decimal number in [min, max].
common::Result<double> parse_number(const std::string& flag, const std::string& text, double min,
                                    double max);
// "on" or "off".
common::Result<bool> parse_on_off(const std::string& flag, const std::string& text);

// Parse `value` and store it in `field`, or return the usage error naming `name`.
template <typename Field>
common::Status set_integer(Field& field, const std::string& name, const std::string& value,
                           std::uint64_t min, std::uint64_t max) {
    auto parsed = parse_u64(name, value, min, max);
    if (!parsed) return parsed.status();
    field = static_cast<Field>(*parsed);
    return common::Status::ok();
}
common::Status set_number(double& field, const std::string& name, const std::string& value,
                          double min, double max);
common::Status set_on_off(bool& field, const std::string& name, const std::string& value);

}  // namespace remora::tools::bench
