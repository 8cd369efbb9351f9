// Creating and listing snapshots: names, refusals, and what list ignores or reports.

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "recovery/snapshot.h"
#include "recovery/snapshot_manifest.h"
#include "tests/recovery/snapshot_fixture.h"

namespace remora::testing {
namespace {

namespace fs = std::filesystem;
using common::Code;

std::vector<std::string> entry_names(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

TEST_CASE("snapshot names encode the commit in 20 digits", "[snapshot]") {
    REQUIRE(recovery::snapshot_name(0) == "snapshot-00000000000000000000");
    REQUIRE(recovery::snapshot_name(42) == "snapshot-00000000000000000042");
    REQUIRE(recovery::snapshot_name(UINT64_MAX) == "snapshot-18446744073709551615");
    REQUIRE(recovery::parse_snapshot_name("snapshot-00000000000000000042") == 42u);
    REQUIRE(recovery::parse_snapshot_name("snapshot-18446744073709551615") == UINT64_MAX);
    REQUIRE_FALSE(recovery::parse_snapshot_name("snapshot-18446744073709551616"));  // 2^64
    REQUIRE_FALSE(recovery::parse_snapshot_name("snapshot-42"));
    REQUIRE_FALSE(recovery::parse_snapshot_name("snapshot-0000000000000000004x"));
    REQUIRE_FALSE(recovery::parse_snapshot_name(".tmp-snapshot-00000000000000000042-17"));
    REQUIRE(recovery::snapshots_dir("/var/lib/remora/") == "/var/lib/remora/snapshots");
}

TEST_CASE("creating a snapshot twice at the same commit is refused", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    SourceStore source(tmp.sub("store"), /*seed=*/3);
    source.commit_until(5);
    auto first = require_ok(recovery::create_snapshot(source.store()));

    auto second = recovery::create_snapshot(source.store());
    REQUIRE(second.status().code() == Code::kAlreadyExists);
    REQUIRE_THAT(second.status().message(), Catch::Contains(first.path));
    // Nothing was left behind, and the first snapshot is intact.
    REQUIRE(entry_names(recovery::snapshots_dir(source.dir())) ==
            std::vector<std::string>{recovery::snapshot_name(5)});
    REQUIRE(recovery::verify_snapshot(first.path).is_ok());

    // The next commit gets its own snapshot.
    source.commit_until(6);
    REQUIRE(recovery::create_snapshot(source.store()).is_ok());
}

TEST_CASE("list ignores temporaries and foreign names; create clears temporaries", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    const std::string dir = tmp.sub("store/snapshots");
    REQUIRE(require_ok(recovery::list_snapshots(dir)).empty());  // no directory yet

    SourceStore source(tmp.sub("store"), /*seed=*/5);
    source.commit_until(3);
    auto at3 = require_ok(recovery::create_snapshot(source.store()));

    // An interrupted creation: a temporary with a checkpoint and even a valid manifest.
    const std::string leftover = dir + "/.tmp-" + recovery::snapshot_name(9) + "-12345";
    fs::copy(at3.path, leftover, fs::copy_options::recursive);
    fs::create_directories(dir + "/" + recovery::snapshot_name(7) + ".old");  // foreign names
    std::ofstream(dir + "/README") << "not a snapshot\n";
    std::ofstream(dir + "/" + recovery::snapshot_name(8)) << "a file, not a directory\n";

    auto listed = require_ok(recovery::list_snapshots(dir));
    REQUIRE(listed.size() == 1);
    REQUIRE(listed[0].path == at3.path);

    source.commit_until(4);
    auto at4 = require_ok(recovery::create_snapshot(source.store()));
    REQUIRE_FALSE(fs::exists(leftover));  // creation in the store's own directory clears them
    listed = require_ok(recovery::list_snapshots(dir));
    REQUIRE(listed.size() == 2);
    REQUIRE(listed[1].path == at4.path);
}

TEST_CASE("snapshots go into another directory on request", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    SourceStore source(tmp.sub("store"), /*seed=*/6);
    source.commit_until(2);
    auto info = require_ok(recovery::create_snapshot(source.store(), tmp.sub("elsewhere/snaps/")));
    REQUIRE(info.path == tmp.sub("elsewhere/snaps") + "/" + recovery::snapshot_name(2));
    REQUIRE_FALSE(fs::exists(recovery::snapshots_dir(source.dir())));
    REQUIRE(recovery::verify_snapshot(info.path).is_ok());
    REQUIRE(require_ok(recovery::list_snapshots(tmp.sub("elsewhere/snaps"))).size() == 1);
}

TEST_CASE("a snapshot needs a read-write store", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    {
        SourceStore source(tmp.sub("store"), /*seed=*/7);
        source.commit_until(2);
    }
    auto store = require_ok(storage::Store::open(tmp.sub("store"), storage::OpenMode::kReadOnly));
    auto created = recovery::create_snapshot(*store);
    REQUIRE(created.status().code() == Code::kInvalidArgument);
}

TEST_CASE("list reports a damaged snapshot instead of hiding it", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    SourceStore source(tmp.sub("store"), /*seed=*/8);
    source.commit_until(2);
    auto info = require_ok(recovery::create_snapshot(source.store()));
    const std::string dir = recovery::snapshots_dir(source.dir());

    SECTION("unreadable manifest") {
        overwrite_manifest(info.path, "garbage");
        auto listed = recovery::list_snapshots(dir);
        REQUIRE(listed.status().code() == Code::kCorruption);
        REQUIRE_THAT(listed.status().message(),
                     Catch::Contains(info.path + "/" + recovery::kManifestFileName));
    }
    SECTION("manifest of another commit than the directory's name") {
        recovery::SnapshotManifest manifest = info.manifest;
        manifest.commit_index = 3;
        overwrite_manifest(info.path, recovery::encode_manifest(manifest));
        auto listed = recovery::list_snapshots(dir);
        REQUIRE(listed.status().code() == Code::kCorruption);
        REQUIRE_THAT(listed.status().message(), Catch::Contains(info.path));
    }
}

}  // namespace
}  // namespace remora::testing
