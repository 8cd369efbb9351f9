#include "tools/cli/version.h"

#include <dlfcn.h>

#include <filesystem>

#include "executor/sequential/commit_body.h"
#include "executor/sequential/identity.h"
#include "net/message_codec.h"
#include "recovery/snapshot.h"
#include "storage/store.h"
#include "tools/cli/build_id.h"  // generated into the build directory
#include "tools/cli/report.h"

namespace remora::tools::cli {

namespace {

// The file name of the object that defines the `malloc` this process calls (the definition the
// dynamic linker binds every call to), or "unknown".
std::string malloc_provider() {
    void* symbol = dlsym(RTLD_DEFAULT, "malloc");
    Dl_info info{};
    if (symbol == nullptr || dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) {
        return "unknown";
    }
    return std::filesystem::path(info.dli_fname).filename().string();
}

}  // namespace

VersionInfo version_info() {
    const executor::ExecutorIdentity& identity = executor::executor_identity();
    return VersionInfo{
        .build = REMORA_BUILD_ID,
        .store_format = storage::kFormatVersion,
        .commit_body_format = executor::kCommitBodyFormatVersion,
        .snapshot_format = recovery::kSnapshotFormatVersion,
        .wire_protocol = net::kWireProtocolVersion,
        .wire_protocol_min = net::kWireProtocolVersionMin,
        .rules_version = identity.rules_version,
        .executor_identity_digest = identity.digest.hex(),
        .allocator = malloc_provider(),
    };
}

std::string version_text(const std::string& tool) {
    const VersionInfo info = version_info();
    std::string text = tool + " " + info.build + "\n";
    add_field(text, "store format", info.store_format);
    add_field(text, "commit body format", info.commit_body_format);
    add_field(text, "snapshot format", info.snapshot_format);
    add_field(text, "wire protocol",
              std::to_string(info.wire_protocol_min) + ".." + std::to_string(info.wire_protocol));
    add_field(text, "executor rules", info.rules_version);
    add_field(text, "executor identity", info.executor_identity_digest);
    add_field(text, "allocator", info.allocator);
    return text;
}

nlohmann::ordered_json version_json(const std::string& tool) {
    const VersionInfo info = version_info();
    return {
        {"tool", tool},
        {"build", info.build},
        {"formats",
         {{"store", info.store_format},
          {"commit_body", info.commit_body_format},
          {"snapshot_manifest", info.snapshot_format},
          {"wire_protocol", info.wire_protocol},
          {"wire_protocol_min", info.wire_protocol_min}}},
        {"executor_identity",
         {{"rules_version", info.rules_version}, {"digest", info.executor_identity_digest}}},
        {"allocator", info.allocator},
    };
}

}  // namespace remora::tools::cli
