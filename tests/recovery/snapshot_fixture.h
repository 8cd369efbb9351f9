#pragma once
// Shared by the recovery tests: a source store fed by the deterministic commit generator with
// the in-memory oracle beside it (tests/support/store_oracle.h), and ways to damage a snapshot.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "common/bytes.h"
#include "recovery/snapshot.h"
#include "storage/store.h"
#include "tests/support/store_oracle.h"
#include "tests/support/temp_dir.h"

namespace remora::testing {

// A read-write store in `dir` (created) and the oracle fed the same generated commits.
class SourceStore {
public:
    SourceStore(std::string dir, std::uint64_t seed, std::uint32_t shard_count = 4);

    storage::Store& store() { return *m_store; }
    const StoreOracle& oracle() const { return m_oracle; }
    const std::string& dir() const { return m_dir; }

    // Applies generated commits until the applied commit is `last`; REQUIREs each succeeds.
    void commit_until(common::CommitIndex last);
    void close() { m_store.reset(); }

private:
    std::string m_dir;
    std::uint64_t m_seed;
    std::unique_ptr<storage::Store> m_store;
    StoreOracle m_oracle;
};

// REQUIREs that `result` is ok (printing its status otherwise) and returns its value.
template <typename T>
T require_ok(common::Result<T> result) {
    INFO("status: " << (result ? std::string("ok") : result.status().to_string()));
    REQUIRE(result.is_ok());
    return std::move(result).value();
}

// The first file of `<snapshot>/db` whose name starts with `prefix` and ends with `suffix`;
// REQUIREs that one exists.
std::string find_db_file(const std::string& snapshot_path, const std::string& prefix,
                         const std::string& suffix = "");

// XORs the byte at `offset` (REQUIRES: inside the file) with 0x01.
void flip_byte(const std::string& path, std::uint64_t offset);

// A real (not hard-linked) copy of the snapshot directory into `parent`, same base name; returns
// its path. Damaging the copy cannot touch the source store through shared hard links.
std::string copy_snapshot(const std::string& snapshot_path, const std::string& parent);

// Replaces the snapshot's manifest with `bytes`.
void overwrite_manifest(const std::string& snapshot_path, common::ByteView bytes);

// Every id the generator may write (its pool), for object-by-object comparisons.
std::vector<common::ObjectId> all_pool_ids();

}  // namespace remora::testing
