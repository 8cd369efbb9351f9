#pragma once
// Small POSIX file helpers for snapshots: checksummed reads and copies, durable writes, fsync of
// files and directories, sorted directory listings. Every failure is a Status naming the path.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace remora::recovery {

// Bytes read or written per system call when hashing or copying a file.
inline constexpr std::size_t kFileChunkBytes = 1 << 20;
// Entries one directory listing may return before it gives up (bounds a hostile directory).
inline constexpr std::size_t kDirectoryEntriesMax = 1 << 20;

struct FileChecksum {
    std::uint64_t size_bytes = 0;
    std::uint64_t xxh3 = 0;  // XXH3-64, seed 0, of the contents
};

enum class EntryKind { kFile, kDirectory, kOther };

struct DirectoryEntry {
    std::string name;
    EntryKind kind = EntryKind::kOther;  // symbolic links are kOther (never followed)
};

// Size and XXH3-64 of a regular file's contents.
common::Result<FileChecksum> checksum_file(const std::string& path);

// Copies `from` to `to` (which must not exist), fsyncs `to`, and returns the checksum of the
// bytes written. A real copy, never a link.
common::Result<FileChecksum> copy_file_synced(const std::string& from, const std::string& to);

// Reads a whole file; kCorruption (naming the file) when it is larger than `size_bytes_max`.
common::Result<common::Bytes> read_file_bounded(const std::string& path,
                                                std::size_t size_bytes_max);

// Creates `path` (which must not exist), writes `contents` and fsyncs it.
common::Status write_file_synced(const std::string& path, common::ByteView contents);

common::Status fsync_file(const std::string& path);
common::Status fsync_directory(const std::string& path);

// Entries of `path` except "." and "..", sorted by name (bytewise).
common::Result<std::vector<DirectoryEntry>> list_directory(const std::string& path);

// Renames `from` to `to`; kAlreadyExists when `to` exists (unless it is an empty directory
// and `replace_empty_directory`).
common::Status rename_no_replace(const std::string& from, const std::string& to,
                                 bool replace_empty_directory = false);

// Creates `path` and any missing parents, fsyncing the parent of each directory it creates so
// that the new entries survive a crash. OK when `path` already is a directory.
common::Status create_directories_synced(const std::string& path);

// Removes `path` and everything under it; OK when it does not exist.
common::Status remove_tree(const std::string& path);

// True when `path` exists (as anything, links not followed); false when it does not or cannot be
// inspected.
bool path_exists(const std::string& path);

// `path` without trailing slashes ("/" stays "/").
std::string trim_trailing_slashes(const std::string& path);

// The directory part of `path` ("." when none), ignoring trailing slashes.
std::string parent_directory(const std::string& path);

// "<context> <path>: <strerror(errno_value)>" as a kIoError (kNotFound for ENOENT).
common::Status errno_status(const std::string& context, const std::string& path, int errno_value);

}  // namespace remora::recovery
