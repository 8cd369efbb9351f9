#include "storage/store_evidence.h"

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

#include "common/bytes.h"
#include "common/hash.h"
#include "storage/keys.h"

namespace remora::storage {

using common::Code;
using common::Status;

const char* const kDamageAdvice =
    "Nothing was changed. Restore the store from a snapshot (remora-inspect snapshot restore), "
    "or try RocksDB's repair on a copy of the directory (cp -a DIR COPY; ldb --db=COPY repair), "
    "then check the copy with remora-inspect digest --recompute and replay-verify";

namespace {

// "000123.sst" -> 123 when the name is digits followed by `suffix`.
bool parse_numbered(const std::string& name, std::string_view suffix, std::uint64_t& number) {
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return false;
    }
    const std::string digits = name.substr(0, name.size() - suffix.size());
    if (digits.empty() || digits.size() > 19) return false;
    number = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
}

bool parse_prefixed(const std::string& name, std::string_view prefix, std::uint64_t& number) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 19) return false;
    number = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
}

std::uint64_t total_bytes(const std::vector<FileEntry>& files) {
    std::uint64_t sum = 0;
    for (const FileEntry& f : files) sum += f.bytes;
    return sum;
}

std::string count_of(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

bool DirectoryInventory::holds_database_files() const {
    return has_current || has_identity || !manifests.empty() || !options.empty() || !ssts.empty() ||
           !logs.empty();
}

bool DirectoryInventory::holds_data_files() const {
    return !ssts.empty() || std::any_of(logs.begin(), logs.end(),
                                        [](const FileEntry& log) { return log.bytes != 0; });
}

bool DirectoryInventory::may_be_interrupted_creation(
    const std::vector<std::string>& families) const {
    if (!ssts.empty()) return false;
    for (const FileEntry& log : logs) {
        if (log.bytes != 0) return false;
    }
    // RocksDB creates the write-ahead log before it creates any column family beyond
    // `default`, and a later open replaces it with a new one before deleting it.
    const bool only_default = std::all_of(families.begin(), families.end(),
                                          [](const std::string& f) { return f == "default"; });
    return !logs.empty() || only_default;
}

std::string DirectoryInventory::describe() const {
    std::string out;
    out += count_of(ssts.size(), "table file", "table files") + " (" +
           std::to_string(total_bytes(ssts)) + " bytes), ";
    out += count_of(logs.size(), "write-ahead log", "write-ahead logs") + " (" +
           std::to_string(total_bytes(logs)) + " bytes), ";
    out += count_of(manifests.size(), "MANIFEST", "MANIFESTs");
    out += has_current ? ", CURRENT" : ", no CURRENT";
    return out;
}

DirectoryInventory take_inventory(const std::string& dir) {
    DirectoryInventory inventory;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return inventory;
    inventory.exists = true;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code size_ec;
        const bool regular = it->is_regular_file(size_ec);
        const std::uint64_t bytes = regular ? it->file_size(size_ec) : 0;
        FileEntry entry{name, 0, size_ec ? 0 : bytes};
        if (name == "CURRENT") {
            inventory.has_current = true;
        } else if (name == "IDENTITY") {
            inventory.has_identity = true;
        } else if (parse_prefixed(name, "MANIFEST-", entry.number)) {
            inventory.manifests.push_back(entry);
        } else if (parse_prefixed(name, "OPTIONS-", entry.number)) {
            inventory.options.push_back(entry);
        } else if (parse_numbered(name, ".sst", entry.number)) {
            inventory.ssts.push_back(entry);
        } else if (parse_numbered(name, ".log", entry.number)) {
            inventory.logs.push_back(entry);
        }
    }
    auto by_number = [](const FileEntry& a, const FileEntry& b) { return a.number < b.number; };
    std::sort(inventory.ssts.begin(), inventory.ssts.end(), by_number);
    std::sort(inventory.logs.begin(), inventory.logs.end(), by_number);
    return inventory;
}

// --- CRC-32C --------------------------------------------------------------------------------

namespace {

std::array<std::uint32_t, 256> make_crc32c_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    return table;
}

std::uint32_t crc32c_table(std::uint32_t crc, const unsigned char* p, std::size_t n) {
    static const std::array<std::uint32_t, 256> table = make_crc32c_table();
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__)
// SSE 4.2's crc32 instruction computes CRC-32C 8 bytes at a time: the scan of a 64 MiB log
// costs tens of milliseconds instead of a quarter of a second.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t crc,
                                                             const unsigned char* p,
                                                             std::size_t n) {
    std::uint64_t c = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
    }
    auto c32 = static_cast<std::uint32_t>(c);
    for (; n > 0; --n, ++p) c32 = __builtin_ia32_crc32qi(c32, *p);
    return ~c32;
}
#endif

std::uint32_t crc32c_extend(std::uint32_t crc, const unsigned char* p, std::size_t n) {
#if defined(__x86_64__)
    static const bool hardware = __builtin_cpu_supports("sse4.2");
    if (hardware) return crc32c_sse42(crc, p, n);
#endif
    return crc32c_table(crc, p, n);
}

// RocksDB stores masked CRCs (util/crc32c.h): rotate right by 15 and add a constant.
std::uint32_t crc_unmask(std::uint32_t masked) {
    const std::uint32_t rot = masked - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

std::uint32_t le32(const unsigned char* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
}

std::uint64_t le64(const unsigned char* p) {
    return std::uint64_t{le32(p)} | std::uint64_t{le32(p + 4)} << 32;
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t n) {
    return crc32c_extend(0, static_cast<const unsigned char*>(data), n);
}

// --- Write-ahead log scan -------------------------------------------------------------------

WalScan scan_wal(const std::string& path) {
    // db/log_format.h: 32 KiB blocks; a physical record is a header (masked CRC-32C LE32 over
    // the type byte and the payload, length LE16, type; the recyclable types add a LE32 log
    // number covered by the CRC) and the payload; a block's tail shorter than a header is
    // zero padding. A logical record is one Full record or First, Middle..., Last.
    constexpr std::size_t kBlock = 32768;
    constexpr std::size_t kHeader = 7;
    constexpr std::size_t kRecyclableHeader = 11;
    enum : unsigned char {
        kZero = 0,
        kFull = 1,
        kFirst = 2,
        kMiddle = 3,
        kLast = 4,
        kRecyclableFull = 5,
        kRecyclableFirst = 6,
        kRecyclableMiddle = 7,
        kRecyclableLast = 8,
        kSetCompression = 9,
    };

    WalScan scan;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        // A live writer may have released the log since the directory was listed: then what
        // it held is in the table files RocksDB opens, and there is nothing to account for.
        std::error_code ec;
        if (!std::filesystem::exists(path, ec) && !ec) return scan;
        scan.read_error = "cannot open " + path;
        return scan;
    }
    in.seekg(0, std::ios::end);
    const std::streamoff file_size = in.tellg();
    in.seekg(0, std::ios::beg);
    std::vector<unsigned char> data(file_size > 0 ? static_cast<std::size_t>(file_size) : 0);
    if (!data.empty()) in.read(reinterpret_cast<char*>(data.data()), file_size);
    if (!in) {
        scan.read_error = "cannot read " + path;
        return scan;
    }
    scan.bytes = data.size();

    // Bytes from here on are all zero: nothing more was ever written (preallocated space).
    std::size_t zeros_from = data.size();
    while (zeros_from > 0 && data[zeros_from - 1] == 0) --zeros_from;

    // Only the head of a logical record is read (its WriteBatch header, 12 bytes, and the first
    // entry's tag): the scan keeps at most 13 bytes of it instead of copying the payload.
    constexpr std::size_t kHead = 13;
    std::vector<unsigned char> record;
    record.reserve(kHead);
    bool in_record = false;
    auto append_head = [&](const unsigned char* p, std::size_t n) {
        const std::size_t take = std::min(n, kHead - std::min(kHead, record.size()));
        record.insert(record.end(), p, p + take);
    };
    auto mark_damage = [&](std::size_t offset) {
        if (!scan.damaged) {
            scan.damaged = true;
            scan.first_damage_offset = offset;
        }
        in_record = false;
        record.clear();
    };
    auto complete = [&](const std::vector<unsigned char>& r) {
        if (r.size() < 12) return;  // not a WriteBatch: nothing to account for
        const std::uint64_t sequence = le64(r.data());
        const std::uint32_t count = le32(r.data() + 8);
        ++scan.intact_records;
        if (scan.damaged) ++scan.intact_after_damage;
        // An empty batch (RocksDB starts each log it creates after a recovery with one, naming
        // the next sequence number) writes nothing.
        if (count != 0) scan.last_sequence = std::max(scan.last_sequence, sequence + count - 1);
        // The first entry's tag: 0x04-0x06, 0x08, 0x0E are the column-family variants of
        // delete, put, merge, single delete and range delete (db/dbformat.h).
        const unsigned char tag = r.size() > 12 ? r[12] : 0;
        if (tag == 0x04 || tag == 0x05 || tag == 0x06 || tag == 0x08 || tag == 0x0E) {
            scan.names_column_families = true;
        }
    };

    std::size_t offset = 0;
    const std::size_t size = data.size();
    while (offset < size) {
        const std::size_t left_in_block = kBlock - offset % kBlock;
        if (left_in_block < kHeader) {
            offset += left_in_block;  // the block's padding
            continue;
        }
        if (offset + kHeader > size) {
            scan.torn_tail = true;
            break;
        }
        const unsigned char* h = data.data() + offset;
        const std::size_t length = std::size_t{h[4]} | std::size_t{h[5]} << 8;
        const unsigned char type = h[6];
        const bool recyclable = type >= kRecyclableFull && type <= kRecyclableLast;
        const std::size_t header = recyclable ? kRecyclableHeader : kHeader;
        if (type == kZero && length == 0) {
            // Zeros: preallocated space, or zeroed damage. RocksDB skips the rest of the block.
            if (offset >= zeros_from) break;  // trailing zeros: nothing more was written
            mark_damage(offset);
            offset += left_in_block;
            continue;
        }
        if (header + length > left_in_block) {
            mark_damage(offset);  // a length that leaves the block: a damaged header
            offset += left_in_block;
            continue;
        }
        if (offset + header + length > size) {
            scan.torn_tail = true;  // the file ends inside this record
            break;
        }
        const std::uint32_t expected = crc_unmask(le32(h));
        const std::uint32_t actual = crc32c_extend(0, h + 6, header - 6 + length);
        if (expected != actual) {
            mark_damage(offset);
            offset += left_in_block;  // RocksDB drops the rest of a block with a bad record
            continue;
        }
        const unsigned char* payload = h + header;
        switch (type) {
            case kFull:
            case kRecyclableFull:
                if (in_record) mark_damage(offset);  // a First without its Last
                record.clear();
                append_head(payload, length);
                complete(record);
                record.clear();
                in_record = false;
                break;
            case kFirst:
            case kRecyclableFirst:
                if (in_record) mark_damage(offset);
                record.clear();
                append_head(payload, length);
                in_record = true;
                break;
            case kMiddle:
            case kRecyclableMiddle:
                if (!in_record) {
                    mark_damage(offset);
                    break;
                }
                append_head(payload, length);
                break;
            case kLast:
            case kRecyclableLast:
                if (!in_record) {
                    mark_damage(offset);
                    break;
                }
                append_head(payload, length);
                complete(record);
                record.clear();
                in_record = false;
                break;
            case kSetCompression:  // metadata: no data
            default:
                // A valid checksum on a type this reader does not know (a newer RocksDB's
                // metadata record): skip it without calling it damage.
                break;
        }
        offset += header + length;
    }
    if (in_record) scan.torn_tail = true;
    return scan;
}

// --- Table file tails -------------------------------------------------------------------------

namespace {

bool get_varint64(const unsigned char*& p, const unsigned char* end, std::uint64_t& out) {
    out = 0;
    for (int shift = 0; shift <= 63 && p < end; shift += 7) {
        const unsigned char c = *p++;
        out |= std::uint64_t{c & 0x7fu} << shift;
        if ((c & 0x80) == 0) return true;
    }
    return false;
}

// The checksum RocksDB stores after a block (table/format.cc, ComputeBuiltinChecksum...):
// over the block and its compression-type byte; nullopt for a type this reader does not check.
std::optional<std::uint32_t> block_checksum(unsigned char type, const unsigned char* data,
                                            std::size_t n, unsigned char last) {
    if (type == 1) {  // kCRC32c, masked
        const std::uint32_t crc = crc32c_extend(crc32c_extend(0, data, n), &last, 1);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
    if (type == 4) {  // kXXH3: the low half of XXH3-64 of the block, then the last byte mixed in
        const auto v = static_cast<std::uint32_t>(
            common::xxh3_64(common::ByteView(reinterpret_cast<const char*>(data), n)));
        return v ^ (std::uint32_t{last} * 0x6b9083d9u);
    }
    return std::nullopt;
}

}  // namespace

std::string check_table_tail(const std::string& path) {
    // table/format.h: a format_version >= 1 footer is the checksum type (1 byte), the
    // metaindex and index block handles (varint64 offset and size each) padded to 40 bytes,
    // the format version (LE32) and the magic number (LE64): 53 bytes.
    constexpr std::size_t kFooter = 53;
    constexpr std::uint64_t kBlockBasedMagic = 0x88e241b785f4cff7ull;
    constexpr std::size_t kTrailer = 5;  // compression type, LE32 checksum
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < static_cast<std::streamoff>(kFooter)) return "";  // RocksDB reports it
    auto read_at = [&](std::uint64_t offset, std::size_t n, std::vector<unsigned char>& out) {
        out.assign(n, 0);
        in.clear();
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
        return static_cast<bool>(in);
    };
    std::vector<unsigned char> footer;
    if (!read_at(static_cast<std::uint64_t>(size) - kFooter, kFooter, footer)) return "";
    if (le64(footer.data() + kFooter - 8) != kBlockBasedMagic) return "";  // RocksDB reports it
    const unsigned char type = footer[0];
    const unsigned char* p = footer.data() + 1;
    const unsigned char* end = footer.data() + 41;
    std::uint64_t meta_offset = 0, meta_size = 0;
    if (!get_varint64(p, end, meta_offset) || !get_varint64(p, end, meta_size)) return "";
    auto verified_block = [&](const char* what, std::uint64_t offset, std::uint64_t n,
                              std::vector<unsigned char>& block) -> std::string {
        if (offset + n + kTrailer > static_cast<std::uint64_t>(size) || n > (64u << 20)) {
            return std::string(what) + " block lies outside the file";
        }
        if (!read_at(offset, static_cast<std::size_t>(n) + kTrailer, block)) return "";
        const auto expected = block_checksum(type, block.data(), n, block[n]);
        if (type == 0) return std::string(what) + " block has no checksum (the footer is damaged)";
        if (expected && *expected != le32(block.data() + n + 1)) {
            return std::string(what) + " block fails its checksum";
        }
        block.resize(static_cast<std::size_t>(n));
        return "";
    };
    std::vector<unsigned char> meta;
    std::string bad = verified_block("metaindex", meta_offset, meta_size, meta);
    if (!bad.empty()) return bad;
    if (meta.size() < 4 || block_checksum(type, meta.data(), 0, 0) == std::nullopt) return "";
    // Metaindex entries: varint32 shared, non-shared and value lengths, the key's new bytes,
    // the value (a block handle); then the restart array. The properties block is the one
    // RocksDB parses before it checks its checksum, so it is checked here.
    const std::uint32_t restarts = le32(meta.data() + meta.size() - 4) & 0x7fffffffu;
    if (std::uint64_t{restarts} * 4 + 4 > meta.size()) return "metaindex block is malformed";
    const unsigned char* q = meta.data();
    const unsigned char* entries_end = meta.data() + meta.size() - 4 - std::size_t{restarts} * 4;
    std::string key;
    while (q < entries_end) {
        std::uint64_t shared = 0, non_shared = 0, value_length = 0;
        if (!get_varint64(q, entries_end, shared) || !get_varint64(q, entries_end, non_shared) ||
            !get_varint64(q, entries_end, value_length) || shared > key.size() ||
            non_shared + value_length > static_cast<std::uint64_t>(entries_end - q)) {
            return "metaindex block is malformed";
        }
        key.resize(static_cast<std::size_t>(shared));
        key.append(reinterpret_cast<const char*>(q), static_cast<std::size_t>(non_shared));
        q += non_shared;
        const unsigned char* value = q;
        q += value_length;
        if (key == "rocksdb.properties") {
            std::uint64_t offset = 0, n = 0;
            if (!get_varint64(value, q, offset) || !get_varint64(value, q, n)) {
                return "metaindex block is malformed";
            }
            std::vector<unsigned char> properties;
            return verified_block("properties", offset, n, properties);
        }
    }
    return "";
}

bool holds_remora_data(const std::string& dir, const DirectoryInventory& inventory) {
    for (const FileEntry& log : inventory.logs) {
        if (log.bytes != 0 && scan_wal(dir + "/" + log.name).names_column_families) return true;
    }
    for (const FileEntry& sst : inventory.ssts) {
        rocksdb::Options options;
        rocksdb::SstFileReader reader(options);
        if (!reader.Open(dir + "/" + sst.name).ok()) continue;
        auto properties = reader.GetTableProperties();
        if (!properties) continue;
        for (std::string_view family : kColumnFamilies) {
            if (family != kCfDefault && properties->column_family_name == family) return true;
        }
    }
    return false;
}

// --- Recovery checks ------------------------------------------------------------------------

namespace {

Status damage(const std::string& dir, const std::string& what) {
    return {Code::kCorruption, dir + " is a damaged store: " + what + ". " + kDamageAdvice};
}

std::uint64_t read_applied_commit(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta) {
    std::string v;
    if (!db.Get(rocksdb::ReadOptions(), meta, kMetaAppliedCommit, &v).ok() || v.size() != 8) {
        return 0;
    }
    return common::get_be64(v);
}

// Checks that one table file the database does not list holds nothing the database lacks.
// Returns a description of what it would lose, or "" when it is redundant or unreadable
// (an interrupted flush or compaction leaves such files; RocksDB deletes them).
std::string orphan_loss(const std::string& path, const std::string& file, rocksdb::DB& db,
                        const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                        std::uint64_t applied) {
    rocksdb::Options options;
    rocksdb::SstFileReader reader(options);
    if (!reader.Open(path).ok()) return "";
    auto properties = reader.GetTableProperties();
    if (!properties) return "";
    const std::string& family = properties->column_family_name;
    rocksdb::ReadOptions ro;
    ro.verify_checksums = true;
    std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(ro));
    const std::string where = "table file " + file + " (column family '" + family +
                              "'), which the MANIFEST does not list,";
    if (family == kCfMeta) {
        it->Seek(std::string(kMetaAppliedCommit));
        if (it->Valid() && it->key().ToStringView() == kMetaAppliedCommit &&
            it->value().size() == 8) {
            const std::uint64_t commit = common::get_be64(it->value().ToStringView());
            if (commit > applied) {
                return where + " records applied commit " + std::to_string(commit) +
                       " but the database recovers only to commit " + std::to_string(applied);
            }
        }
    } else if (family == kCfCommits || family == kCfTransactions) {
        // Commit records and transaction index entries are never deleted: each must be in the
        // database.
        rocksdb::ColumnFamilyHandle* handle = family == kCfCommits ? handles[3] : handles[4];
        std::string value;
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            rocksdb::Status got = db.Get(rocksdb::ReadOptions(), handle, it->key(), &value);
            if (got.IsNotFound()) {
                return where +
                       (family == kCfCommits
                            ? " holds commit record " +
                                  (it->key().size() == 8
                                       ? std::to_string(common::get_be64(it->key().ToStringView()))
                                       : std::string("?"))
                            : std::string(" holds a transaction index "
                                          "entry")) +
                       " that the database lacks";
            }
        }
    } else if (family == kCfObjects) {
        // Versions below the retention watermark may have been pruned since; any other object
        // version must be in the database.
        std::string watermark_value;
        std::uint64_t watermark = 0;
        if (db.Get(rocksdb::ReadOptions(), handles[1], kMetaRetentionWatermark, &watermark_value)
                .ok() &&
            watermark_value.size() == 8) {
            watermark = common::get_be64(watermark_value);
        }
        std::string value;
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            auto key = decode_object_key(it->key().ToStringView());
            if (!key || key->version < watermark) continue;
            rocksdb::Status got = db.Get(rocksdb::ReadOptions(), handles[2], it->key(), &value);
            if (got.IsNotFound()) {
                return where + " holds object " + key->id.hex() + " version " +
                       std::to_string(key->version) + ", which the database lacks";
            }
        }
    }
    return "";
}

}  // namespace

Status check_recovered_everything(const std::string& dir, rocksdb::DB& db,
                                  const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                                  const DirectoryInventory& inventory,
                                  const std::vector<WalScan>& wals) {
    const rocksdb::SequenceNumber recovered = db.GetLatestSequenceNumber();
    for (std::size_t i = 0; i < wals.size() && i < inventory.logs.size(); ++i) {
        const WalScan& scan = wals[i];
        if (!scan.read_error.empty()) return {Code::kIoError, scan.read_error};
        if (scan.last_sequence > recovered) {
            std::string what = "write-ahead log " + inventory.logs[i].name + " (" +
                               std::to_string(scan.bytes) +
                               " bytes) holds intact writes up to "
                               "sequence number " +
                               std::to_string(scan.last_sequence) + ", but recovery stopped at " +
                               std::to_string(recovered);
            if (scan.damaged) {
                what += " because of a damaged record at byte " +
                        std::to_string(scan.first_damage_offset) + " (" +
                        std::to_string(scan.intact_after_damage) +
                        " intact records follow it): opening it would roll back committed data";
            }
            return damage(dir, what);
        }
    }

    std::vector<rocksdb::LiveFileMetaData> live;
    db.GetLiveFilesMetaData(&live);
    std::set<std::uint64_t> live_numbers;
    for (const auto& f : live) {
        std::string name = f.name;
        if (!name.empty() && name.front() == '/') name.erase(0, 1);
        std::uint64_t number = 0;
        if (parse_numbered(name, ".sst", number)) live_numbers.insert(number);
    }
    const std::uint64_t applied = read_applied_commit(db, handles[1]);
    for (const FileEntry& sst : inventory.ssts) {
        if (live_numbers.count(sst.number) != 0) continue;
        std::string loss = orphan_loss(dir + "/" + sst.name, sst.name, db, handles, applied);
        if (!loss.empty()) return damage(dir, loss + " (the MANIFEST is damaged)");
    }
    return {};
}

}  // namespace remora::storage
