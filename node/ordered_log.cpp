#include "node/ordered_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string_view>

#include "common/hash.h"
#include "executor/tx/transaction_codec.h"
#include "recovery/file_io.h"

namespace remora::node {

using common::Bytes;
using common::ByteView;
using common::Code;
using common::Result;
using common::Status;

namespace {

constexpr std::string_view kMagic = "RMORDLOG";
constexpr std::size_t kHeaderBytes = 16;        // magic, u32 version, u32 reserved
constexpr std::size_t kRecordHeaderBytes = 12;  // u32 payload length, u64 XXH3-64
constexpr std::size_t kNameDigits = 20;
constexpr std::string_view kSuffix = ".log";

std::string segment_name(std::uint64_t first) {
    std::string digits = std::to_string(first);
    return std::string(kNameDigits - digits.size(), '0') + digits + std::string(kSuffix);
}

std::optional<std::uint64_t> parse_segment_name(const std::string& name) {
    if (name.size() != kNameDigits + kSuffix.size() || !name.ends_with(kSuffix)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kNameDigits; ++i) {
        const char c = name[i];
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

Bytes segment_header() {
    Bytes out(kMagic);
    common::put_be32(out, kOrderedLogVersion);
    common::put_be32(out, 0);
    return out;
}

struct Segment {
    std::uint64_t first = 0;  // from its name
    std::string path;
    std::uint64_t last = 0;  // the last record's index; 0 when it holds none
};

struct ParsedSegment {
    std::vector<OrderedRecord> records;
    std::uint64_t good_bytes = 0;  // the header and whole records
    std::string torn;              // why the rest does not read; "" when nothing is left over
};

Status damaged(const std::string& path, std::uint64_t offset, const std::string& what) {
    return {Code::kCorruption, "ordered-batch log " + path + " is damaged at byte " +
                                   std::to_string(offset) + ": " + what};
}

// The payload of a record whose checksum held: a failure here is damage, not a torn append.
Result<OrderedRecord> parse_payload(const std::string& path, std::uint64_t offset,
                                    ByteView payload) {
    if (payload.size() < 12) return damaged(path, offset, "a record too short for its index");
    OrderedRecord record;
    record.commit_index = common::get_be64(payload, 0);
    const std::uint32_t count = common::get_be32(payload, 8);
    std::size_t at = 12;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (payload.size() - at < 4) return damaged(path, offset, "a transaction length cut short");
        const std::uint32_t length = common::get_be32(payload, at);
        at += 4;
        if (payload.size() - at < length) {
            return damaged(path, offset, "transaction " + std::to_string(i) + " cut short");
        }
        record.transactions.emplace_back(payload.substr(at, length));
        at += length;
    }
    if (at != payload.size()) return damaged(path, offset, "bytes after the last transaction");
    return record;
}

Result<ParsedSegment> parse_segment(const std::string& path, ByteView bytes) {
    ParsedSegment parsed;
    if (bytes.size() < kHeaderBytes) {
        parsed.torn = "a header cut short (" + std::to_string(bytes.size()) + " bytes)";
        return parsed;
    }
    if (bytes.substr(0, kMagic.size()) != kMagic) {
        return damaged(path, 0, "not an ordered-batch log (no RMORDLOG header)");
    }
    if (const std::uint32_t version = common::get_be32(bytes, kMagic.size());
        version != kOrderedLogVersion) {
        return damaged(path, kMagic.size(),
                       "version " + std::to_string(version) + ", this build reads version " +
                           std::to_string(kOrderedLogVersion));
    }
    std::size_t at = kHeaderBytes;
    parsed.good_bytes = at;
    while (at < bytes.size()) {
        if (bytes.size() - at < kRecordHeaderBytes) {
            parsed.torn = "a record header cut short";
            break;
        }
        const std::uint32_t length = common::get_be32(bytes, at);
        const std::uint64_t checksum = common::get_be64(bytes, at + 4);
        if (bytes.size() - at - kRecordHeaderBytes < length) {
            parsed.torn = "a record of " + std::to_string(length) + " bytes cut short";
            break;
        }
        const ByteView payload = bytes.substr(at + kRecordHeaderBytes, length);
        if (common::xxh3_64(payload) != checksum) {
            parsed.torn = "a record whose checksum does not match";
            break;
        }
        auto record = parse_payload(path, at, payload);
        if (!record) return record.status();
        parsed.records.push_back(std::move(record).value());
        at += kRecordHeaderBytes + length;
        parsed.good_bytes = at;
    }
    return parsed;
}

struct Scan {
    std::vector<Segment> segments;  // by first index
    OrderedLogContents contents;
    std::uint64_t last_index = 0;   // the last record's, 0 when none
    std::uint64_t torn_at = 0;      // where the last segment's good bytes end, when torn
    bool last_header_torn = false;  // the last segment has no whole header
};

// Reads every segment; the records after `applied` must continue it without a gap.
Result<Scan> scan(const std::string& dir, std::uint64_t applied) {
    Scan out;
    auto entries = recovery::list_directory(dir);
    if (!entries) return entries.status();
    for (const recovery::DirectoryEntry& entry : *entries) {
        auto first = parse_segment_name(entry.name);
        if (!first || entry.kind != recovery::EntryKind::kFile) continue;
        out.segments.push_back({*first, dir + "/" + entry.name, 0});
    }
    std::sort(out.segments.begin(), out.segments.end(),
              [](const Segment& a, const Segment& b) { return a.first < b.first; });
    std::uint64_t expected = applied + 1;
    for (std::size_t i = 0; i < out.segments.size(); ++i) {
        Segment& segment = out.segments[i];
        const bool last = i + 1 == out.segments.size();
        auto bytes = recovery::read_file_bounded(segment.path, kOrderedFileBytesMax);
        if (!bytes) return bytes.status();
        auto parsed = parse_segment(segment.path, *bytes);
        if (!parsed) return parsed.status();
        if (!parsed->torn.empty()) {
            if (!last) return damaged(segment.path, parsed->good_bytes, parsed->torn);
            out.contents.torn_bytes = bytes->size() - parsed->good_bytes;
            out.torn_at = parsed->good_bytes;
            out.last_header_torn = parsed->good_bytes < kHeaderBytes;
        }
        for (OrderedRecord& record : parsed->records) {
            if (segment.last == 0 && record.commit_index != segment.first) {
                return damaged(segment.path, kHeaderBytes,
                               "its first record is for commit " +
                                   std::to_string(record.commit_index) + ", its name says " +
                                   std::to_string(segment.first));
            }
            if (segment.last != 0 && record.commit_index != segment.last + 1) {
                return damaged(segment.path, 0,
                               "commit " + std::to_string(record.commit_index) + " follows " +
                                   std::to_string(segment.last));
            }
            segment.last = record.commit_index;
            out.last_index = std::max(out.last_index, record.commit_index);
            if (record.commit_index <= applied) continue;
            if (record.commit_index != expected) {
                return Status{Code::kCorruption,
                              "the ordered-batch log in " + dir + " continues the store's commit " +
                                  std::to_string(applied) + " with commit " +
                                  std::to_string(record.commit_index) + ": batches " +
                                  std::to_string(expected) + ".." +
                                  std::to_string(record.commit_index - 1) +
                                  " are missing (docs/node.md, \"The ordered-batch log\")"};
            }
            ++expected;
            out.contents.unapplied.push_back(std::move(record));
        }
    }
    return out;
}

// Writes all of `bytes` to `fd` at its current offset.
Status write_all(int fd, ByteView bytes, const std::string& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return recovery::errno_status("appending to", path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::ok();
}

}  // namespace

struct OrderedLog::Impl {
    std::string dir;
    bool sync = true;
    std::vector<Segment> segments;  // closed ones, then the active one (if any) last
    int fd = -1;                    // the active segment, open for appending
    std::uint64_t active_bytes = 0;
    std::uint64_t next = 1;

    ~Impl() {
        if (fd >= 0) ::close(fd);
    }

    Status start_segment(std::uint64_t first) {
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
        const std::string path = dir + "/" + segment_name(first);
        const int opened = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (opened < 0) return recovery::errno_status("creating", path, errno);
        fd = opened;
        REMORA_RETURN_IF_ERROR(write_all(fd, segment_header(), path));
        if (sync && ::fdatasync(fd) != 0)
            return recovery::errno_status("fdatasync of", path, errno);
        if (sync) REMORA_RETURN_IF_ERROR(recovery::fsync_directory(dir));
        segments.push_back({first, path, 0});
        active_bytes = kHeaderBytes;
        return Status::ok();
    }
};

OrderedLog::OrderedLog(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
OrderedLog::~OrderedLog() = default;

Result<OrderedLogContents> OrderedLog::read(const std::string& dir, std::uint64_t applied) {
    if (!recovery::path_exists(dir)) return OrderedLogContents{};
    auto scanned = scan(dir, applied);
    if (!scanned) return scanned.status();
    return std::move(scanned->contents);
}

Result<std::unique_ptr<OrderedLog>> OrderedLog::open(const std::string& dir, std::uint64_t applied,
                                                     bool sync, OrderedLogContents& contents) {
    REMORA_RETURN_IF_ERROR(recovery::create_directories_synced(dir));
    auto scanned = scan(dir, applied);
    if (!scanned) return scanned.status();
    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->sync = sync;
    impl->segments = std::move(scanned->segments);
    if (scanned->contents.torn_bytes > 0) {
        // A torn append: cut it off, so that the next append follows the last whole record.
        const Segment& last = impl->segments.back();
        const int rc = scanned->last_header_torn
                           ? ::unlink(last.path.c_str())
                           : ::truncate(last.path.c_str(), static_cast<off_t>(scanned->torn_at));
        if (rc != 0) return recovery::errno_status("dropping the torn tail of", last.path, errno);
        if (scanned->last_header_torn) impl->segments.pop_back();
    }
    // Segments without a record (a crash right after one was created) hold nothing; one of them
    // may even bear the name the next segment needs.
    for (auto it = impl->segments.begin(); it != impl->segments.end();) {
        if (it->last != 0) {
            ++it;
            continue;
        }
        if (::unlink(it->path.c_str()) != 0 && errno != ENOENT) {
            return recovery::errno_status("removing empty ordered-batch segment", it->path, errno);
        }
        it = impl->segments.erase(it);
    }
    impl->next = std::max(applied, scanned->last_index) + 1;
    // Appends go to a fresh segment: the old ones then only ever shrink to nothing.
    REMORA_RETURN_IF_ERROR(impl->start_segment(impl->next));
    contents = std::move(scanned->contents);
    auto log = std::unique_ptr<OrderedLog>(new OrderedLog(std::move(impl)));
    REMORA_RETURN_IF_ERROR(log->prune(applied));
    return log;
}

Status OrderedLog::append(std::uint64_t commit_index,
                          const std::vector<executor::Transaction>& transactions) {
    std::vector<Bytes> encoded;
    encoded.reserve(transactions.size());
    for (const executor::Transaction& tx : transactions) {
        encoded.push_back(executor::encode_transaction(tx));
    }
    return append(commit_index, encoded);
}

Status OrderedLog::append(std::uint64_t commit_index, std::span<const Bytes> transactions) {
    Impl& impl = *m_impl;
    if (commit_index != impl.next) {
        return {Code::kInternal, "the ordered-batch log expected commit " +
                                     std::to_string(impl.next) + ", was given " +
                                     std::to_string(commit_index)};
    }
    if (impl.fd < 0 || impl.active_bytes >= kOrderedSegmentBytes) {
        REMORA_RETURN_IF_ERROR(impl.start_segment(commit_index));
    }
    // The record is built in place: its header (payload length, checksum) is filled in once the
    // payload behind it is complete.
    std::uint64_t payload_bytes = 8 + 4;
    for (const Bytes& tx : transactions) payload_bytes += 4 + tx.size();
    if (payload_bytes > UINT32_MAX) {
        return {Code::kInvalidArgument, "an ordered batch of " + std::to_string(payload_bytes) +
                                            " bytes is larger than a log record can hold"};
    }
    Bytes record;
    record.reserve(kRecordHeaderBytes + payload_bytes);
    record.resize(kRecordHeaderBytes);
    common::put_be64(record, commit_index);
    common::put_be32(record, static_cast<std::uint32_t>(transactions.size()));
    for (const Bytes& tx : transactions) {
        common::put_be32(record, static_cast<std::uint32_t>(tx.size()));
        record += tx;
    }
    Bytes header;
    common::put_be32(header, static_cast<std::uint32_t>(payload_bytes));
    common::put_be64(header,
                     common::xxh3_64(ByteView(record).substr(kRecordHeaderBytes, payload_bytes)));
    record.replace(0, kRecordHeaderBytes, header);
    Segment& active = impl.segments.back();
    REMORA_RETURN_IF_ERROR(write_all(impl.fd, record, active.path));
    if (impl.sync && ::fdatasync(impl.fd) != 0) {
        return recovery::errno_status("fdatasync of", active.path, errno);
    }
    impl.active_bytes += record.size();
    active.last = commit_index;
    ++impl.next;
    return Status::ok();
}

Status OrderedLog::prune(std::uint64_t applied) {
    Impl& impl = *m_impl;
    // Every segment but the active one; a segment with no record (a torn header dropped, or a
    // crash right after it was created) goes as well.
    auto closed_end = impl.segments.end() - (impl.fd >= 0 ? 1 : 0);
    auto keep = impl.segments.begin();
    for (auto it = impl.segments.begin(); it != closed_end; ++it) {
        if (it->last > applied) {
            if (keep != it) *keep = std::move(*it);
            ++keep;
            continue;
        }
        if (::unlink(it->path.c_str()) != 0 && errno != ENOENT) {
            return recovery::errno_status("removing applied ordered-batch segment", it->path,
                                          errno);
        }
    }
    impl.segments.erase(keep, closed_end);
    return Status::ok();
}

std::uint64_t OrderedLog::next_index() const { return m_impl->next; }

}  // namespace remora::node
