#include "node/poison_marker.h"

#include <nlohmann/json.hpp>

#include "node/node_files.h"

namespace remora::node {

using common::Code;
using common::Status;

std::string poison_marker_path(const std::string& dir) { return dir + "/poison.json"; }

bool is_poisoning(const Status& status) { return status.code() == Code::kInternal; }

Status write_poison_marker(const std::string& dir, const PoisonMarker& marker) {
    nlohmann::ordered_json digests = nlohmann::ordered_json::array();
    for (const common::Digest& digest : marker.tx_digests) digests.push_back(digest.hex());
    return write_json_file(poison_marker_path(dir), {{"version", kPoisonMarkerVersion},
                                                     {"commit_index", marker.commit_index},
                                                     {"tx_digests", std::move(digests)},
                                                     {"reason", marker.reason}});
}

common::Result<std::optional<PoisonMarker>> read_poison_marker(const std::string& dir) {
    const std::string path = poison_marker_path(dir);
    auto json = read_json_file(path);
    if (!json) {
        if (json.status().code() == Code::kNotFound) return std::optional<PoisonMarker>{};
        return json.status();
    }
    const Status bad{Code::kCorruption, path +
                                            " is not a poison marker (delete it after "
                                            "checking the store with remora-inspect)"};
    if (!json->is_object() || !json->contains("version") ||
        !(*json)["version"].is_number_unsigned() ||
        (*json)["version"].get<std::uint64_t>() != kPoisonMarkerVersion) {
        return bad;
    }
    const nlohmann::json& index = (*json)["commit_index"];
    const nlohmann::json& digests = (*json)["tx_digests"];
    const nlohmann::json& reason = (*json)["reason"];
    if (!index.is_number_unsigned() || !digests.is_array() || !reason.is_string()) return bad;
    PoisonMarker marker;
    marker.commit_index = index.get<std::uint64_t>();
    marker.reason = reason.get<std::string>();
    for (const nlohmann::json& hex : digests) {
        auto digest =
            hex.is_string() ? common::Digest::from_hex(hex.get<std::string>()) : std::nullopt;
        if (!digest) return bad;
        marker.tx_digests.push_back(*digest);
    }
    return std::optional<PoisonMarker>{std::move(marker)};
}

std::string poison_message(const std::string& dir, const PoisonMarker& marker) {
    std::string digests;
    for (const common::Digest& digest : marker.tx_digests) {
        digests += (digests.empty() ? "" : ", ") + digest.hex();
    }
    return "commit " + std::to_string(marker.commit_index) + " failed fatally (" + marker.reason +
           "); its transactions: " + (digests.empty() ? "none" : digests) +
           ". The node refuses to start while " + poison_marker_path(dir) +
           " exists: investigate (remora-inspect --db " + dir +
           "/store, and the transactions above), then delete that file to start again";
}

}  // namespace remora::node
