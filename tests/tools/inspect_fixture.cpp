#include "tests/tools/inspect_fixture.h"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include "common/hash.h"
#include "storage/keys.h"

namespace remora::testing {
namespace {

storage::ObjectWrite put(const common::ObjectId& id, common::Version version, std::string payload) {
    return {id, version, std::move(payload)};
}

storage::ObjectWrite erase(const common::ObjectId& id, common::Version version) {
    return {id, version, std::nullopt};
}

storage::TxLocation tx(const std::string& label, std::uint32_t position) {
    return {common::blake2b_256("tx/" + label), position};
}

}  // namespace

common::ObjectId test_id(const std::string& label) { return common::blake2b_256(label); }

InspectStore::InspectStore()
    : db(tmp.sub("db")),
      a(test_id("object-a")),
      b(test_id("object-b")),
      c(test_id("object-c")),
      d(test_id("object-d")),
      unknown(test_id("object-never-written")) {
    storage::StoreOptions options;
    options.create_if_missing = true;
    options.shard_count = shard_count;
    auto opened = storage::Store::open(db, storage::OpenMode::kReadWrite, options);
    INFO((opened ? "" : opened.status().to_string()));
    REQUIRE(opened.is_ok());
    storage::Store& store = **opened;
    status_after[0] = store.status();

    std::vector<storage::CommitInput> commits(3);
    commits[0] = {1,
                  {put(a, 1, "alpha-1"), put(b, 1, "beta"), put(c, 1, "")},
                  "commit-1",
                  {tx("one", 0), tx("two", 1)}};
    commits[1] = {2, {put(a, 2, "alpha-2"), erase(b, 2)}, "commit-two", {tx("three", 0)}};
    commits[2] = {3, {put(a, 5, std::string("\x00\xff\x41", 3)), put(d, 3, "delta")}, "", {}};
    for (const auto& commit : commits) {
        common::Status committed = store.commit(commit);
        INFO(committed.to_string());
        REQUIRE(committed.is_ok());
        status_after[commit.index] = store.status();
    }
    for (const auto& id : {a, b, c, d}) shard[id] = store.shard_of(id);
}

std::unique_ptr<storage::Store> InspectStore::open_read_write() const {
    auto opened = storage::Store::open(db, storage::OpenMode::kReadWrite);
    INFO((opened ? "" : opened.status().to_string()));
    REQUIRE(opened.is_ok());
    return std::move(opened).value();
}

ChildResult inspect(const std::vector<std::string>& args) {
    return run_child(REMORA_INSPECT_PATH, args);
}

ChildResult inspect_on_terminal(const std::string& args) {
    return run_child_for("/usr/bin/script",
                         {"--quiet", "--flush", "--return", "--command",
                          std::string(REMORA_INSPECT_PATH) + " " + args, "/dev/null"},
                         std::chrono::seconds(120));
}

Json parse_single_json(const ChildResult& result) {
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    Json json;
    // parse() rejects trailing content, so this also checks "exactly one JSON value".
    REQUIRE_NOTHROW(json = Json::parse(result.out));
    REQUIRE(json.is_object());
    return json;
}

void put_meta_raw(const std::string& db, const std::string& key, const common::Bytes& value) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (std::string_view name : storage::kColumnFamilies) {
        descriptors.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status opened =
        rocksdb::DB::Open(rocksdb::DBOptions(), db, descriptors, &handles, &raw);
    INFO(opened.ToString());
    REQUIRE(opened.ok());
    std::unique_ptr<rocksdb::DB> rocks(raw);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    static_assert(storage::kColumnFamilies[1] == storage::kCfMeta);
    rocksdb::Status written = rocks->Put(sync, handles[1], key, value);
    for (auto* handle : handles) REQUIRE(rocks->DestroyColumnFamilyHandle(handle).ok());
    REQUIRE(written.ok());
    REQUIRE(rocks->Close().ok());
}

}  // namespace remora::testing
