#include "tools/inspect/args.h"

#include <algorithm>
#include <charconv>

namespace remora::tools::inspect {
namespace {

using common::Code;

Status usage(std::string message) { return {Code::kInvalidArgument, std::move(message)}; }

std::vector<std::string> split_words(const std::string& name) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t space = name.find(' ', start);
        if (space == std::string::npos) space = name.size();
        words.push_back(name.substr(start, space - start));
        start = space + 1;
    }
    return words;
}

// The option of that name among all commands' options (names mean the same in every command).
const OptionSpec* find_any_option(std::span<const CommandSpec* const> commands,
                                  const std::string& name) {
    for (const CommandSpec* command : commands) {
        for (const OptionSpec& option : command->options) {
            if (option.name == name) return &option;
        }
    }
    return nullptr;
}

Status check_value(ArgKind kind, const std::string& what, const std::string& value) {
    switch (kind) {
        case ArgKind::kFlag:
            return Status::ok();
        case ArgKind::kPath:
            if (value.empty()) return usage(what + " must not be empty");
            return Status::ok();
        case ArgKind::kObjectId:
            if (!common::Hash256::from_hex(value)) {
                return usage(what + " must be an object id of exactly 64 hex digits, got '" +
                             value + "'");
            }
            return Status::ok();
        case ArgKind::kUnsigned:
            if (!parse_unsigned(value)) {
                return usage(what + " must be a non-negative decimal integer, got '" + value + "'");
            }
            return Status::ok();
    }
    return usage("unknown argument kind");
}

struct RawOption {
    std::string name;
    std::string value;
};

// First pass: global options, command options (by name, any command), positionals.
Status split_tokens(std::span<const std::string> args, std::span<const CommandSpec* const> commands,
                    Invocation& invocation, std::vector<RawOption>& raw_options) {
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& token = args[i];
        if (options_ended || token.size() < 2 || token[0] != '-') {
            invocation.positionals.push_back(token);
            continue;
        }
        if (token == "--") {
            options_ended = true;
            continue;
        }
        if (token == "-h") {
            invocation.help = true;
            continue;
        }
        if (token.rfind("--", 0) != 0) return usage("unknown option '" + token + "'");
        std::string name = token.substr(2);
        std::optional<std::string> value;
        if (std::size_t eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        ArgKind kind;
        if (name == "help" || name == "json") {
            kind = ArgKind::kFlag;
        } else if (name == "db") {
            kind = ArgKind::kPath;
        } else if (const OptionSpec* spec = find_any_option(commands, name)) {
            kind = spec->kind;
        } else {
            return usage("unknown option '--" + name + "'");
        }
        if (kind == ArgKind::kFlag) {
            if (value) return usage("option '--" + name + "' takes no value");
        } else if (!value) {
            if (i + 1 >= args.size()) return usage("option '--" + name + "' needs a value");
            value = args[++i];
        }
        if (name == "help") {
            invocation.help = true;
        } else if (name == "json") {
            invocation.json = true;
        } else if (name == "db") {
            if (invocation.db_dir) return usage("option '--db' given twice");
            REMORA_RETURN_IF_ERROR(check_value(kind, "--db", *value));
            invocation.db_dir = *value;
        } else {
            raw_options.push_back({name, value.value_or("")});
        }
    }
    return Status::ok();
}

// The command whose words are the longest prefix of the positionals; removes those words.
Status resolve_command(std::span<const CommandSpec* const> commands, Invocation& invocation) {
    std::vector<std::string>& words = invocation.positionals;
    if (words.empty()) {
        if (invocation.help) return Status::ok();  // the tool's help
        words.push_back("status");
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
                if (name[0] != group) continue;
                choices += (choices.empty() ? "" : ", ") + name[1];
            }
            std::string got = words.size() > 1 ? "unknown subcommand '" + words[1] + "'"
                                               : "a subcommand is needed";
            return usage("'" + group + "': " + got + " (one of: " + choices + ")");
        }
        return usage("unknown command '" + words[0] + "'");
    }
    invocation.command = best;
    words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(best_words));
    return Status::ok();
}

Status check_command_arguments(const std::vector<RawOption>& raw_options, Invocation& invocation) {
    const CommandSpec& command = *invocation.command;
    for (const RawOption& raw : raw_options) {
        const OptionSpec* spec = nullptr;
        for (const OptionSpec& option : command.options) {
            if (option.name == raw.name) spec = &option;
        }
        if (spec == nullptr) {
            return usage("option '--" + raw.name + "' does not apply to '" + command.name + "'");
        }
        if (invocation.options.count(raw.name) != 0) {
            return usage("option '--" + raw.name + "' given twice");
        }
        REMORA_RETURN_IF_ERROR(check_value(spec->kind, "--" + raw.name, raw.value));
        invocation.options[raw.name] = raw.value;
    }
    for (const OptionSpec& option : command.options) {
        if (option.required && !invocation.has_option(option.name)) {
            return usage("'" + command.name + "' needs --" + option.name + " " + option.value_name);
        }
    }
    const auto& positionals = invocation.positionals;
    if (positionals.size() < command.positionals.size()) {
        return usage("'" + command.name + "' needs " +
                     command.positionals[positionals.size()].name);
    }
    if (positionals.size() > command.positionals.size()) {
        return usage("unexpected argument '" + positionals[command.positionals.size()] + "' for '" +
                     command.name + "'");
    }
    for (std::size_t i = 0; i < positionals.size(); ++i) {
        REMORA_RETURN_IF_ERROR(
            check_value(command.positionals[i].kind, command.positionals[i].name, positionals[i]));
    }
    if (command.needs_db && !invocation.db_dir) {
        return usage("'" + command.name + "' needs --db DIR");
    }
    return Status::ok();
}

}  // namespace

ParseResult parse_invocation(std::span<const std::string> args,
                             std::span<const CommandSpec* const> commands) {
    ParseResult result;
    std::vector<RawOption> raw_options;
    result.error = split_tokens(args, commands, result.invocation, raw_options);
    if (!result.error.is_ok()) {
        // Scanning stopped early: a later --json still asks for a JSON error.
        for (const std::string& token : args) {
            if (token == "--") break;
            if (token == "--json") result.invocation.json = true;
        }
    }
    if (result.error.is_ok()) result.error = resolve_command(commands, result.invocation);
    // Help wins over any other problem of a command line that named what to explain.
    if (result.invocation.help) {
        result.error = Status::ok();
        return result;
    }
    if (result.error.is_ok())
        result.error = check_command_arguments(raw_options, result.invocation);
    return result;
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

std::optional<std::uint64_t> Invocation::unsigned_option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    auto value = parse_unsigned(it->second);
    REMORA_ASSERT(value.has_value());
    return value;
}

std::optional<std::string> Invocation::text_option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
}

}  // namespace remora::tools::inspect
