// The configuration file of remora-node (docs/configuration.md): TOML read with toml++, checked
// key by key against the one table of settings (tools/node/node_flags.cpp), then overridden by
// the flags; and the configuration written back as TOML, JSON, a commented example and the docs'
// table of keys.

#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "tools/node/node_flags.h"

namespace remora::tools::node {
namespace {

using common::Status;
using remora::node::NodeConfig;

std::string at(const std::string& file, const toml::source_region& where) {
    return file + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

std::string toml_string(const std::string& text) {
    std::ostringstream out;
    out << toml::value<std::string>(text);
    return out.str();
}

std::string join_keys(const std::string& section) {
    std::string keys;
    for (const NodeFlag& flag : node_flags()) {
        if (flag.section() != section) continue;
        keys += (keys.empty() ? "" : ", ") + flag.key();
    }
    return keys;
}

std::string join_sections() {
    std::string sections;
    for (const std::string& s : node_sections())
        sections += (sections.empty() ? "[" : ", [") + s + "]";
    return sections;
}

// The TOML value as the flag's text, or what to say about a value of the wrong type.
std::optional<std::string> value_text(const NodeFlag& flag, const toml::node& value) {
    switch (flag.type) {
        case ValueType::kInteger:
            if (auto n = value.value_exact<std::int64_t>()) return std::to_string(*n);
            return std::nullopt;
        case ValueType::kBool:
            if (auto b = value.value_exact<bool>()) return *b ? "on" : "off";
            return std::nullopt;
        case ValueType::kString:
            if (auto s = value.value_exact<std::string>()) return *s;
            return std::nullopt;
    }
    return std::nullopt;
}

std::string describe(const toml::node& value) {
    std::ostringstream out;
    value.visit([&out](const auto& v) { out << v; });
    std::string text = out.str();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    switch (value.type()) {
        case toml::node_type::string:
            return "the string " + text;
        case toml::node_type::integer:
            return "the integer " + text;
        case toml::node_type::floating_point:
            return "the number " + text;
        case toml::node_type::boolean:
            return "the boolean " + text;
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "the date/time " + text;
    }
}

std::string type_word(ValueType type) {
    switch (type) {
        case ValueType::kInteger:
            return "an integer";
        case ValueType::kBool:
            return "a boolean";
        case ValueType::kString:
            return "a string";
    }
    return "?";
}

// Applies every key of `file` to `config`, remembering where each was set.
Status apply_file(const std::string& file, NodeConfig& config,
                  std::map<std::string, std::string>& set_at) {
    toml::table root;
    try {
        root = toml::parse_file(file);
    } catch (const toml::parse_error& error) {
        const auto& where = error.source();
        if (where.begin.line == 0) {  // no position: the file could not be read
            return cli::usage_error("--config " + file + ": " + std::string(error.description()));
        }
        return cli::usage_error(at(file, where) +
                                ": not valid TOML: " + std::string(error.description()));
    }
    // toml++ keeps keys sorted; report problems in file order so the first one is the first.
    std::vector<std::pair<const toml::key*, const toml::node*>> sections;
    for (const auto& [key, node] : root) sections.emplace_back(&key, &node);
    std::sort(sections.begin(), sections.end(), [](const auto& a, const auto& b) {
        return a.first->source().begin < b.first->source().begin;
    });
    for (const auto& [section_key, section_node] : sections) {
        const std::string section(section_key->str());
        const auto* table = section_node->as_table();
        const std::vector<std::string> known_sections = node_sections();
        const bool known = std::count(known_sections.begin(), known_sections.end(), section) != 0;
        if (!table) {
            return cli::usage_error(at(file, section_key->source()) + ": unknown key '" + section +
                                    "': every key belongs to a section (" + join_sections() + ")");
        }
        if (!known) {
            return cli::usage_error(at(file, section_key->source()) + ": unknown section [" +
                                    section + "] (sections: " + join_sections() + ")");
        }
        std::vector<std::pair<const toml::key*, const toml::node*>> keys;
        for (const auto& [key, node] : *table) keys.emplace_back(&key, &node);
        std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
            return a.first->source().begin < b.first->source().begin;
        });
        for (const auto& [key, node] : keys) {
            const std::string name = section + "." + std::string(key->str());
            const NodeFlag* flag = find_node_flag(name);
            if (!flag) {
                return cli::usage_error(at(file, key->source()) + ": unknown key '" + name +
                                        "' (the keys of [" + section + "]: " + join_keys(section) +
                                        ")");
            }
            const std::string where = at(file, node->source());
            auto text = value_text(*flag, *node);
            if (!text) {
                return cli::usage_error(where + ": " + name + " must be " + type_word(flag->type) +
                                        " (" + flag->allowed + "), got " + describe(*node));
            }
            if (Status s = flag->apply(config, *text); !s) {
                return cli::usage_error(where + ": " + name + " " + s.message());
            }
            set_at[name] = where;
        }
    }
    return Status::ok();
}

// "key = value" in TOML, "" when the key is unset.
std::string toml_line(const NodeFlag& flag, const NodeConfig& config) {
    auto value = flag.get(config);
    if (!value) return "";
    switch (flag.type) {
        case ValueType::kString:
            return flag.key() + " = " + toml_string(*value);
        case ValueType::kBool:
            return flag.key() + " = " + (*value == "on" ? "true" : "false");
        case ValueType::kInteger:
            break;
    }
    return flag.key() + " = " + *value;
}

// A table cell: pipes escaped.
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

}  // namespace

common::Result<NodeConfig> load_node_config(const cli::Invocation& invocation) {
    NodeConfig config;
    std::map<std::string, std::string> set_at;  // key -> FILE:LINE:COL (or "--key")
    if (auto file = invocation.text_option("config")) {
        REMORA_RETURN_IF_ERROR(apply_file(*file, config, set_at));
    }
    for (const NodeFlag& flag : node_flags()) {
        if (auto value = invocation.text_option(flag.spec.name)) {
            if (Status s = flag.apply(config, *value); !s) {
                return cli::usage_error("--" + flag.spec.name + " " + s.message());
            }
            set_at[flag.spec.name] = "--" + flag.spec.name;
        }
    }
    if (!set_at.count("node.role")) {
        return cli::usage_error(
            "the role is missing: give --node.role primary|pre-executor or role in [node] of the "
            "configuration");
    }
    if (!set_at.count("node.dir")) {
        return cli::usage_error("the directory is missing: give --node.dir DIR or dir in [node]");
    }
    if (config.tls.name.empty()) {
        config.tls.name = config.role == remora::node::Role::kPrimary
                              ? "primary"
                              : "pre-executor-" + std::to_string(config.pre_executor.id);
    }
    if (Status s = remora::node::validate_node_config(config); !s) {
        // Say where the keys it names were set (a file position, or the flag).
        std::string where;
        for (const auto& [name, place] : set_at) {
            if (s.message().find("--" + name) != std::string::npos && place != "--" + name) {
                where += (where.empty() ? " (" : ", ") + name + " at " + place;
            }
        }
        return cli::usage_error(s.message() + (where.empty() ? "" : where + ")"));
    }
    return config;
}

std::string node_config_toml(const NodeConfig& config) {
    std::string out;
    std::string section;
    for (const NodeFlag& flag : node_flags()) {
        if (flag.section() != section) {
            section = flag.section();
            out += (out.empty() ? "[" : "\n[") + section + "]\n";
        }
        const std::string line = toml_line(flag, config);
        out += line.empty() ? "# " + flag.key() + " is unset\n" : line + "\n";
    }
    return out;
}

cli::Json node_config_json(const NodeConfig& config) {
    cli::Json json = cli::Json::object();
    for (const NodeFlag& flag : node_flags()) {
        auto value = flag.get(config);
        cli::Json& slot = json[flag.section()][flag.key()];
        if (!value) {
            slot = nullptr;
        } else if (flag.type == ValueType::kInteger) {
            slot = std::stoull(*value);
        } else if (flag.type == ValueType::kBool) {
            slot = *value == "on";
        } else {
            slot = *value;
        }
    }
    return json;
}

std::string node_config_example(const NodeConfig& config) {
    std::string out =
        "# remora-node configuration (docs/configuration.md). Every key can be overridden by the\n"
        "# flag of the same dotted name (--net.cluster_port 7000); an unknown key or a value out\n"
        "# of range stops the node at start (exit 2) with its position in this file.\n";
    std::string section;
    for (const NodeFlag& flag : node_flags()) {
        if (flag.section() != section) {
            section = flag.section();
            out += "\n[" + section + "]\n";
        }
        std::string comment = "# " + flag.spec.help + " (" + flag.allowed;
        if (!flag.unit.empty()) comment += "; unit: " + flag.unit;
        if (!flag.spec.default_text.empty()) comment += "; default: " + flag.spec.default_text;
        out += comment + ")\n";
        const std::string line = toml_line(flag, config);
        if (!line.empty()) {
            out += line + "\n";
        } else {
            out += "# " + flag.key() + " = " +
                   (flag.type == ValueType::kString ? toml_string(flag.spec.value_name)
                                                    : flag.spec.value_name) +
                   "\n";
        }
    }
    return out;
}

std::string node_config_markdown_table() {
    std::string out =
        "| key | default | unit | allowed | meaning | can change without losing data |\n"
        "|---|---|---|---|---|---|\n";
    for (const NodeFlag& flag : node_flags()) {
        const std::string def =
            flag.spec.default_text.empty() ? "—" : "`" + flag.spec.default_text + "`";
        out += "| `" + flag.spec.name + "` | " + def + " | " +
               (flag.unit.empty() ? "—" : flag.unit) + " | " + cell(flag.allowed) + " | " +
               cell(flag.spec.help) + " | " + cell(flag.change) + " |\n";
    }
    return out;
}

}  // namespace remora::tools::node
