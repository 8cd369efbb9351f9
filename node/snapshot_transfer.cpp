#include "node/snapshot_transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>
#include <cerrno>

#include "recovery/file_io.h"
#include "recovery/snapshot_manifest.h"

namespace remora::node {

using common::Code;
using common::Result;
using common::Status;

namespace {

constexpr std::size_t kSnapshotsHeld = 2;

Status read_at(const std::string& path, std::uint64_t offset, std::size_t length,
               common::Bytes& out) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return recovery::errno_status("cannot open", path, errno);
    out.resize(length);
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n =
            ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            return recovery::errno_status("cannot read", path, error);
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return Status::ok();
}

Status append_to(const std::string& path, common::ByteView data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return recovery::errno_status("cannot open", path, errno);
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            return recovery::errno_status("cannot write", path, error);
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return Status::ok();
}

std::uint64_t file_size_or_zero(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace

// --- SnapshotSource --------------------------------------------------------------------------

Result<SnapshotSource> SnapshotSource::open(std::string dir) {
    REMORA_RETURN_IF_ERROR(recovery::remove_tree(dir));
    REMORA_RETURN_IF_ERROR(recovery::create_directories_synced(dir));
    return SnapshotSource(std::move(dir));
}

Result<net::SnapshotOffer> SnapshotSource::offer_of(const recovery::SnapshotInfo& info) const {
    auto manifest = recovery::read_file_bounded(recovery::manifest_path(info.path),
                                                net::kSnapshotManifestBytesMax);
    if (!manifest) return manifest.status();
    return net::SnapshotOffer{info.manifest.commit_index, std::move(manifest).value()};
}

Result<net::SnapshotOffer> SnapshotSource::offer(storage::Store& store,
                                                 common::CommitIndex resume) {
    if (auto it = m_held.find(resume); resume != 0 && it != m_held.end()) {
        return offer_of(it->second);
    }
    const common::CommitIndex applied = store.status().applied_commit;
    if (auto it = m_held.find(applied); it != m_held.end()) return offer_of(it->second);
    auto created = recovery::create_snapshot(store, m_dir);
    if (!created) return created.status();
    m_held[applied] = *created;
    while (m_held.size() > kSnapshotsHeld) {
        REMORA_RETURN_IF_ERROR(recovery::remove_tree(m_held.begin()->second.path));
        m_held.erase(m_held.begin());
    }
    return offer_of(*created);
}

Result<net::SnapshotChunk> SnapshotSource::chunk(const net::SnapshotChunkRequest& request) const {
    auto it = m_held.find(request.commit_index);
    if (it == m_held.end()) {
        return Status{Code::kNotFound, "snapshot of commit " +
                                           std::to_string(request.commit_index) +
                                           " is no longer served: ask for a new one"};
    }
    const auto& files = it->second.manifest.files;
    if (request.file_index >= files.size()) {
        return Status{Code::kInvalidArgument, "snapshot file " +
                                                  std::to_string(request.file_index) + " of " +
                                                  std::to_string(files.size()) + " asked for"};
    }
    const recovery::SnapshotFile& file = files[request.file_index];
    if (request.offset > file.size_bytes) {
        return Status{Code::kInvalidArgument, "offset " + std::to_string(request.offset) +
                                                  " is past the end of " + file.name};
    }
    const std::size_t length = static_cast<std::size_t>(
        std::min<std::uint64_t>(request.length, file.size_bytes - request.offset));
    net::SnapshotChunk chunk{request.commit_index, request.file_index, request.offset, {}};
    REMORA_RETURN_IF_ERROR(
        read_at(it->second.path + "/" + recovery::kSnapshotDbDirName + "/" + file.name,
                request.offset, length, chunk.data));
    return chunk;
}

// --- SnapshotSink ----------------------------------------------------------------------------

std::string SnapshotSink::snapshot_path() const {
    return m_dir + "/" + recovery::snapshot_name(m_manifest->commit_index);
}

common::CommitIndex SnapshotSink::resume_commit() const {
    auto entries = recovery::list_directory(m_dir);
    if (!entries) return 0;
    for (const auto& entry : *entries) {
        if (entry.kind != recovery::EntryKind::kDirectory) continue;
        if (auto commit = recovery::parse_snapshot_name(entry.name)) return *commit;
    }
    return 0;
}

Status SnapshotSink::begin(const net::SnapshotOffer& offer) {
    auto manifest = recovery::decode_manifest(offer.manifest, "the offered snapshot manifest");
    if (!manifest) return Status{Code::kCorruption, manifest.status().message()};
    if (manifest->commit_index != offer.commit_index) {
        return Status{Code::kCorruption, "the offered snapshot says commit " +
                                             std::to_string(offer.commit_index) +
                                             " but its manifest names commit " +
                                             std::to_string(manifest->commit_index)};
    }
    for (const auto& file : manifest->files) {
        if (!recovery::is_valid_file_name(file.name)) {
            return Status{Code::kCorruption, "the offered snapshot names a bad file"};
        }
    }
    // Keep a partial download of the same commit; anything else here is stale.
    auto entries = recovery::list_directory(m_dir);
    if (entries) {
        for (const auto& entry : *entries) {
            if (entry.name != recovery::snapshot_name(manifest->commit_index)) {
                REMORA_RETURN_IF_ERROR(recovery::remove_tree(m_dir + "/" + entry.name));
            }
        }
    }
    m_manifest = std::move(manifest).value();
    const std::string db = snapshot_path() + "/" + recovery::kSnapshotDbDirName;
    REMORA_RETURN_IF_ERROR(recovery::create_directories_synced(db));
    m_have.clear();
    for (const auto& file : m_manifest->files) {
        const std::string path = db + "/" + file.name;
        std::uint64_t have = file_size_or_zero(path);
        if (have > file.size_bytes) {  // not what this manifest describes: start it again
            REMORA_RETURN_IF_ERROR(recovery::remove_tree(path));
            have = 0;
        }
        m_have.push_back(have);
    }
    return Status::ok();
}

std::optional<net::SnapshotChunkRequest> SnapshotSink::next_request() const {
    if (!m_manifest) return std::nullopt;
    for (std::size_t i = 0; i < m_have.size(); ++i) {
        const std::uint64_t size = m_manifest->files[i].size_bytes;
        if (m_have[i] >= size) continue;
        const auto length = static_cast<std::uint32_t>(
            std::min<std::uint64_t>(net::kSnapshotChunkBytesMax, size - m_have[i]));
        return net::SnapshotChunkRequest{m_manifest->commit_index, static_cast<std::uint32_t>(i),
                                         m_have[i], length};
    }
    return std::nullopt;
}

Status SnapshotSink::accept(const net::SnapshotChunk& chunk) {
    auto expected = next_request();
    if (!expected || chunk.commit_index != expected->commit_index ||
        chunk.file_index != expected->file_index || chunk.offset != expected->offset ||
        chunk.data.size() != expected->length) {
        return Status{Code::kCorruption, "a snapshot chunk that was not asked for (commit " +
                                             std::to_string(chunk.commit_index) + ", file " +
                                             std::to_string(chunk.file_index) + ", offset " +
                                             std::to_string(chunk.offset) + ")"};
    }
    const std::string path = snapshot_path() + "/" + recovery::kSnapshotDbDirName + "/" +
                             m_manifest->files[chunk.file_index].name;
    REMORA_RETURN_IF_ERROR(append_to(path, chunk.data));
    m_have[chunk.file_index] += chunk.data.size();
    return Status::ok();
}

std::uint64_t SnapshotSink::received_bytes() const {
    std::uint64_t total = 0;
    for (std::uint64_t have : m_have) total += have;
    return total;
}

std::uint64_t SnapshotSink::total_bytes() const {
    std::uint64_t total = 0;
    if (m_manifest) {
        for (const auto& file : m_manifest->files) total += file.size_bytes;
    }
    return total;
}

Result<recovery::SnapshotManifest> SnapshotSink::install(const std::string& store_dir) {
    if (!m_manifest || next_request()) {
        return Status{Code::kInvalidArgument, "the snapshot download is not complete"};
    }
    const std::string path = snapshot_path();
    for (const auto& file : m_manifest->files) {
        REMORA_RETURN_IF_ERROR(
            recovery::fsync_file(path + "/" + recovery::kSnapshotDbDirName + "/" + file.name));
    }
    if (!recovery::path_exists(recovery::manifest_path(path))) {
        REMORA_RETURN_IF_ERROR(recovery::write_manifest(path, *m_manifest));
    }
    REMORA_RETURN_IF_ERROR(recovery::remove_tree(store_dir));
    auto restored = recovery::restore_snapshot(path, store_dir);
    if (!restored) {
        // A download that does not verify is useless: the next attempt starts afresh.
        (void)recovery::remove_tree(path);
        m_manifest.reset();
        m_have.clear();
        return restored.status();
    }
    REMORA_RETURN_IF_ERROR(recovery::remove_tree(path));
    recovery::SnapshotManifest manifest = std::move(*m_manifest);
    m_manifest.reset();
    m_have.clear();
    return manifest;
}

}  // namespace remora::node
