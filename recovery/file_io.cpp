#include "recovery/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "common/hash.h"

namespace remora::recovery {

using common::Code;
using common::Result;
using common::Status;

namespace {

// Owns a file descriptor; closes it on scope exit (errors of close on a read-only or already
// fsynced descriptor carry no information we could act on).
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd;
};

Status write_all(int fd, const char* data, std::size_t size, const std::string& path) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_status("writing", path, errno);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return Status::ok();
}

// Reads up to `capacity` bytes (fewer only at end of file); returns the count.
Result<std::size_t> read_some(int fd, char* data, std::size_t capacity, const std::string& path) {
    std::size_t total = 0;
    while (total < capacity) {
        ssize_t n = ::read(fd, data + total, capacity - total);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_status("reading", path, errno);
        }
        if (n == 0) break;
        total += static_cast<std::size_t>(n);
    }
    return total;
}

// Opens a regular file for reading (never through a symbolic link); `size_bytes` gets its size.
Result<int> open_regular_file(const std::string& path, std::uint64_t* size_bytes = nullptr) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return errno_status("opening", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Status(Code::kCorruption, "not a regular file: " + path);
    }
    if (size_bytes != nullptr) *size_bytes = static_cast<std::uint64_t>(st.st_size);
    return fd;
}

}  // namespace

Status errno_status(const std::string& context, const std::string& path, int errno_value) {
    Code code = errno_value == ENOENT ? Code::kNotFound : Code::kIoError;
    return {code, context + " " + path + ": " + std::strerror(errno_value)};
}

Result<FileChecksum> checksum_file(const std::string& path) {
    auto fd_result = open_regular_file(path);
    if (!fd_result) return fd_result.status();
    Fd fd(*fd_result);
    auto buffer = std::make_unique<char[]>(kFileChunkBytes);
    common::Xxh3Stream hash;
    FileChecksum out;
    for (;;) {
        auto n = read_some(fd.get(), buffer.get(), kFileChunkBytes, path);
        if (!n) return n.status();
        if (*n == 0) break;
        hash.update({buffer.get(), *n});
        out.size_bytes += *n;
    }
    out.xxh3 = hash.digest();
    return out;
}

Result<FileChecksum> copy_file_synced(const std::string& from, const std::string& to) {
    auto in_result = open_regular_file(from);
    if (!in_result) return in_result.status();
    Fd in(*in_result);
    Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!out.valid()) return errno_status("creating", to, errno);
    auto buffer = std::make_unique<char[]>(kFileChunkBytes);
    common::Xxh3Stream hash;
    FileChecksum sum;
    for (;;) {
        auto n = read_some(in.get(), buffer.get(), kFileChunkBytes, from);
        if (!n) return n.status();
        if (*n == 0) break;
        REMORA_RETURN_IF_ERROR(write_all(out.get(), buffer.get(), *n, to));
        hash.update({buffer.get(), *n});
        sum.size_bytes += *n;
    }
    if (::fsync(out.get()) != 0) return errno_status("fsync of", to, errno);
    sum.xxh3 = hash.digest();
    return sum;
}

Result<common::Bytes> read_file_bounded(const std::string& path, std::size_t size_bytes_max) {
    std::uint64_t size_bytes = 0;
    auto fd_result = open_regular_file(path, &size_bytes);
    if (!fd_result) return fd_result.status();
    Fd fd(*fd_result);
    if (size_bytes > size_bytes_max) {
        return Status(Code::kCorruption, path + " is larger than the limit of " +
                                             std::to_string(size_bytes_max) + " bytes");
    }
    // One byte of room past the stat size tells a file that grew while we read it.
    common::Bytes contents(static_cast<std::size_t>(size_bytes) + 1, '\0');
    auto n = read_some(fd.get(), contents.data(), contents.size(), path);
    if (!n) return n.status();
    if (*n > size_bytes) {
        return Status(Code::kIoError, path + " changed size while it was being read");
    }
    contents.resize(*n);
    return contents;
}

Status write_file_synced(const std::string& path, common::ByteView contents) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd.valid()) return errno_status("creating", path, errno);
    REMORA_RETURN_IF_ERROR(write_all(fd.get(), contents.data(), contents.size(), path));
    if (::fsync(fd.get()) != 0) return errno_status("fsync of", path, errno);
    return Status::ok();
}

Status fsync_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return errno_status("opening", path, errno);
    if (::fsync(fd.get()) != 0) return errno_status("fsync of", path, errno);
    return Status::ok();
}

Status fsync_directory(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return errno_status("opening directory", path, errno);
    if (::fsync(fd.get()) != 0) return errno_status("fsync of directory", path, errno);
    return Status::ok();
}

Result<std::vector<DirectoryEntry>> list_directory(const std::string& path) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), &::closedir);
    if (!dir) return errno_status("listing directory", path, errno);
    std::vector<DirectoryEntry> entries;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(dir.get());
        if (entry == nullptr) {
            if (errno != 0) return errno_status("listing directory", path, errno);
            break;
        }
        std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        if (entries.size() >= kDirectoryEntriesMax) {
            return Status(Code::kCorruption, "directory " + path + " has more than " +
                                                 std::to_string(kDirectoryEntriesMax) + " entries");
        }
        struct stat st {};
        std::string full = path + "/" + name;
        if (::lstat(full.c_str(), &st) != 0) return errno_status("inspecting", full, errno);
        EntryKind kind = S_ISREG(st.st_mode)   ? EntryKind::kFile
                         : S_ISDIR(st.st_mode) ? EntryKind::kDirectory
                                               : EntryKind::kOther;
        entries.push_back({std::move(name), kind});
    }
    std::sort(entries.begin(), entries.end(),
              [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
    return entries;
}

Status rename_no_replace(const std::string& from, const std::string& to,
                         bool replace_empty_directory) {
    if (replace_empty_directory) {
        // rename(2) atomically replaces an empty directory and refuses a non-empty one.
        if (::rename(from.c_str(), to.c_str()) == 0) return Status::ok();
        if (errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR || errno == EISDIR) {
            return Status(Code::kAlreadyExists, to + " exists and is not an empty directory");
        }
        return errno_status("renaming " + from + " to", to, errno);
    }
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        return Status::ok();
    }
    if (errno == EEXIST) return Status(Code::kAlreadyExists, to + " already exists");
    if (errno != EINVAL && errno != ENOSYS)
        return errno_status("renaming " + from + " to", to, errno);
    // The file system cannot refuse atomically: check, then rename (a narrow race that only
    // concurrent creators sharing a directory could hit).
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) return Status(Code::kAlreadyExists, to + " already exists");
    if (::rename(from.c_str(), to.c_str()) != 0) {
        return errno_status("renaming " + from + " to", to, errno);
    }
    return Status::ok();
}

Status create_directories_synced(const std::string& path) {
    std::string dir = trim_trailing_slashes(path);
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return Status::ok();
        return Status(Code::kAlreadyExists, dir + " exists and is not a directory");
    }
    std::string parent = parent_directory(dir);
    if (parent != dir) REMORA_RETURN_IF_ERROR(create_directories_synced(parent));
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return errno_status("creating directory", dir, errno);
    }
    return fsync_directory(parent);
}

Status remove_tree(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return Status(Code::kIoError, "removing " + path + ": " + ec.message());
    return Status::ok();
}

bool path_exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string trim_trailing_slashes(const std::string& path) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    return trimmed;
}

std::string parent_directory(const std::string& path) {
    std::string trimmed = trim_trailing_slashes(path);
    auto slash = trimmed.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return trimmed.substr(0, slash);
}

}  // namespace remora::recovery
