#pragma once
// Evidence about a store directory, gathered from its files without trusting RocksDB's
// recovery, and the checks that decide whether what RocksDB recovered is all that the files
// hold (docs/storage_format.md, "Opening a store: damage versus a fresh directory").
// Private to the storage module.

#include <rocksdb/db.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace remora::storage {

struct FileEntry {
    std::string name;          // file name inside the directory
    std::uint64_t number = 0;  // RocksDB's file number (000123.sst -> 123)
    std::uint64_t bytes = 0;
};

// What RocksDB files a directory holds (taken before the database is opened).
struct DirectoryInventory {
    bool exists = false;
    bool has_current = false;
    bool has_identity = false;
    std::vector<FileEntry> manifests;  // MANIFEST-*
    std::vector<FileEntry> options;    // OPTIONS-*
    std::vector<FileEntry> ssts;       // *.sst
    std::vector<FileEntry> logs;       // *.log (write-ahead logs)

    // Any file that only a RocksDB database leaves (CURRENT, IDENTITY, MANIFEST, OPTIONS, a
    // table or a write-ahead log).
    bool holds_database_files() const;
    // A table file, or a write-ahead log that is not empty: the directory has held data.
    bool holds_data_files() const;
    // True only when the files can be what an interrupted store creation leaves: no table
    // file, every write-ahead log empty, and a write-ahead log present unless RocksDB had not
    // yet created any column family of ours (`families` = the column families it lists).
    bool may_be_interrupted_creation(const std::vector<std::string>& families) const;
    // "3 table files (41230 bytes), 1 write-ahead log (0 bytes), ..." for messages.
    std::string describe() const;
};

DirectoryInventory take_inventory(const std::string& dir);

// One pass over a RocksDB write-ahead log file (RocksDB's documented log format: 32 KiB
// blocks of checksummed physical records), independent of RocksDB's recovery.
struct WalScan {
    std::uint64_t bytes = 0;
    std::uint64_t intact_records = 0;  // complete logical records with valid checksums
    std::uint64_t last_sequence = 0;   // highest sequence number any intact record writes
    bool damaged = false;              // a bad record before the end of the file
    std::uint64_t first_damage_offset = 0;
    std::uint64_t intact_after_damage = 0;  // intact records that follow the first damage
    bool torn_tail = false;                 // the file ends inside a record (a crash, normally)
    bool names_column_families = false;     // an intact record writes a non-default family
    std::string read_error;                 // non-empty when the file could not be read
};

WalScan scan_wal(const std::string& path);

// True when a write-ahead log writes to a column family other than `default`, or a table file
// belongs to one of the store's column families: evidence that a RocksDB database whose
// MANIFEST lists only `default` is a damaged store rather than someone else's database.
bool holds_remora_data(const std::string& dir, const DirectoryInventory& inventory);

// Checks the checksums of a table file's metaindex and properties blocks, which RocksDB 7.8
// parses before it verifies them (a damaged one trips an assertion in Debian's RocksDB and
// aborts the process). Returns what is wrong, or "" when they check out or cannot be judged.
std::string check_table_tail(const std::string& path);

// CRC-32C (Castagnoli) as RocksDB computes it; exposed for tests.
std::uint32_t crc32c(const void* data, std::size_t n);

// What every damage message ends with: what the operator can do.
extern const char* const kDamageAdvice;

// After RocksDB opened `dir` (read-only, before any write): refuses with kCorruption when the
// files hold committed data that the opened database does not, namely
//  - a write-ahead log with an intact record beyond the sequence number RocksDB recovered to
//    (a damaged record before the tail of the log stopped recovery early), or
//  - a table file in the directory that the database does not list (a damaged MANIFEST)
//    holding a commit the database lacks.
// `wals` are scans of `inventory.logs` taken before the database was opened.
// `handles` are in kColumnFamilies order.
common::Status check_recovered_everything(const std::string& dir, rocksdb::DB& db,
                                          const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                                          const DirectoryInventory& inventory,
                                          const std::vector<WalScan>& wals);

}  // namespace remora::storage
