// Create, list and restore: a snapshot restores the store exactly as it was at its commit, even
// after the source has moved on.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "recovery/snapshot.h"
#include "tests/recovery/snapshot_fixture.h"

namespace remora::testing {
namespace {

namespace fs = std::filesystem;
using common::Code;
using recovery::SnapshotInfo;

constexpr common::CommitIndex kSnapshotCommit = 40;
constexpr common::CommitIndex kLaterCommit = 70;

// Every read the restored store offers equals the oracle at the snapshot's commit, and its
// commit records equal the source's (which later commits do not change).
void require_store_equals(storage::Store& restored, const StoreOracle& expected,
                          storage::Store& source) {
    REQUIRE(diff_status(restored, expected) == "");
    for (const common::ObjectId& id : all_pool_ids()) {
        INFO("object " << id.hex());
        REQUIRE(diff_object(restored, expected, id) == "");
    }
    for (common::CommitIndex i = 1; i <= expected.applied_commit(); ++i) {
        INFO("commit " << i);
        storage::CommitRecord got = require_ok(restored.read_commit(i));
        storage::CommitRecord want = require_ok(source.read_commit(i));
        REQUIRE(got.index == i);
        REQUIRE(got.state_digest == want.state_digest);
        REQUIRE(got.live_objects == want.live_objects);
        REQUIRE(got.writes == want.writes);
        REQUIRE(got.body == want.body);
        REQUIRE(got.body == expected.commit(i)->body);
        REQUIRE(got.transactions == want.transactions);
    }
    REQUIRE(restored.read_commit(expected.applied_commit() + 1).status().code() == Code::kNotFound);
}

TEST_CASE("snapshot round trip: restore equals the source at the snapshot's commit", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    SourceStore source(tmp.sub("store"), /*seed=*/11);
    source.commit_until(kSnapshotCommit);
    const StoreOracle at_snapshot = source.oracle();
    const storage::StoreStatus status_at_snapshot = source.store().status();

    SnapshotInfo created = require_ok(recovery::create_snapshot(source.store()));
    REQUIRE(created.path ==
            recovery::snapshots_dir(source.dir()) + "/snapshot-" + std::string(20 - 2, '0') + "40");
    REQUIRE(created.manifest.commit_index == kSnapshotCommit);
    REQUIRE(created.manifest.state_digest == at_snapshot.expected_digest());
    REQUIRE(created.manifest.live_objects == at_snapshot.live_objects());
    REQUIRE(created.manifest.shard_count == 4);
    REQUIRE(created.manifest.store_format_version == storage::kFormatVersion);
    REQUIRE_FALSE(created.manifest.files.empty());
    REQUIRE(require_ok(recovery::read_manifest(created.path)) == created.manifest);

    // The source moves on: more commits (updates, deletions, creations) and a second snapshot.
    source.commit_until(kLaterCommit);
    REQUIRE(source.store().status().state_digest != status_at_snapshot.state_digest);
    SnapshotInfo later = require_ok(recovery::create_snapshot(source.store()));

    auto listed = require_ok(recovery::list_snapshots(recovery::snapshots_dir(source.dir())));
    REQUIRE(listed.size() == 2);
    REQUIRE(listed[0].path == created.path);
    REQUIRE(listed[0].manifest == created.manifest);
    REQUIRE(listed[1].path == later.path);
    REQUIRE(listed[1].manifest.commit_index == kLaterCommit);

    // Verification writes nothing into the snapshot (RocksDB's read-only open creates no LOG or
    // LOCK file), so it passes again and db/ still holds exactly the listed files.
    for (int round = 0; round < 2; ++round) {
        SnapshotInfo verified = require_ok(recovery::verify_snapshot(created.path));
        REQUIRE(verified.manifest == created.manifest);
    }
    std::vector<std::string> db_files;
    for (const auto& entry : fs::directory_iterator(created.path + "/db")) {
        db_files.push_back(entry.path().filename());
    }
    std::sort(db_files.begin(), db_files.end());
    REQUIRE(db_files.size() == created.manifest.files.size());
    for (std::size_t i = 0; i < db_files.size(); ++i) {
        REQUIRE(db_files[i] == created.manifest.files[i].name);
    }

    const std::string target = tmp.sub("restored/node");
    SnapshotInfo restored = require_ok(recovery::restore_snapshot(created.path, target));
    REQUIRE(restored.manifest == created.manifest);
    REQUIRE_FALSE(fs::exists(target + ".tmp-restore"));
    {
        auto store = require_ok(storage::Store::open(target, storage::OpenMode::kReadOnly));
        REQUIRE(store->status().state_digest == status_at_snapshot.state_digest);
        REQUIRE(store->status().applied_commit == kSnapshotCommit);
        REQUIRE(require_ok(store->recompute_digest()).state_digest ==
                status_at_snapshot.state_digest);
        require_store_equals(*store, at_snapshot, source.store());
    }
    // The restored files are copies: the source and its snapshots hold other inodes.
    for (const auto& entry : fs::directory_iterator(target)) {
        if (entry.is_regular_file()) REQUIRE(fs::hard_link_count(entry.path()) == 1);
    }

    // A restored store is a working store: fed the source's later commits it reaches the
    // source's digest.
    auto store = require_ok(storage::Store::open(target, storage::OpenMode::kReadWrite));
    StoreOracle oracle = at_snapshot;
    for (common::CommitIndex i = kSnapshotCommit + 1; i <= kLaterCommit; ++i) {
        storage::CommitInput input = generate_commit(/*seed=*/11, i, oracle);
        REQUIRE(store->commit(input).is_ok());
        oracle.apply(input);
    }
    REQUIRE(store->status().state_digest == source.store().status().state_digest);
}

}  // namespace
}  // namespace remora::testing
