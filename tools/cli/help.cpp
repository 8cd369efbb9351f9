#include "tools/cli/help.h"

#include <algorithm>

namespace remora::tools::cli {
namespace {

constexpr std::size_t kSynopsisColumnChars = 36;
constexpr std::size_t kWrapColumnChars = 100;

std::string option_synopsis(const OptionSpec& option) {
    std::string text = "--" + option.name;
    if (option.kind != ArgKind::kFlag) text += " " + option.value_name;
    if (option.repeatable) text += "...";
    return option.required ? text : "[" + text + "]";
}

// Breaks `text` at spaces into lines that end by kWrapColumnChars, the first starting at column
// `first_column`, the others indented by `indent` spaces. A word longer than a line stays whole.
std::string wrap(const std::string& text, std::size_t first_column = 0, std::size_t indent = 0) {
    std::string out;
    std::size_t column = first_column;
    bool line_empty = true;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const std::size_t word_chars = end - start;
        if (!line_empty && column + 1 + word_chars > kWrapColumnChars) {
            out += '\n';
            out.append(indent, ' ');
            column = indent;
            line_empty = true;
        } else if (!line_empty) {
            out += ' ';
            ++column;
        }
        out.append(text, start, word_chars);
        column += word_chars;
        line_empty = false;
        start = end + 1;
    }
    return out;
}

void add_row(std::string& text, const std::string& left, const std::string& right) {
    text += "  " + left;
    std::size_t used = left.size() + 2;
    const std::size_t pad = used < kSynopsisColumnChars ? kSynopsisColumnChars - used : 2;
    text.append(pad, ' ');
    text += wrap(right, used + pad, kSynopsisColumnChars) + "\n";
}

std::string sentence(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
        text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text + ".";
}

bool needs_global(const CommandSpec& command, const OptionSpec& global) {
    const auto& waived = command.optional_globals;
    return global.required && std::find(waived.begin(), waived.end(), global.name) == waived.end();
}

// `mark_required` false for the global options in the tool's help: a command may do without one.
void add_option_rows(std::string& text, const std::vector<OptionSpec>& options,
                     bool mark_required = true) {
    for (const OptionSpec& option : options) {
        std::string left =
            option.short_name != 0 ? std::string("-") + option.short_name + ", " : "";
        left += "--" + option.name;
        if (option.kind != ArgKind::kFlag) left += " " + option.value_name;
        std::string right = option.help;
        if (option.required && mark_required) right += " (required)";
        if (!option.default_text.empty()) right += " (default: " + option.default_text + ")";
        if (option.repeatable) right += " (may repeat)";
        add_row(text, left, right);
    }
}

// `with_version` false after a command that declares its own --version option.
void add_builtin_rows(std::string& text, bool with_version = true) {
    add_row(text, "--json", "print one JSON object on stdout, also on error");
    add_row(text, "--help, -h", "this help; after a command, that command's help");
    if (with_version)
        add_row(text, "--version", "build, format versions, executor identity, allocator");
}

const std::string& exit_codes(const ToolSpec& tool) {
    static const std::string shared = kSharedExitCodesHelp;
    return tool.exit_codes_help.empty() ? shared : tool.exit_codes_help;
}

std::string docs_line(const ToolSpec& tool) {
    return tool.docs_page.empty() ? "" : "\nSee " + tool.docs_page + ".\n";
}

}  // namespace

const char* const kSharedExitCodesHelp =
    "Exit codes:\n"
    "  0   ok\n"
    "  1   failure\n"
    "  2   usage error\n"
    "  65  verification failed (the data is bad)\n"
    "  75  database locked by another process\n"
    "  130, 143  stopped by SIGINT, SIGTERM\n";

std::string command_synopsis(const CommandSpec& command) {
    std::string text = command.name;
    for (const PositionalSpec& positional : command.positionals) {
        text += (text.empty() ? "" : " ") + positional.name;
    }
    for (const OptionSpec& option : command.options) {
        text += (text.empty() ? "" : " ") + option_synopsis(option);
    }
    return text;
}

std::string tool_help(const ToolSpec& tool, std::span<const CommandSpec* const> commands) {
    if (commands.size() == 1 && commands[0]->name.empty()) return command_help(tool, *commands[0]);
    std::string globals;
    for (const OptionSpec& option : tool.global_options) globals += option_synopsis(option) + " ";
    std::string text =
        tool.name + ": " + tool.summary + "\n\nUsage: " + tool.name + " " + globals + "[--json] " +
        (tool.default_command.empty() ? "COMMAND" : "[COMMAND]") + " [ARGS...]\n       " +
        tool.name + " [COMMAND] --help\n       " + tool.name + " --version\n\nCommands" +
        (tool.default_command.empty() ? std::string(":")
                                      : " (" + tool.default_command + " is the default):") +
        "\n";
    for (const CommandSpec* command : commands) {
        add_row(text, command_synopsis(*command), command->summary);
    }
    text += "\nGlobal options:\n";
    add_option_rows(text, tool.global_options, false);
    add_builtin_rows(text);
    text += "\n" + exit_codes(tool) + docs_line(tool);
    return text;
}

std::string command_help(const ToolSpec& tool, const CommandSpec& command) {
    std::string globals;
    for (const OptionSpec& option : tool.global_options) {
        std::string usage = "--" + option.name + " " + option.value_name;
        globals += (needs_global(command, option) ? usage : "[" + usage + "]") + " ";
    }
    std::string synopsis = command_synopsis(command);
    const std::string usage =
        tool.name + " " + globals + "[--json]" + (synopsis.empty() ? "" : " " + synopsis);
    std::string text = "Usage: " + wrap(usage, 7, 7 + tool.name.size() + 1) + "\n\n";
    text += command.name.empty() ? tool.name + ": " + tool.summary + "\n"
                                 : wrap(sentence(command.summary)) + "\n";
    if (!command.details.empty()) text += wrap(command.details) + "\n";
    if (!command.positionals.empty()) {
        text += "\nArguments:\n";
        for (const PositionalSpec& positional : command.positionals) {
            add_row(text, positional.name, positional.help);
        }
    }
    text += "\nOptions:\n";
    add_option_rows(text, command.options);
    add_option_rows(text, tool.global_options);
    const bool own_version = std::any_of(command.options.begin(), command.options.end(),
                                         [](const OptionSpec& o) { return o.name == "version"; });
    add_builtin_rows(text, !own_version);
    text += "\n" + exit_codes(tool);
    if (command.name.empty()) text += docs_line(tool);
    return text;
}

std::string group_help(const ToolSpec& tool, const std::string& group,
                       std::span<const CommandSpec* const> commands) {
    std::string globals;
    for (const OptionSpec& option : tool.global_options) globals += option_synopsis(option) + " ";
    std::string text = "Usage: " + tool.name + " " + globals + "[--json] " + group +
                       " SUBCOMMAND\n\nSubcommands:\n";
    for (const CommandSpec* command : commands) {
        if (command->name.rfind(group + " ", 0) != 0) continue;
        add_row(text, command_synopsis(*command), command->summary);
    }
    text += "\nRun '" + tool.name + " " + group + " SUBCOMMAND --help' for details.\n";
    return text;
}

}  // namespace remora::tools::cli
