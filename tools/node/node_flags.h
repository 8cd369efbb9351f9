#pragma once
// The `--section.key VALUE` flags of remora-node, as one table: each flag's spec (name, kind,
// help, default) and how it sets a NodeConfig field. The same names will be the TOML keys
// (docs/node.md, "Flags").

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/config.h"
#include "tools/cli/args.h"

namespace remora::tools::node {

struct NodeFlag {
    cli::OptionSpec spec;
    std::function<common::Status(remora::node::NodeConfig&, const std::string&)> apply;
};

// Every flag, in the order the help lists them.
const std::vector<NodeFlag>& node_flags();

// Applies the flags present in `invocation` to `config` (defaults stay for the rest);
// a usage error (exit 2) names the flag whose value is out of range.
common::Status apply_node_flags(const cli::Invocation& invocation,
                                remora::node::NodeConfig& config);

}  // namespace remora::tools::node
