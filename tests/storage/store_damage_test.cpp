// Damage to a store's files (issue 9, in the spirit of RocksDB's db_corruption_test): the
// three data-loss cases as regression tests, meta that contradicts the data, the bounded
// write-ahead log, and damage generated from a seed (truncate, flip, zero, delete at several
// offsets of every file kind). Opening a damaged store must either give a state it can prove
// (the digest recorded for that commit, recomputed from the objects) or refuse with
// kCorruption; and when it refuses, no file may have changed.
//
// The "[slow]" case sweeps many more offsets: `ctest -L slow`. REMORA_DAMAGE_SEED=N reproduces
// a printed seed.

#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/hash.h"
#include "storage/keys.h"
#include "storage/store.h"
#include "storage/store_evidence.h"
#include "tests/support/temp_dir.h"

using namespace remora;
using namespace remora::storage;
using common::Code;
namespace fs = std::filesystem;

namespace {

// --- Files --------------------------------------------------------------------------------

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

// Every file of the directory with its bytes, except RocksDB's own diagnostics (LOG, LOG.old.*)
// and the LOCK file, which every open touches.
std::map<std::string, std::string> files_of(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const std::string name = fs::relative(entry.path(), dir).string();
        if (name == "LOCK" || name.rfind("LOG", 0) == 0) continue;
        out[name] = read_file(entry.path());
    }
    return out;
}

std::string describe_difference(const std::map<std::string, std::string>& before,
                                const std::map<std::string, std::string>& after) {
    std::string out;
    for (const auto& [name, bytes] : before) {
        auto it = after.find(name);
        if (it == after.end())
            out += " deleted " + name;
        else if (it->second != bytes)
            out += " changed " + name;
    }
    for (const auto& [name, bytes] : after) {
        if (before.count(name) == 0) out += " created " + name;
    }
    return out;
}

// The first file of `dir` whose name matches.
std::string find_file(const std::string& dir, const std::string& prefix,
                      const std::string& suffix) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end());
    return names.empty() ? "" : dir + "/" + names.back();
}

void copy_dir(const std::string& from, const std::string& to) {
    fs::copy(from, to, fs::copy_options::recursive);
    fs::remove(to + "/LOCK");
}

// --- A store to damage ----------------------------------------------------------------------

struct Built {
    std::vector<StoreStatus> after;  // [i] = status after commit i
};

ObjectId id_of(int n) { return common::blake2b_256("damage-object-" + std::to_string(n)); }

void commit_next(Store& store, Built& built, int per_commit, std::size_t payload) {
    const int c = static_cast<int>(store.status().applied_commit) + 1;
    CommitInput input;
    input.index = static_cast<CommitIndex>(c);
    for (int k = 0; k < per_commit; ++k) {
        // Half the objects are rewritten by every commit, half are new.
        const int n = k % 2 == 0 ? k : c * 1000 + k;
        input.writes.push_back({id_of(n), static_cast<Version>(c),
                                std::string(payload, static_cast<char>('a' + (c + k) % 26))});
    }
    input.body = "commit-" + std::to_string(c);
    input.transactions.push_back({common::blake2b_256("tx-" + std::to_string(c)), 0});
    Status s = store.commit(input);
    INFO(s.to_string());
    REQUIRE(s.is_ok());
    built.after.push_back(store.status());
}

// `commits` commits of `per_commit` objects with `payload` bytes each, synced. With `flushed`,
// the store is then reopened read-write, which moves the logs into table files, and gets one
// more commit, in a new log.
Built build(const std::string& dir, int commits, int per_commit = 20, std::size_t payload = 100,
            bool flushed = false, std::uint32_t shards = 16) {
    Built built;
    {
        StoreOptions options;
        options.create_if_missing = true;
        options.shard_count = shards;
        auto opened = Store::open(dir, OpenMode::kReadWrite, options);
        REQUIRE(opened.is_ok());
        built.after.push_back((*opened)->status());
        for (int c = 1; c <= commits; ++c) commit_next(**opened, built, per_commit, payload);
    }
    if (flushed) {
        auto reopened = Store::open(dir, OpenMode::kReadWrite);
        INFO((reopened ? "" : reopened.status().to_string()));
        REQUIRE(reopened.is_ok());
        commit_next(**reopened, built, per_commit, payload);
    }
    return built;
}

// Opens `dir` as `mode` (read-write with creation allowed: what a node or a tool that creates
// would do) and checks the outcome: a state the store can prove, or kCorruption with no file
// changed. Returns the applied commit, or -1 for a refusal.
long long open_and_check(const std::string& dir, const Built& built, OpenMode mode,
                         bool create = false) {
    const auto before = files_of(dir);
    StoreOptions options;
    options.create_if_missing = create;
    long long result = -1;
    {
        auto opened = Store::open(dir, mode, options);
        if (!opened) {
            INFO(opened.status().to_string());
            CHECK(opened.status().code() == Code::kCorruption);
            CHECK_THAT(opened.status().message(), Catch::Contains("snapshot"));
        } else {
            Store& store = **opened;
            const StoreStatus& status = store.status();
            INFO("opened at commit " << status.applied_commit);
            REQUIRE(status.applied_commit < built.after.size());
            // A prefix: exactly what commit B left, provable from the objects themselves.
            CHECK(status.state_digest == built.after[status.applied_commit].state_digest);
            CHECK(status.live_objects == built.after[status.applied_commit].live_objects);
            // Every commit record and transaction index entry up to B is still there.
            for (CommitIndex c = 1; c <= status.applied_commit; ++c) {
                auto record = store.read_commit(c);
                INFO("commit " << c << ": " << (record ? "" : record.status().to_string()));
                CHECK((record.is_ok() || record.status().code() == Code::kCorruption));
                auto tx = store.find_transaction(common::blake2b_256("tx-" + std::to_string(c)));
                INFO("transaction of commit " << c << ": " << (tx ? "" : tx.status().to_string()));
                CHECK((tx.is_ok() || tx.status().code() == Code::kCorruption));
                if (tx) CHECK(tx->first == c);
            }
            auto recomputed = store.recompute_digest();
            if (recomputed) {
                CHECK(recomputed->state_digest == status.state_digest);
            } else {
                INFO(recomputed.status().to_string());
                CHECK(recomputed.status().code() == Code::kCorruption);
            }
            result = static_cast<long long>(status.applied_commit);
        }
    }
    if (result < 0 || mode == OpenMode::kReadOnly) {
        const auto after = files_of(dir);
        INFO("files changed:" << describe_difference(before, after));
        CHECK(before == after);
    }
    return result;
}

void put_meta_raw(const std::string& dir, std::string_view key, const common::Bytes& value) {
    rocksdb::DBOptions options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (auto name : kColumnFamilies)
        cfs.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir, cfs, &handles, &raw).ok());
    REQUIRE(raw->Put(rocksdb::WriteOptions(), handles[1], std::string(key), value).ok());
    for (auto* h : handles) REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
}

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

}  // namespace

// --- The evidence primitives ----------------------------------------------------------------

TEST_CASE("crc32c matches the CRC-32C check value", "[damage]") {
    CHECK(crc32c("123456789", 9) == 0xE3069283u);
    CHECK(crc32c("", 0) == 0u);
}

TEST_CASE("the WAL scan counts a store's commits and finds damage before the tail", "[damage]") {
    testing::TempDir tmp;
    const std::string db = tmp.sub("db");
    build(db, 12, 20, 200);
    const std::string log = find_file(db, "", ".log");
    REQUIRE(!log.empty());
    WalScan clean = scan_wal(log);
    CHECK(clean.intact_records == 13);  // meta initialization and 12 commits
    CHECK_FALSE(clean.damaged);
    CHECK_FALSE(clean.torn_tail);

    std::string bytes = read_file(log);
    std::string flipped = bytes;
    for (std::size_t i = 0; i < 16; ++i) flipped[bytes.size() / 2 + i] ^= 0x5a;
    write_file(log, flipped);
    WalScan damaged = scan_wal(log);
    CHECK(damaged.damaged);
    CHECK(damaged.intact_after_damage > 0);
    CHECK(damaged.last_sequence == clean.last_sequence);

    write_file(log, bytes.substr(0, bytes.size() - 10));
    WalScan torn = scan_wal(log);
    CHECK(torn.torn_tail);
    CHECK_FALSE(torn.damaged);
    CHECK(torn.intact_records == 12);
}

// --- Regression tests of the three data-loss cases ------------------------------------------

TEST_CASE("issue 9 case 1: a truncated MANIFEST is damage, never an empty store", "[damage]") {
    testing::TempDir tmp;
    const std::string original = tmp.sub("original");
    const Built built = build(original, 3, 40, 100, /*flushed=*/true);
    const std::string manifest = find_file(original, "MANIFEST-", "");
    REQUIRE(!manifest.empty());
    REQUIRE(!find_file(original, "", ".sst").empty());
    const std::size_t size = fs::file_size(manifest);

    int refused = 0;
    // Every 8th length, and those of the issue: every cut between two MANIFEST records.
    std::vector<std::size_t> cuts = {400, 500, 600};
    for (std::size_t keep = 0; keep < size; keep += 8) cuts.push_back(keep);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t keep : cuts) {
        if (keep >= size) continue;
        const std::string copy = tmp.sub("cut-" + std::to_string(keep));
        copy_dir(original, copy);
        fs::resize_file(find_file(copy, "MANIFEST-", ""), keep);
        INFO("MANIFEST truncated to " << keep << " of " << size << " bytes");
        const long long ro = open_and_check(copy, built, OpenMode::kReadOnly);
        const long long rw = open_and_check(copy, built, OpenMode::kReadWrite, /*create=*/true);
        // Whatever opened read-only, a creating open sees the same: never a fresh store.
        CHECK(rw == ro);
        if (ro < 0) ++refused;
        // The table files are never deleted by a refused open.
        CHECK(!find_file(copy, "", ".sst").empty());
    }
    CHECK(refused > 0);
}

TEST_CASE("issue 9 case 2: a damaged record before the WAL's tail is refused, not rolled back",
          "[damage]") {
    testing::TempDir tmp;
    const std::string original = tmp.sub("original");
    const Built built = build(original, 12, 20, 200);  // everything in the write-ahead log
    const std::string log_name = fs::path(find_file(original, "", ".log")).filename().string();
    const std::size_t size = fs::file_size(original + "/" + log_name);

    auto damaged_copy = [&](const std::string& name, auto&& damage) {
        std::string copy = tmp.sub(name);  // not const: returned by move
        copy_dir(original, copy);
        damage(copy + "/" + log_name);
        return copy;
    };
    SECTION("16 bytes flipped in the middle") {
        const std::string copy = damaged_copy("flip", [&](const std::string& log) {
            std::string bytes = read_file(log);
            for (std::size_t i = 0; i < 16; ++i) {
                bytes[size / 2 + i] = static_cast<char>(~bytes[size / 2 + i]);
            }
            write_file(log, bytes);
        });
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite, true) == -1);
    }
    SECTION("the first record damaged") {
        const std::string copy = damaged_copy("first", [&](const std::string& log) {
            std::string bytes = read_file(log);
            bytes[20] ^= 0x01;
            write_file(log, bytes);
        });
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite, true) == -1);
    }
    SECTION("zero-filled") {
        const std::string copy = damaged_copy(
            "zero", [&](const std::string& log) { write_file(log, std::string(size, '\0')); });
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite, true) == -1);
    }
    SECTION("deleted") {
        const std::string copy =
            damaged_copy("deleted", [&](const std::string& log) { fs::remove(log); });
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite, true) == -1);
    }
    SECTION("a torn tail recovers the exact prefix") {
        const std::string copy =
            damaged_copy("torn", [&](const std::string& log) { fs::resize_file(log, size - 100); });
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == 11);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite) == 11);
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == 11);
    }
}

TEST_CASE("issue 9 case 3: the write-ahead logs stay bounded by max_wal_bytes", "[damage]") {
    testing::TempDir tmp;
    const std::string db = tmp.sub("db");
    StoreOptions options;
    options.create_if_missing = true;
    options.sync = true;
    options.max_wal_bytes = 256u << 10;
    options.write_buffer_bytes = 8u << 20;  // the memtables alone would hold everything
    auto wal_bytes = [&] {
        std::uint64_t sum = 0;
        for (const auto& entry : fs::directory_iterator(db)) {
            if (entry.path().extension() == ".log") sum += entry.file_size();
        }
        return sum;
    };
    std::uint64_t settled = 0;
    {
        auto opened = Store::open(db, OpenMode::kReadWrite, options);
        REQUIRE(opened.is_ok());
        for (CommitIndex c = 1; c <= 400; ++c) {  // about 4 MiB of objects
            CommitInput input;
            input.index = c;
            for (int k = 0; k < 10; ++k) {
                input.writes.push_back(
                    {id_of(k), c, std::string(1000, static_cast<char>('a' + k))});
            }
            REQUIRE((*opened)->commit(input).is_ok());
        }
        // RocksDB flushes in the background, so how far the logs overshoot the bound while
        // commits run depends on the machine's load; once its flushes are done they are within
        // the bound (plus the log being written). Without the bound all 4 MB stay.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        do {
            settled = wal_bytes();
            if (settled <= 2 * options.max_wal_bytes) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } while (std::chrono::steady_clock::now() < deadline);
    }
    INFO("write-ahead log bytes after the flushes " << settled);
    CHECK(settled <= 2 * options.max_wal_bytes);
    auto reopened = Store::open(db, OpenMode::kReadOnly);
    REQUIRE(reopened.is_ok());
    CHECK((*reopened)->status().applied_commit == 400);
}

// --- Meta that contradicts the data -----------------------------------------------------------

TEST_CASE("meta that contradicts the stored data is damage", "[damage]") {
    testing::TempDir tmp;
    const std::string original = tmp.sub("original");
    const Built built = build(original, 3, 40, 50, false, 16);
    auto damaged = [&](const std::string& name, std::string_view key, const common::Bytes& value) {
        std::string copy = tmp.sub(name);  // not const: returned by move
        copy_dir(original, copy);
        put_meta_raw(copy, key, value);
        return copy;
    };
    common::Bytes v;
    SECTION("shard_count 16 -> 1") {
        common::put_be32(v, 1);
        const std::string copy = damaged("shards", kMetaShardCount, v);
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite, true) == -1);
    }
    SECTION("applied_commit 2^64-1") {
        common::put_be64(v, ~std::uint64_t{0});
        const std::string copy = damaged("applied", kMetaAppliedCommit, v);
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
    }
    SECTION("applied_commit behind the commit records") {
        common::put_be64(v, 1);
        const std::string copy = damaged("behind", kMetaAppliedCommit, v);
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
    }
    SECTION("format_version missing while data is stored") {
        const std::string copy = tmp.sub("noversion");
        copy_dir(original, copy);
        rocksdb::DBOptions options;
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
        for (auto name : kColumnFamilies)
            cfs.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        REQUIRE(rocksdb::DB::Open(options, copy, cfs, &handles, &raw).ok());
        REQUIRE(
            raw->Delete(rocksdb::WriteOptions(), handles[1], std::string(kMetaFormatVersion)).ok());
        for (auto* h : handles) REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
        delete raw;
        CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == -1);
        CHECK(open_and_check(copy, built, OpenMode::kReadWrite, true) == -1);
    }
}

// --- Generated damage -------------------------------------------------------------------------

namespace {

enum class Action { kTruncate, kFlip, kZero, kDelete };
const char* action_name(Action a) {
    switch (a) {
        case Action::kTruncate:
            return "truncate";
        case Action::kFlip:
            return "flip";
        case Action::kZero:
            return "zero";
        case Action::kDelete:
            return "delete";
    }
    return "?";
}

// Damages `path` at `offset` (clamped into the file): truncate there, flip 16 bytes there,
// zero 4 KiB from there, or delete the file.
void damage(const std::string& path, Action action, std::uint64_t offset) {
    const std::uint64_t size = fs::file_size(path);
    const std::uint64_t at = size == 0 ? 0 : offset % size;
    switch (action) {
        case Action::kTruncate:
            fs::resize_file(path, at);
            break;
        case Action::kDelete:
            fs::remove(path);
            break;
        case Action::kFlip:
        case Action::kZero: {
            std::string bytes = read_file(path);
            const std::uint64_t n = action == Action::kFlip ? 16 : 4096;
            for (std::uint64_t i = at; i < std::min<std::uint64_t>(size, at + n); ++i) {
                bytes[i] = action == Action::kFlip ? static_cast<char>(bytes[i] ^ 0xff) : '\0';
            }
            write_file(path, bytes);
            break;
        }
    }
}

// Every file kind of a store: the MANIFEST, CURRENT, OPTIONS, each write-ahead log and each
// table file (one per column family with data, since every flush is atomic across them).
std::vector<std::string> damageable_files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name == "CURRENT" || name.rfind("MANIFEST-", 0) == 0 ||
            name.rfind("OPTIONS-", 0) == 0 || entry.path().extension() == ".log" ||
            entry.path().extension() == ".sst") {
            out.push_back(name);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void sweep(std::uint64_t seed, int offsets_per_file) {
    testing::TempDir tmp("remora-damage");
    // Two stores: one whose data is only in its log, one flushed to table files with one more
    // commit in a new log.
    const std::string logged = tmp.sub("logged");
    const Built logged_built = build(logged, 6, 20, 300);
    const std::string flushed = tmp.sub("flushed");
    Built flushed_built = build(flushed, 4, 20, 300, /*flushed=*/true);
    std::mt19937_64 rng(seed);
    int case_number = 0;
    for (const auto* store : {&logged, &flushed}) {
        const Built& built = store == &logged ? logged_built : flushed_built;
        for (const std::string& file : damageable_files(*store)) {
            for (Action action :
                 {Action::kTruncate, Action::kFlip, Action::kZero, Action::kDelete}) {
                const int rounds = action == Action::kDelete ? 1 : offsets_per_file;
                for (int r = 0; r < rounds; ++r) {
                    const std::uint64_t offset = rng();
                    const std::string copy = tmp.sub("case-" + std::to_string(case_number++));
                    copy_dir(*store, copy);
                    damage(copy + "/" + file, action, offset);
                    INFO("seed " << seed << ": " << action_name(action) << " " << file << " at "
                                 << offset << " (" << copy << ")");
                    const long long ro = open_and_check(copy, built, OpenMode::kReadOnly);
                    const long long rw = open_and_check(copy, built, OpenMode::kReadWrite, true);
                    if (ro >= 0 && rw >= 0) CHECK(rw == ro);
                    // Whatever a read-write open did, the store still opens at the same commit.
                    if (rw >= 0) CHECK(open_and_check(copy, built, OpenMode::kReadOnly) == rw);
                    fs::remove_all(copy);
                }
            }
        }
    }
}

}  // namespace

TEST_CASE("generated damage to every file kind opens a provable state or is refused", "[damage]") {
    const std::uint64_t seed = env_or("REMORA_DAMAGE_SEED", std::random_device{}());
    std::printf("store_damage_test seed %llu\n", static_cast<unsigned long long>(seed));
    sweep(seed, 1);
}

TEST_CASE("generated damage, many offsets", "[.][slow]") {
    const std::uint64_t seed = env_or("REMORA_DAMAGE_SEED", std::random_device{}());
    std::printf("store_damage_test seed %llu\n", static_cast<unsigned long long>(seed));
    sweep(seed, 12);
}

// --- A full disk ------------------------------------------------------------------------------

namespace {

// A file system whose writes fail with "no space" while `full` is set: appends to open files
// and the creation of new files alike, as ENOSPC does.
class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
public:
    explicit FullDiskFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
        : rocksdb::FileSystemWrapper(base) {}
    const char* Name() const override { return "FullDiskFileSystem"; }

    std::atomic<bool> full{false};
    std::atomic<bool> eio{false};  // fail with a plain I/O error instead of "no space"
    std::atomic<int> refused{0};
    std::atomic<bool> sync_fails{false};
    std::atomic<int> syncs_refused{0};

    class File : public rocksdb::FSWritableFileOwnerWrapper {
    public:
        File(std::unique_ptr<rocksdb::FSWritableFile> file, FullDiskFileSystem& fs)
            : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), m_fs(fs) {}
        rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                 rocksdb::IODebugContext* dbg) override {
            if (m_fs.full) return m_fs.no_space();
            return FSWritableFileOwnerWrapper::Append(data, options, dbg);
        }
        rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                 const rocksdb::DataVerificationInfo& info,
                                 rocksdb::IODebugContext* dbg) override {
            if (m_fs.full) return m_fs.no_space();
            return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
        }
        // fsync and fdatasync fail while `sync_fails` is set: what a dying disk reports.
        rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
            if (m_fs.sync_fails) return m_fs.sync_error();
            return FSWritableFileOwnerWrapper::Sync(options, dbg);
        }
        rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
            if (m_fs.sync_fails) return m_fs.sync_error();
            return FSWritableFileOwnerWrapper::Fsync(options, dbg);
        }

    private:
        FullDiskFileSystem& m_fs;
    };

    rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
        if (full) return no_space();
        std::unique_ptr<rocksdb::FSWritableFile> file;
        rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
        if (s.ok()) *result = std::make_unique<File>(std::move(file), *this);
        return s;
    }
    rocksdb::IOStatus ReopenWritableFile(const std::string& name,
                                         const rocksdb::FileOptions& options,
                                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                                         rocksdb::IODebugContext* dbg) override {
        if (full) return no_space();
        std::unique_ptr<rocksdb::FSWritableFile> file;
        rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
        if (s.ok()) *result = std::make_unique<File>(std::move(file), *this);
        return s;
    }

    rocksdb::IOStatus sync_error() {
        ++syncs_refused;
        return rocksdb::IOStatus::IOError("simulated fsync failure");
    }
    rocksdb::IOStatus no_space() {
        ++refused;
        return eio ? rocksdb::IOStatus::IOError("simulated EIO")
                   : rocksdb::IOStatus::NoSpace("simulated full disk");
    }
};

}  // namespace

TEST_CASE("a full disk stops commits, loses nothing, and commits resume once space returns",
          "[damage]") {
    testing::TempDir tmp;
    const std::string db = tmp.sub("db");
    auto fs = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    // ENOSPC, which RocksDB's file manager recovers from by itself, and EIO, which only the
    // store's resume on the next commit recovers from.
    const bool eio = GENERATE(false, true);
    fs->eio = eio;
    const char* const why = eio ? "simulated EIO" : "space";
    bool needs_restart = eio;
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    Built built;
    {
        StoreOptions options;
        options.create_if_missing = true;
        options.env = env.get();
        auto opened = Store::open(db, OpenMode::kReadWrite, options);
        REQUIRE(opened.is_ok());
        Store& store = **opened;
        built.after.push_back(store.status());
        for (int c = 1; c <= 5; ++c) commit_next(store, built, 20, 100);

        fs->full = true;
        for (int attempt = 0; attempt < 3; ++attempt) {
            CommitInput input;
            input.index = 6;
            input.writes.push_back({id_of(1), 6, std::string("while full")});
            Status s = store.commit(input);
            INFO(s.to_string());
            CHECK(s.code() == Code::kIoError);
            CHECK_THAT(s.message(), Catch::Contains(why));
            CHECK(store.status().applied_commit == 5);
            CHECK(store.status().state_digest == built.after[5].state_digest);
        }
        CHECK(fs->refused > 0);
        // Reads still answer from what was committed.
        auto newest = store.get_latest(id_of(0));
        REQUIRE(newest.is_ok());
        CHECK((*newest)->version == 5);

        fs->full = false;
        if (eio) {
            // RocksDB takes a failed log write that is not "no space" as fatal for this open:
            // the store keeps refusing, saying why, until it is reopened.
            CommitInput input;
            input.index = 6;
            input.writes.push_back({id_of(1), 6, std::string("after")});
            Status s = store.commit(input);
            CHECK(s.code() == Code::kIoError);
            CHECK_THAT(s.message(), Catch::Contains(why));
            CHECK(store.status().applied_commit == 5);
        } else {
            // RocksDB recovers from "no space" by itself once its file manager sees room (it
            // polls), and refuses a manual resume meanwhile: commit 6 usually goes through
            // soon. Not always: its recovery was seen to give up (in about half the runs of
            // one session), and then only a reopen commits again, as after EIO below.
            const auto start = std::chrono::steady_clock::now();
            Status resumed;
            for (;;) {
                CommitInput input;
                input.index = 6;
                input.writes.push_back({id_of(1), 6, std::string("after")});
                input.transactions.push_back({common::blake2b_256("tx-6"), 0});
                resumed = store.commit(input);
                if (resumed.is_ok() ||
                    std::chrono::steady_clock::now() - start > std::chrono::seconds(10)) {
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            if (resumed.is_ok()) {
                built.after.push_back(store.status());
                commit_next(store, built, 20, 100);
                CHECK(store.status().applied_commit == 7);
            } else {
                // Still refused: with the reason, and with nothing lost.
                INFO(resumed.to_string());
                CHECK(resumed.code() == Code::kIoError);
                CHECK_THAT(resumed.message(), Catch::Contains(why));
                CHECK(store.status().applied_commit == 5);
                needs_restart = true;
            }
        }
    }
    if (needs_restart) {
        // A reopen (a restart) has every acknowledged commit and commits again.
        CHECK(open_and_check(db, built, OpenMode::kReadOnly) == 5);
        auto reopened = Store::open(db, OpenMode::kReadWrite);
        REQUIRE(reopened.is_ok());
        commit_next(**reopened, built, 20, 100);
        commit_next(**reopened, built, 20, 100);
    }
    // Reopened without the failing file system: every acknowledged commit, nothing else.
    CHECK(open_and_check(db, built, OpenMode::kReadOnly) == 7);
    CHECK(open_and_check(db, built, OpenMode::kReadWrite) == 7);
}

namespace {

// A new store in `db` on `env` with a commit pipeline of `depth`, holding commits 1..5, durable.
std::unique_ptr<Store> five_durable_commits(const std::string& db, rocksdb::Env* env,
                                            std::size_t depth, Built& built) {
    StoreOptions options;
    options.create_if_missing = true;
    options.env = env;
    options.pipeline_depth = depth;
    auto opened = Store::open(db, OpenMode::kReadWrite, options);
    REQUIRE(opened.is_ok());
    std::unique_ptr<Store> store = std::move(opened).value();
    built.after.push_back(store->status());
    for (int c = 1; c <= 5; ++c) commit_next(*store, built, 20, 100);
    auto durable = store->wait_durable(5);
    REQUIRE(durable.is_ok());
    REQUIRE(durable.value() == 5);
    return store;
}

}  // namespace

TEST_CASE("a write that fails in the commit pipeline takes the store back to the last written",
          "[damage][pipeline]") {
    testing::TempDir tmp;
    const std::string db = tmp.sub("db");
    auto fs = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    fs->eio = true;  // fatal to this open: nothing is written until a reopen
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    Built built;
    {
        std::unique_ptr<Store> opened = five_durable_commits(db, env.get(), 2, built);
        Store& store = *opened;

        fs->full = true;
        // Commit 6 is applied and handed to the writer, whose write fails; commit 6 or a later
        // call reports it, and the store is back at commit 5 either way.
        CommitInput input;
        input.index = 6;
        input.writes.push_back({id_of(0), 6, std::string("never written")});
        input.transactions.push_back({common::blake2b_256("tx-6"), 0});
        Status first = store.commit(input);
        if (first.is_ok()) {
            CHECK(store.status().applied_commit == 6);
            auto failed = store.wait_durable(6);
            REQUIRE_FALSE(failed.is_ok());
            CHECK(failed.status().code() == Code::kIoError);
            CHECK_THAT(failed.status().message(), Catch::Contains("simulated EIO"));
        } else {
            CHECK(first.code() == Code::kIoError);
        }
        CHECK(store.status().applied_commit == 5);
        CHECK(store.status().state_digest == built.after[5].state_digest);
        CHECK(store.status().live_objects == built.after[5].live_objects);
        // Reads forget the commit that never happened.
        auto newest = store.get_latest(id_of(0));
        REQUIRE(newest.is_ok());
        CHECK((*newest)->version == 5);
        auto tx = store.transaction_commit(common::blake2b_256("tx-6"));
        REQUIRE(tx.is_ok());
        CHECK_FALSE(tx.value().has_value());
        // And the store keeps refusing, saying why, until it is reopened.
        fs->full = false;
        Status again = store.commit(input);
        CHECK(again.code() == Code::kIoError);
        CHECK(store.status().applied_commit == 5);
    }
    CHECK(open_and_check(db, built, OpenMode::kReadOnly) == 5);
    {
        StoreOptions options;
        options.pipeline_depth = 2;
        auto reopened = Store::open(db, OpenMode::kReadWrite, options);
        REQUIRE(reopened.is_ok());
        commit_next(**reopened, built, 20, 100);
        commit_next(**reopened, built, 20, 100);
    }
    CHECK(open_and_check(db, built, OpenMode::kReadOnly) == 7);
}

TEST_CASE(
    "a failed fsync in the commit pipeline stops commits until a reopen, which keeps a "
    "prefix",
    "[damage][pipeline]") {
    // With `sync`, the pipeline writes a commit to the log and the memtables, then a second
    // thread fsyncs the log: when that fsync fails, RocksDB already holds the commit, so the
    // store must not take it back and carry on (a later commit would build on a state that
    // may not survive). It refuses every commit, saying why, and a reopen keeps what the log
    // holds: every durable commit, and the others only as a prefix.
    testing::TempDir tmp;
    const std::string db = tmp.sub("db");
    auto fs = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    const std::size_t depth = GENERATE(1u, 2u);
    Built built;
    {
        std::unique_ptr<Store> opened = five_durable_commits(db, env.get(), depth, built);
        Store& store = *opened;

        fs->sync_fails = true;
        commit_next(store, built, 20, 100);  // applied and handed over: commit() returns ok
        auto failed = store.wait_durable(6);
        REQUIRE_FALSE(failed.is_ok());
        CHECK(failed.status().code() == Code::kIoError);
        CHECK_THAT(failed.status().message(), Catch::Contains("simulated fsync failure"));
        CHECK_THAT(failed.status().message(), Catch::Contains("every commit up to 5 is durable"));
        CHECK_THAT(failed.status().message(), Catch::Contains("reopened"));
        CHECK(fs->syncs_refused > 0);
        // The store stays where it was applied: RocksDB holds commit 6.
        CHECK(store.status().applied_commit == 6);
        auto newest = store.get_latest(id_of(0));
        REQUIRE(newest.is_ok());
        CHECK((*newest)->version == 6);

        // The disk answers again, and still no commit is taken before a reopen.
        fs->sync_fails = false;
        for (int attempt = 0; attempt < 2; ++attempt) {
            CommitInput input;
            input.index = 7;
            input.writes.push_back({id_of(0), 7, std::string("refused")});
            Status s = store.commit(input);
            INFO(s.to_string());
            CHECK(s.code() == Code::kIoError);
            CHECK_THAT(s.message(), Catch::Contains("reopened"));
            CHECK(store.status().applied_commit == 6);
        }
        auto still = store.durable_commit();
        CHECK_FALSE(still.is_ok());
    }
    // The write reached the file (only its fsync failed), so the reopened store has commit 6;
    // open_and_check compares it with the state commit 6 applied.
    const long long reopened_at = open_and_check(db, built, OpenMode::kReadOnly);
    CHECK(reopened_at >= 5);
    CHECK(reopened_at <= 6);
    {
        StoreOptions options;
        options.pipeline_depth = depth;
        auto reopened = Store::open(db, OpenMode::kReadWrite, options);
        REQUIRE(reopened.is_ok());
        built.after.resize(static_cast<std::size_t>((*reopened)->status().applied_commit) + 1);
        commit_next(**reopened, built, 20, 100);
        REQUIRE((*reopened)->wait_durable((*reopened)->status().applied_commit).is_ok());
    }
    CHECK(open_and_check(db, built, OpenMode::kReadOnly) == reopened_at + 1);
}

// --- Beside a live writer -----------------------------------------------------------------------

TEST_CASE("read-only opens beside a writer that flushes and releases logs never see damage",
          "[damage]") {
    testing::TempDir tmp;
    const std::string db = tmp.sub("db");
    StoreOptions options;
    options.create_if_missing = true;
    options.sync = false;
    options.max_wal_bytes = 64u << 10;  // a log switch and a flush every few commits
    options.write_buffer_bytes = 256u << 10;
    auto opened = Store::open(db, OpenMode::kReadWrite, options);
    REQUIRE(opened.is_ok());
    Store& writer = **opened;
    Built built;
    built.after.push_back(writer.status());
    std::atomic<bool> done{false};
    std::thread thread([&] {
        for (int c = 1; c <= 300; ++c) {
            CommitInput input;
            input.index = static_cast<CommitIndex>(c);
            for (int k = 0; k < 10; ++k) {
                input.writes.push_back({id_of(c * 100 + k), 1, std::string(500, 'w')});
            }
            if (!writer.commit(input).is_ok()) break;
            built.after.push_back(writer.status());
        }
        done = true;
    });
    std::vector<std::pair<CommitIndex, common::Digest>> seen;
    std::vector<std::string> failures;
    while (!done) {
        auto reader = Store::open(db, OpenMode::kReadOnly);
        if (!reader) {
            failures.push_back(reader.status().to_string());
            continue;
        }
        seen.emplace_back((*reader)->status().applied_commit, (*reader)->status().state_digest);
    }
    thread.join();
    INFO((failures.empty() ? std::string() : failures.front()));
    CHECK(failures.empty());
    CHECK(built.after.size() == 301);
    CHECK(!seen.empty());
    for (const auto& [commit, digest] : seen) {
        REQUIRE(commit < built.after.size());
        CHECK(digest == built.after[commit].state_digest);
    }
}
