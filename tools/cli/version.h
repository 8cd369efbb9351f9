#pragma once
// What `TOOL --version` prints for every Remora tool: the build, the versions of every on-disk
// and wire format this build reads and writes, and the executor identity (which deterministic
// rules it executes under). Two builds with the same formats and identity interoperate.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace remora::tools::cli {

struct VersionInfo {
    // `git describe --always --dirty` of the source tree when the build was configured, or
    // "unknown" (not a git checkout, no git). Taken at configure time: re-run cmake to refresh.
    std::string build;
    std::uint32_t store_format = 0;        // storage::kFormatVersion
    std::uint32_t commit_body_format = 0;  // executor::kCommitBodyFormatVersion
    std::uint32_t snapshot_format = 0;     // recovery::kSnapshotFormatVersion
    std::uint32_t wire_protocol = 0;       // net::kWireProtocolVersion
    std::uint32_t wire_protocol_min = 0;   // net::kWireProtocolVersionMin
    std::uint32_t rules_version = 0;       // executor::kRulesCurrent
    std::string executor_identity_digest;  // hex: rules version, gas schedule, packages
    // The shared object whose `malloc` the process calls, asked of the dynamic linker at run
    // time (e.g. "libjemalloc.so.2", "libc.so.6"; docs/ARCHITECTURE.md, "The allocator").
    std::string allocator;
};

VersionInfo version_info();

// "remora-inspect <build>\n" then one "name: value" line per field.
std::string version_text(const std::string& tool);

// {"tool", "build", "formats": {"store", "commit_body", "snapshot_manifest", "wire_protocol",
// "wire_protocol_min"}, "executor_identity": {"rules_version", "digest"}, "allocator"}
nlohmann::ordered_json version_json(const std::string& tool);

}  // namespace remora::tools::cli
