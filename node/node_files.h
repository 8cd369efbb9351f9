#pragma once
// The files a node keeps in its directory (docs/node.md, "The node directory").

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace remora::node {

// Creates the node directory when missing (and its parents).
common::Status prepare_node_dir(const std::string& dir);

// The working directory of a harness run (the testnet, the crash test): `requested` made if
// missing and refused unless empty (kAlreadyExists), or, when "", a new
// common::make_temp_dir(prefix) ($TMPDIR or /tmp)/<prefix>-XXXXXX.
// Returns the directory without trailing slashes.
common::Result<std::string> prepare_run_dir(const std::string& requested,
                                            const std::string& prefix);

// Writes `json` to `path` atomically: a sibling temporary file, fsync, rename.
common::Status write_json_file(const std::string& path, const nlohmann::ordered_json& json);

// Reads a JSON file of at most 1 MiB; kNotFound when absent, kCorruption when it does not parse.
common::Result<nlohmann::json> read_json_file(const std::string& path);

}  // namespace remora::node
