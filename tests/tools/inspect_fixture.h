#pragma once
// A small populated store for the remora-inspect tests, and helpers to run the real binary.
//
// The store (4 shards) holds three commits:
//   1: A v1 "alpha-1", B v1 "beta", C v1 "" (empty payload); 2 transactions; body "commit-1"
//   2: A v2 "alpha-2", B v2 deleted (tombstone);             1 transaction;  body "commit-two"
//   3: A v5 bytes {00 ff 41}, D v3 "delta";                  no transaction; empty body
// so A has versions 1, 2, 5; B 1 and a tombstone at 2; live objects after commit 3: A, C, D.

#include <array>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace remora::testing {

using Json = nlohmann::json;

struct InspectStore {
    TempDir tmp{"remora-inspect"};
    std::string db;  // tmp.sub("db")
    common::ObjectId a, b, c, d;
    common::ObjectId unknown;                            // never written
    std::array<storage::StoreStatus, 4> status_after{};  // [i] = status after commit i
    std::map<common::ObjectId, std::uint32_t> shard;     // shard of a, b, c, d
    std::uint32_t shard_count = 4;
    std::uint64_t transactions_total = 3;

    InspectStore();  // creates, commits and closes the store

    const storage::StoreStatus& final_status() const { return status_after[3]; }
    // Opens the store read-write (for tests that need it held, or a library call).
    std::unique_ptr<storage::Store> open_read_write() const;
};

// Runs the remora-inspect binary built with this test.
ChildResult inspect(const std::vector<std::string>& args);
// `remora-inspect ARGS` (a shell command line's words) with stdout and stderr on a
// pseudo-terminal, through util-linux `script`: what the terminal showed is in `out`.
ChildResult inspect_on_terminal(const std::string& args);

// The single JSON object on stdout; REQUIREs that stdout is exactly one object.
Json parse_single_json(const ChildResult& result);

// Writes one `meta` key with raw RocksDB (bypassing the store), to damage a store on purpose.
void put_meta_raw(const std::string& db, const std::string& key, const common::Bytes& value);

// The id with a fixed, readable derivation: BLAKE2b-256 of `label`.
common::ObjectId test_id(const std::string& label);

}  // namespace remora::testing
