#pragma once
// The settings of remora-node, as ONE table: each entry is at once the `--section.key VALUE` flag
// and the key `key` of the TOML table `[section]` (docs/configuration.md), with its help, allowed
// values, unit, default and how it sets a NodeConfig field. The flags, the configuration file,
// print-config, init's example file and docs/configuration.md all come from this table, so they
// cannot drift apart (tests/tools/node_config_test.cpp compares the docs to it).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/config.h"
#include "tools/cli/args.h"
#include "tools/cli/report.h"

namespace remora::tools::node {

// How the key's value is written in TOML (and in print-config's JSON).
enum class ValueType { kInteger, kString, kBool };

struct NodeFlag {
    cli::OptionSpec spec;  // spec.name is "section.key"; spec.default_text the default shown
    ValueType type = ValueType::kString;
    std::string allowed;  // the allowed values in words: "1..64", "primary | pre-executor"
    std::string unit;     // of an integer ("ms", "transactions"), "" when none
    // Whether the key can change between two runs on the same node directory without losing data
    // ("yes", or "no: why"), for docs/configuration.md.
    std::string change;
    // Sets the field from the value's text (a flag's value; a TOML value as text: integers in
    // decimal, booleans as on/off). The error says what is allowed and what came, without the key.
    std::function<common::Status(remora::node::NodeConfig&, const std::string&)> apply;
    // The field as text in the same form; nullopt when unset (no default).
    std::function<std::optional<std::string>(const remora::node::NodeConfig&)> get;

    std::string section() const { return spec.name.substr(0, spec.name.find('.')); }
    std::string key() const { return spec.name.substr(spec.name.find('.') + 1); }
};

// Every setting, grouped by section, in the order the help and the docs list them.
const std::vector<NodeFlag>& node_flags();
const NodeFlag* find_node_flag(const std::string& name);

// The sections, in table order ("node", "net", ...).
std::vector<std::string> node_sections();

// Adds `--config FILE` and every flag of the table to the options of `spec` (run, print-config).
void add_config_options(cli::CommandSpec& spec);

// The effective configuration of `invocation`: the defaults, then the file of --config (when
// given), then the flags present. Every error is a usage error (exit 2) naming the key or flag,
// the value, what is allowed and, for the file, FILE:LINE:COLUMN.
common::Result<remora::node::NodeConfig> load_node_config(const cli::Invocation& invocation);

// The configuration as TOML text (sections in table order; an unset key as a comment) and as
// JSON ({"net": {"cluster_port": 7000, ...}, ...}).
std::string node_config_toml(const remora::node::NodeConfig& config);
cli::Json node_config_json(const remora::node::NodeConfig& config);

// A commented example configuration for `init`: every key with a one-line comment (help,
// allowed values, unit, default), values from `config`.
std::string node_config_example(const remora::node::NodeConfig& config);

// docs/configuration.md's table of keys, generated from the table (the test compares).
std::string node_config_markdown_table();

}  // namespace remora::tools::node
