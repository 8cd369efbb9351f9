#pragma once
// The poison marker (docs/node.md, "A transaction that fails execution fatally"): what a primary
// leaves in its directory when executing or committing an ordered commit failed in a way a
// restart would only repeat (an internal error, an exception out of execution). It names the
// commit index and the digests of the commit's transactions; while it exists, the node refuses
// to start (exit 70) instead of crash-looping on the same commit. The operator investigates
// (remora-inspect), then deletes the file.
//
// DIR/poison.json: {"version": 1, "commit_index": N, "tx_digests": [HEX, ...], "reason": TEXT}.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::node {

inline constexpr std::uint64_t kPoisonMarkerVersion = 1;

struct PoisonMarker {
    std::uint64_t commit_index = 0;  // the commit that failed (the store holds the one before)
    std::vector<common::Digest> tx_digests;
    std::string reason;  // the error's message
};

// DIR/poison.json.
std::string poison_marker_path(const std::string& dir);

// True for a failure of a commit that poisons the node: kInternal (an internal error, or an
// exception turned into one). Store failures keep their own codes and exits (1, 65, 75).
bool is_poisoning(const common::Status& status);

// Writes the marker durably (a temporary file, fsync, rename, fsync of DIR).
common::Status write_poison_marker(const std::string& dir, const PoisonMarker& marker);

// The marker of DIR; nullopt when there is none. kCorruption for a file that is not a marker.
common::Result<std::optional<PoisonMarker>> read_poison_marker(const std::string& dir);

// The operator's message: the commit, its transactions, why, and how to clear the marker.
std::string poison_message(const std::string& dir, const PoisonMarker& marker);

}  // namespace remora::node
