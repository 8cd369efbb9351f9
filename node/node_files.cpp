#include "node/node_files.h"

#include <unistd.h>

#include <cstdio>

#include "common/temp_dir.h"
#include "recovery/file_io.h"

namespace remora::node {

using common::Code;
using common::Status;

Status prepare_node_dir(const std::string& dir) { return recovery::create_directories_synced(dir); }

Status write_json_file(const std::string& path, const nlohmann::ordered_json& json) {
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    (void)recovery::remove_tree(temp);
    REMORA_RETURN_IF_ERROR(recovery::write_file_synced(temp, json.dump(2) + "\n"));
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        return recovery::errno_status("cannot rename into", path, errno);
    }
    return recovery::fsync_directory(recovery::parent_directory(path));
}

common::Result<nlohmann::json> read_json_file(const std::string& path) {
    auto bytes = recovery::read_file_bounded(path, 1u << 20);
    if (!bytes) return bytes.status();
    auto json = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (json.is_discarded()) return Status{Code::kCorruption, path + " is not valid JSON"};
    return json;
}

common::Result<std::string> prepare_run_dir(const std::string& requested,
                                            const std::string& prefix) {
    if (requested.empty()) return common::make_temp_dir(prefix);
    std::string dir = recovery::trim_trailing_slashes(requested);
    if (recovery::path_exists(dir)) {
        auto entries = recovery::list_directory(dir);
        if (!entries) return entries.status();
        if (!entries->empty()) {
            return common::Status{common::Code::kAlreadyExists,
                                  "--dir " + dir + " is not empty: give a new or empty directory"};
        }
    }
    REMORA_RETURN_IF_ERROR(recovery::create_directories_synced(dir));
    return dir;
}

}  // namespace remora::node
