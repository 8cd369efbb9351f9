#include "tools/cli/args.h"

#include <cmath>
#include <stdexcept>

#include <algorithm>
#include <charconv>

namespace remora::tools::cli {
namespace {

using common::Code;

constexpr std::uint64_t kPortMax = 65535;

std::vector<std::string> split_words(const std::string& name) {
    std::vector<std::string> words;
    if (name.empty()) return words;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t space = name.find(' ', start);
        if (space == std::string::npos) space = name.size();
        words.push_back(name.substr(start, space - start));
        start = space + 1;
    }
    return words;
}

const OptionSpec* find_in(const std::vector<OptionSpec>& options, const std::string& name) {
    for (const OptionSpec& option : options) {
        if (option.name == name) return &option;
    }
    return nullptr;
}

// The option of that name among the globals and all commands' options (a name means the same in
// every command, check_specs makes sure).
const OptionSpec* find_any_option(const ToolSpec& tool,
                                  std::span<const CommandSpec* const> commands,
                                  const std::string& name) {
    if (const OptionSpec* global = find_in(tool.global_options, name)) return global;
    for (const CommandSpec* command : commands) {
        if (const OptionSpec* option = find_in(command->options, name)) return option;
    }
    return nullptr;
}

const OptionSpec* find_short(const ToolSpec& tool, std::span<const CommandSpec* const> commands,
                             char short_name) {
    for (const OptionSpec& option : tool.global_options) {
        if (option.short_name == short_name) return &option;
    }
    for (const CommandSpec* command : commands) {
        for (const OptionSpec& option : command->options) {
            if (option.short_name == short_name) return &option;
        }
    }
    return nullptr;
}

// Whether some command declares a valued option named "version" (then `--version` is ambiguous
// until the command is known).
bool command_declares_version(std::span<const CommandSpec* const> commands) {
    return std::any_of(commands.begin(), commands.end(), [](const CommandSpec* command) {
        return find_in(command->options, "version") != nullptr;
    });
}

Status check_value(ArgKind kind, const std::string& what, const std::string& value) {
    switch (kind) {
        case ArgKind::kFlag:
            return Status::ok();
        case ArgKind::kText:
        case ArgKind::kPath:
            if (value.empty()) return usage_error(what + " must not be empty");
            return Status::ok();
        case ArgKind::kObjectId:
            if (!common::Hash256::from_hex(value)) {
                return usage_error(what + " must be an object id of exactly 64 hex digits, got '" +
                                   value + "'");
            }
            return Status::ok();
        case ArgKind::kUnsigned:
            if (!parse_unsigned(value)) {
                return usage_error(what + " must be a non-negative decimal integer, got '" + value +
                                   "'");
            }
            return Status::ok();
        case ArgKind::kHostPort:
            if (!parse_host_port(value)) {
                return usage_error(what +
                                   " must be HOST:PORT with a port in 1..65535 ([ADDR]:PORT for "
                                   "IPv6), got '" +
                                   value + "'");
            }
            return Status::ok();
    }
    return usage_error("unknown argument kind");
}

struct RawOption {
    const OptionSpec* spec = nullptr;
    // nullopt only for a command-declared `--version` given without a value: the tool's version
    // request, or a missing value, decided once the command is known.
    std::optional<std::string> value;
};

class Scanner {
public:
    Scanner(const ToolSpec& tool, std::span<const CommandSpec* const> commands,
            std::span<const std::string> args, Invocation& invocation)
        : m_tool(tool), m_commands(commands), m_args(args), m_invocation(invocation) {}

    // First pass: built-in flags, options (by name, from any command), positionals.
    Status scan(std::vector<RawOption>& raw_options) {
        bool options_ended = false;
        for (m_at = 0; m_at < m_args.size(); ++m_at) {
            const std::string& token = m_args[m_at];
            if (options_ended || token.size() < 2 || token[0] != '-') {
                m_invocation.positionals.push_back(token);
            } else if (token == "--") {
                options_ended = true;
            } else {
                REMORA_RETURN_IF_ERROR(scan_option(token, raw_options));
            }
        }
        return Status::ok();
    }

private:
    Status set_builtin(bool& flag, const std::string& name, const std::optional<std::string>& v) {
        if (v) return usage_error("option '--" + name + "' takes no value");
        if (flag) return usage_error("option '--" + name + "' given twice");
        flag = true;
        return Status::ok();
    }

    Status scan_option(const std::string& token, std::vector<RawOption>& raw_options) {
        if (token == "-h") {
            m_invocation.help = true;
            return Status::ok();
        }
        std::string name;
        std::optional<std::string> value;
        const OptionSpec* spec = nullptr;
        if (token.rfind("--", 0) == 0) {
            name = token.substr(2);
            if (std::size_t eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name.resize(eq);
            }
        } else {
            // -o VALUE or -o=VALUE
            if (token.size() > 2 && token[2] != '=')
                return usage_error("unknown option '" + token + "'");
            spec = find_short(m_tool, m_commands, token[1]);
            if (spec == nullptr) return usage_error("unknown option '" + token + "'");
            name = spec->name;
            if (token.size() > 2) value = token.substr(3);
        }
        if (name == "help") {
            if (value) return usage_error("option '--help' takes no value");
            m_invocation.help = true;
            return Status::ok();
        }
        if (name == "json") return set_builtin(m_invocation.json, name, value);
        if (name == "version" && !command_declares_version(m_commands)) {
            return set_builtin(m_invocation.version, name, value);
        }
        if (spec == nullptr) spec = find_any_option(m_tool, m_commands, name);
        if (spec == nullptr) return usage_error("unknown option '--" + name + "'");
        if (spec->kind == ArgKind::kFlag) {
            if (value) return usage_error("option '--" + name + "' takes no value");
            value = "";
        } else if (!value) {
            const bool has_next = m_at + 1 < m_args.size();
            if (name == "version") {
                // Ambiguous: a value only when one follows that is not an option.
                if (has_next && m_args[m_at + 1].rfind("--", 0) != 0) value = m_args[++m_at];
            } else {
                if (!has_next) return usage_error("option '--" + name + "' needs a value");
                value = m_args[++m_at];
            }
        }
        raw_options.push_back({spec, std::move(value)});
        return Status::ok();
    }

    const ToolSpec& m_tool;
    std::span<const CommandSpec* const> m_commands;
    std::span<const std::string> m_args;
    Invocation& m_invocation;
    std::size_t m_at = 0;
};

std::string command_list(std::span<const CommandSpec* const> commands) {
    std::string list;
    for (const CommandSpec* command : commands) list += (list.empty() ? "" : ", ") + command->name;
    return list;
}

// The command whose words are the longest prefix of the positionals; removes those words.
Status resolve_command(const ToolSpec& tool, std::span<const CommandSpec* const> commands,
                       Invocation& invocation) {
    if (commands.size() == 1 && commands[0]->name.empty()) {
        invocation.command = commands[0];  // a one-mode tool: every positional is an argument
        return Status::ok();
    }
    std::vector<std::string>& words = invocation.positionals;
    if (words.empty()) {
        if (invocation.help || invocation.version) return Status::ok();  // the tool's own
        if (tool.default_command.empty()) {
            return usage_error("a command is needed (one of: " + command_list(commands) + ")");
        }
        words = split_words(tool.default_command);
    }
    const CommandSpec* best = nullptr;
    std::size_t best_words = 0;
    for (const CommandSpec* command : commands) {
        std::vector<std::string> name = split_words(command->name);
        if (name.size() > words.size() || name.size() <= best_words) continue;
        if (std::equal(name.begin(), name.end(), words.begin())) {
            best = command;
            best_words = name.size();
        }
    }
    if (best == nullptr) {
        for (const std::string& group : command_groups(commands)) {
            if (words[0] != group) continue;
            if (invocation.help) {
                invocation.help_topic = group;
                return Status::ok();
            }
            std::string choices;
            for (const CommandSpec* command : commands) {
                std::vector<std::string> name = split_words(command->name);
                if (name.size() < 2 || name[0] != group) continue;
                choices += (choices.empty() ? "" : ", ") + name[1];
            }
            std::string got = words.size() > 1 ? "unknown subcommand '" + words[1] + "'"
                                               : "a subcommand is needed";
            return usage_error("'" + group + "': " + got + " (one of: " + choices + ")");
        }
        return usage_error("unknown command '" + words[0] + "' (one of: " + command_list(commands) +
                           ")");
    }
    invocation.command = best;
    words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(best_words));
    return Status::ok();
}

// "'get'" for a named command, the tool's name for a one-mode tool.
std::string label(const ToolSpec& tool, const CommandSpec& command) {
    return command.name.empty() ? tool.name : "'" + command.name + "'";
}

std::string option_usage(const OptionSpec& option) {
    return "--" + option.name + (option.kind == ArgKind::kFlag ? "" : " " + option.value_name);
}

Status check_options(const ToolSpec& tool, const std::vector<RawOption>& raw_options,
                     Invocation& invocation) {
    const CommandSpec& command = *invocation.command;
    for (const RawOption& raw : raw_options) {
        const std::string& name = raw.spec->name;
        const bool global = find_in(tool.global_options, name) != nullptr;
        if (!global && find_in(command.options, name) == nullptr) {
            return usage_error("option '--" + name + "' does not apply to " + label(tool, command));
        }
        if (!raw.value) return usage_error("option '--" + name + "' needs a value");
        if (invocation.has_option(name) && !raw.spec->repeatable) {
            return usage_error("option '--" + name + "' given twice");
        }
        REMORA_RETURN_IF_ERROR(check_value(raw.spec->kind, "--" + name, *raw.value));
        invocation.options[name].push_back(*raw.value);
    }
    for (const OptionSpec& option : command.options) {
        if (option.required && !invocation.has_option(option.name)) {
            return usage_error(label(tool, command) + " needs " + option_usage(option));
        }
    }
    return Status::ok();
}

Status check_positionals(const ToolSpec& tool, const Invocation& invocation) {
    const CommandSpec& command = *invocation.command;
    const auto& positionals = invocation.positionals;
    if (positionals.size() < command.positionals.size()) {
        return usage_error(label(tool, command) + " needs " +
                           command.positionals[positionals.size()].name);
    }
    if (positionals.size() > command.positionals.size()) {
        std::string what = "unexpected argument '" + positionals[command.positionals.size()] + "'";
        return usage_error(command.name.empty() ? what : what + " for " + label(tool, command));
    }
    for (std::size_t i = 0; i < positionals.size(); ++i) {
        REMORA_RETURN_IF_ERROR(
            check_value(command.positionals[i].kind, command.positionals[i].name, positionals[i]));
    }
    return Status::ok();
}

Status check_required_globals(const ToolSpec& tool, const Invocation& invocation) {
    const CommandSpec& command = *invocation.command;
    for (const OptionSpec& option : tool.global_options) {
        if (!option.required || invocation.has_option(option.name)) continue;
        const auto& waived = command.optional_globals;
        if (std::find(waived.begin(), waived.end(), option.name) != waived.end()) continue;
        return usage_error(label(tool, command) + " needs " + option_usage(option));
    }
    return Status::ok();
}

}  // namespace

Status usage_error(std::string message) { return {Code::kInvalidArgument, std::move(message)}; }

ParseResult parse_invocation(const ToolSpec& tool, std::span<const CommandSpec* const> commands,
                             std::span<const std::string> args) {
    ParseResult result;
    Invocation& invocation = result.invocation;
    std::vector<RawOption> raw_options;
    result.error = Scanner(tool, commands, args, invocation).scan(raw_options);
    if (!result.error.is_ok()) {
        // Scanning stopped early: a later --json still asks for a JSON error.
        for (const std::string& token : args) {
            if (token == "--") break;
            if (token == "--json") invocation.json = true;
        }
        if (invocation.help) result.error = Status::ok();
        return result;
    }
    if (invocation.version && !invocation.help) return result;
    result.error = resolve_command(tool, commands, invocation);
    // A `--version` that the command given does not declare asks for the tool's version.
    auto is_version = [](const RawOption& raw) { return raw.spec->name == "version"; };
    if (std::any_of(raw_options.begin(), raw_options.end(), is_version) &&
        (invocation.command == nullptr ||
         find_in(invocation.command->options, "version") == nullptr)) {
        invocation.version = true;
    }
    // Help, then version, win over any other problem of the command line.
    if (invocation.help || invocation.version) {
        result.error = Status::ok();
        return result;
    }
    if (!result.error.is_ok()) return result;
    result.error = check_options(tool, raw_options, invocation);
    if (result.error.is_ok()) result.error = check_positionals(tool, invocation);
    if (result.error.is_ok()) result.error = check_required_globals(tool, invocation);
    return result;
}

Status check_specs(const ToolSpec& tool, std::span<const CommandSpec* const> commands) {
    auto bad = [](const std::string& what) {
        return Status(Code::kInternal, "bad tool spec: " + what);
    };
    std::map<std::string, ArgKind> kinds;
    auto check_option = [&](const OptionSpec& option, bool global) -> Status {
        const std::string& name = option.name;
        if (name.empty() || name[0] == '-') return bad("option name '" + name + "'");
        if (name == "help" || name == "json") return bad("'--" + name + "' is built in");
        if (name == "version" && (global || option.kind == ArgKind::kFlag)) {
            return bad("'--version' is built in; only a command may declare a valued one");
        }
        if ((option.kind == ArgKind::kFlag) != option.value_name.empty()) {
            return bad("'--" + name + "': a value_name exactly when it takes a value");
        }
        auto [it, inserted] = kinds.emplace(name, option.kind);
        if (!inserted && (global || it->second != option.kind)) {
            return bad("'--" + name + "' declared twice with different meanings");
        }
        return Status::ok();
    };
    for (const OptionSpec& option : tool.global_options) {
        REMORA_RETURN_IF_ERROR(check_option(option, true));
    }
    std::map<std::string, int> names;
    for (const CommandSpec* command : commands) {
        if (++names[command->name] > 1) return bad("command '" + command->name + "' twice");
        if (split_words(command->name).size() > 2) return bad("'" + command->name + "': 3 words");
        if (command->name.empty() && commands.size() != 1) {
            return bad("an unnamed command must be the tool's only one");
        }
        std::map<std::string, int> own;
        for (const OptionSpec& option : command->options) {
            if (++own[option.name] > 1) return bad("'--" + option.name + "' twice in a command");
            if (find_in(tool.global_options, option.name) != nullptr) {
                return bad("'--" + option.name + "' is a global option");
            }
            REMORA_RETURN_IF_ERROR(check_option(option, false));
        }
    }
    if (!tool.default_command.empty() && names.count(tool.default_command) == 0) {
        return bad("default command '" + tool.default_command + "' does not exist");
    }
    return Status::ok();
}

std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
    if (text.empty()) return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<HostPort> parse_host_port(const std::string& text) {
    std::string host;
    std::string port;
    if (!text.empty() && text[0] == '[') {
        std::size_t close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        std::size_t colon = text.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
    }
    if (host.empty()) return std::nullopt;
    for (char c : host) {
        auto byte = static_cast<unsigned char>(c);
        if (byte <= ' ' || byte == 0x7f || c == '[' || c == ']' || c == '/') return std::nullopt;
    }
    std::optional<std::uint64_t> number = parse_unsigned(port);
    if (!number || *number == 0 || *number > kPortMax) return std::nullopt;
    return HostPort{host, static_cast<std::uint16_t>(*number)};
}

std::vector<std::string> command_groups(std::span<const CommandSpec* const> commands) {
    std::vector<std::string> groups;
    for (const CommandSpec* command : commands) {
        std::vector<std::string> name = split_words(command->name);
        if (name.size() < 2) continue;
        if (std::find(groups.begin(), groups.end(), name[0]) == groups.end()) {
            groups.push_back(name[0]);
        }
    }
    return groups;
}

std::optional<std::string> Invocation::text_option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end() || it->second.empty()) return std::nullopt;
    return it->second.front();
}

std::vector<std::string> Invocation::option_values(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::uint64_t> Invocation::unsigned_option(const std::string& name) const {
    std::optional<std::string> text = text_option(name);
    if (!text) return std::nullopt;
    auto value = parse_unsigned(*text);
    REMORA_ASSERT(value.has_value());
    return value;
}

std::optional<HostPort> Invocation::host_port_option(const std::string& name) const {
    std::optional<std::string> text = text_option(name);
    if (!text) return std::nullopt;
    auto value = parse_host_port(*text);
    REMORA_ASSERT(value.has_value());
    return value;
}

common::ObjectId Invocation::object_id_at(std::size_t position) const {
    REMORA_ASSERT(position < positionals.size());
    auto id = common::Hash256::from_hex(positionals[position]);
    REMORA_ASSERT(id.has_value());
    return *id;
}

std::uint64_t Invocation::unsigned_at(std::size_t position) const {
    REMORA_ASSERT(position < positionals.size());
    auto value = parse_unsigned(positionals[position]);
    REMORA_ASSERT(value.has_value());
    return *value;
}

HostPort Invocation::host_port_at(std::size_t position) const {
    REMORA_ASSERT(position < positionals.size());
    auto value = parse_host_port(positionals[position]);
    REMORA_ASSERT(value.has_value());
    return *value;
}

std::optional<double> parse_positive_number(const std::string& text) {
    if (text.empty() || text.size() > 32) return std::nullopt;
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (used != text.size() || !std::isfinite(value) || !(value > 0)) return std::nullopt;
    return value;
}

}  // namespace remora::tools::cli
