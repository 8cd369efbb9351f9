#include "tools/inspect/help.h"

namespace remora::tools::inspect {
namespace {

constexpr std::size_t kSynopsisColumnChars = 36;
constexpr std::size_t kWrapColumnChars = 100;

std::string option_synopsis(const OptionSpec& option) {
    std::string text = "--" + option.name;
    if (option.kind != ArgKind::kFlag) text += " " + option.value_name;
    return option.required ? text : "[" + text + "]";
}

void add_row(std::string& text, const std::string& left, const std::string& right) {
    text += "  " + left;
    std::size_t used = left.size() + 2;
    text.append(used < kSynopsisColumnChars ? kSynopsisColumnChars - used : 2, ' ');
    text += right + "\n";
}

// Breaks `text` into lines of at most kWrapColumnChars at spaces.
std::string wrap(const std::string& text) {
    std::string out;
    std::size_t line_chars = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::size_t word_chars = end - start;
        if (line_chars > 0 && line_chars + 1 + word_chars > kWrapColumnChars) {
            out += '\n';
            line_chars = 0;
        } else if (line_chars > 0) {
            out += ' ';
            ++line_chars;
        }
        out.append(text, start, word_chars);
        line_chars += word_chars;
        start = end + 1;
    }
    return out;
}

std::string sentence(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
        text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text + ".";
}

const char* kExitCodes =
    "Exit codes:\n"
    "  0   ok\n"
    "  1   failure (unknown object or commit, not a Remora database, I/O error)\n"
    "  2   usage error\n"
    "  65  verification failed (digest mismatch, corrupt snapshot or data, wrong format "
    "version)\n"
    "  75  database locked by a running node (read-only commands work beside it)\n";

}  // namespace

std::string command_synopsis(const CommandSpec& command) {
    std::string text = command.name;
    for (const PositionalSpec& positional : command.positionals) text += " " + positional.name;
    for (const OptionSpec& option : command.options) text += " " + option_synopsis(option);
    return text;
}

std::string tool_help(std::span<const CommandSpec* const> commands) {
    std::string text =
        "remora-inspect: inspect a Remora database (read-only unless a command says otherwise)\n"
        "\n"
        "Usage: remora-inspect --db DIR [--json] [COMMAND [ARGS...]]\n"
        "       remora-inspect [COMMAND] --help\n"
        "\n"
        "Commands (status is the default):\n";
    for (const CommandSpec* command : commands) {
        add_row(text, command_synopsis(*command), command->summary);
    }
    text +=
        "\n"
        "Global options:\n"
        "  --db DIR      the store's directory (a node's data directory)\n"
        "  --json        print exactly one JSON object on stdout; on error\n"
        "                {\"error\": MESSAGE, \"code\": EXIT_CODE, \"status\": NAME}\n"
        "  --help, -h    this help; after a command, that command's help\n"
        "\n";
    text += kExitCodes;
    text += "\nSee docs/tools/remora-inspect.md for every output field.\n";
    return text;
}

std::string command_help(const CommandSpec& command) {
    std::string db = command.needs_db ? "--db DIR" : "[--db DIR]";
    std::string text = "Usage: remora-inspect " + db + " [--json] " + command_synopsis(command) +
                       "\n\n" + sentence(command.summary) + "\n" + wrap(command.details) + "\n";
    if (!command.positionals.empty()) {
        text += "\nArguments:\n";
        for (const PositionalSpec& positional : command.positionals) {
            add_row(text, positional.name, positional.help);
        }
    }
    if (!command.options.empty()) {
        text += "\nOptions:\n";
        for (const OptionSpec& option : command.options) {
            std::string left = "--" + option.name;
            if (option.kind != ArgKind::kFlag) left += " " + option.value_name;
            add_row(text, left, option.help + (option.required ? " (required)" : ""));
        }
    }
    text += "\n";
    text += kExitCodes;
    return text;
}

std::string group_help(const std::string& group, std::span<const CommandSpec* const> commands) {
    std::string text =
        "Usage: remora-inspect --db DIR [--json] " + group + " SUBCOMMAND\n\n" + "Subcommands:\n";
    for (const CommandSpec* command : commands) {
        if (command->name.rfind(group + " ", 0) != 0) continue;
        add_row(text, command_synopsis(*command), command->summary);
    }
    text += "\nRun 'remora-inspect " + group + " SUBCOMMAND --help' for details.\n";
    return text;
}

}  // namespace remora::tools::inspect
