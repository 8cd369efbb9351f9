#include "recovery/snapshot_manifest.h"

#include <algorithm>

#include "common/limits.h"
#include "recovery/file_io.h"
#include "recovery/snapshot_manifest_generated.h"

namespace remora::recovery {

using common::Code;
using common::Result;
using common::Status;
namespace limits = common::limits;

namespace {

// Longest file name a manifest may list (Linux NAME_MAX).
constexpr std::size_t kFileNameBytesMax = 255;
// Nesting of a manifest is root -> files vector -> entry -> name; anything deeper is hostile.
constexpr flatbuffers::uoffset_t kVerifierDepthMax = 8;

Status corrupt(const std::string& source, const std::string& what) {
    return {Code::kCorruption, "snapshot manifest " + source + ": " + what};
}

Result<std::vector<SnapshotFile>> decode_files(const fb::SnapshotManifest& root,
                                               const std::string& source) {
    const auto* files = root.files();  // required: the Verifier guarantees it is present
    if (files->size() > limits::kSnapshotFilesMax) {
        return corrupt(source, "lists " + std::to_string(files->size()) + " files, more than " +
                                   std::to_string(limits::kSnapshotFilesMax));
    }
    std::vector<SnapshotFile> out;
    out.reserve(files->size());
    for (const fb::SnapshotFileEntry* entry : *files) {
        std::string name = entry->name()->str();
        if (!is_valid_file_name(name)) {
            return corrupt(source, "invalid file name \"" + common::to_hex(name) + "\" (hex)");
        }
        if (!out.empty() && !(out.back().name < name)) {
            return corrupt(source, "file names are not sorted and unique at \"" + name + "\"");
        }
        out.push_back({std::move(name), entry->size_bytes(), entry->xxh3()});
    }
    return out;
}

}  // namespace

std::string manifest_path(const std::string& snapshot_path) {
    return snapshot_path + "/" + kManifestFileName;
}

bool is_valid_file_name(const std::string& name) {
    if (name.empty() || name.size() > kFileNameBytesMax) return false;
    if (name == "." || name == "..") return false;
    return name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

common::Bytes encode_manifest(const SnapshotManifest& manifest) {
    REMORA_ASSERT(manifest.files.size() <= limits::kSnapshotFilesMax);
    flatbuffers::FlatBufferBuilder builder(1024 + manifest.files.size() * 64);
    std::vector<flatbuffers::Offset<fb::SnapshotFileEntry>> entries;
    entries.reserve(manifest.files.size());
    for (const SnapshotFile& file : manifest.files) {
        entries.push_back(fb::CreateSnapshotFileEntry(builder, builder.CreateString(file.name),
                                                      file.size_bytes, file.xxh3));
    }
    auto files = builder.CreateVector(entries);
    fb::Digest32 digest(flatbuffers::span<const std::uint8_t, 32>(manifest.state_digest.bytes));
    fb::SnapshotManifestBuilder root(builder);
    root.add_snapshot_format_version(manifest.snapshot_format_version);
    root.add_store_format_version(manifest.store_format_version);
    root.add_shard_count(manifest.shard_count);
    root.add_commit_index(manifest.commit_index);
    root.add_state_digest(&digest);
    root.add_live_objects(manifest.live_objects);
    root.add_created_unix_ms(manifest.created_unix_ms);
    root.add_files(files);
    builder.Finish(root.Finish(), fb::SnapshotManifestIdentifier());
    return {reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize()};
}

Result<SnapshotManifest> decode_manifest(common::ByteView bytes, const std::string& source) {
    if (bytes.size() > limits::kSnapshotManifestBytesMax) {
        return corrupt(
            source, "larger than " + std::to_string(limits::kSnapshotManifestBytesMax) + " bytes");
    }
    // Root offset plus identifier; shorter buffers cannot even carry the identifier.
    if (bytes.size() < sizeof(flatbuffers::uoffset_t) + flatbuffers::kFileIdentifierLength) {
        return corrupt(source, "too short (" + std::to_string(bytes.size()) + " bytes)");
    }
    if (!fb::SnapshotManifestBufferHasIdentifier(bytes.data())) {
        return corrupt(source, "not a snapshot manifest (file identifier is not \"RMSN\")");
    }
    flatbuffers::Verifier verifier(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), kVerifierDepthMax,
        static_cast<flatbuffers::uoffset_t>(limits::kSnapshotFilesMax + 1));
    if (!fb::VerifySnapshotManifestBuffer(verifier)) {
        return corrupt(source, "failed FlatBuffers verification (truncated or damaged)");
    }
    const fb::SnapshotManifest* root = fb::GetSnapshotManifest(bytes.data());
    SnapshotManifest out;
    out.snapshot_format_version = root->snapshot_format_version();
    if (out.snapshot_format_version != kSnapshotFormatVersion) {
        return Status(Code::kFormatVersion,
                      "snapshot manifest " + source + ": snapshot format version " +
                          std::to_string(out.snapshot_format_version) + ", this build reads " +
                          std::to_string(kSnapshotFormatVersion));
    }
    out.store_format_version = root->store_format_version();
    out.shard_count = root->shard_count();
    if (out.shard_count == 0 || out.shard_count > limits::kShardCountMax) {
        return corrupt(source, "shard count " + std::to_string(out.shard_count) + " outside 1.." +
                                   std::to_string(limits::kShardCountMax));
    }
    out.commit_index = root->commit_index();
    const auto* digest = root->state_digest()->bytes();
    std::copy(digest->begin(), digest->end(), out.state_digest.bytes.begin());
    out.live_objects = root->live_objects();
    out.created_unix_ms = root->created_unix_ms();
    auto files = decode_files(*root, source);
    if (!files) return files.status();
    out.files = std::move(*files);
    return out;
}

Status write_manifest(const std::string& snapshot_path, const SnapshotManifest& manifest) {
    return write_file_synced(manifest_path(snapshot_path), encode_manifest(manifest));
}

Result<SnapshotManifest> read_manifest(const std::string& snapshot_path) {
    if (!path_exists(snapshot_path)) {
        return Status(Code::kNotFound, "no snapshot at " + snapshot_path + " (no such directory)");
    }
    std::string path = manifest_path(snapshot_path);
    auto bytes = read_file_bounded(path, limits::kSnapshotManifestBytesMax);
    if (!bytes) {
        if (bytes.status().code() == Code::kNotFound) {
            return corrupt(path, "missing (an incomplete snapshot, or not a snapshot directory)");
        }
        return bytes.status();
    }
    return decode_manifest(*bytes, path);
}

}  // namespace remora::recovery
