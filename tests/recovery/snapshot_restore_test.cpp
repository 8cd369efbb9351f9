// Restore's refusals and its all-or-nothing result.

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "recovery/snapshot.h"
#include "tests/recovery/snapshot_fixture.h"

namespace remora::testing {
namespace {

namespace fs = std::filesystem;
using common::Code;

struct RestoreFixture {
    TempDir tmp{"remora-restore"};
    std::string snapshot;
    common::Digest digest;

    RestoreFixture() {
        SourceStore source(tmp.sub("store"), /*seed=*/31);
        source.commit_until(12);
        auto info = require_ok(recovery::create_snapshot(source.store()));
        snapshot = info.path;
        digest = info.manifest.state_digest;
    }
};

TEST_CASE_METHOD(RestoreFixture, "restore refuses a non-empty target and leaves it alone",
                 "[snapshot]") {
    const std::string target = tmp.sub("target");
    fs::create_directories(target);
    std::ofstream(target + "/precious") << "keep me";

    auto restored = recovery::restore_snapshot(snapshot, target);
    REQUIRE(restored.status().code() == Code::kAlreadyExists);
    REQUIRE_THAT(restored.status().message(), Catch::Contains(target));
    std::ifstream in(target + "/precious");
    std::string contents;
    std::getline(in, contents);
    REQUIRE(contents == "keep me");
    REQUIRE(std::distance(fs::directory_iterator(target), fs::directory_iterator()) == 1);
    REQUIRE_FALSE(fs::exists(target + ".tmp-restore"));

    // A file in place of the target directory is refused as well.
    std::ofstream(tmp.sub("a-file")) << "x";
    REQUIRE(recovery::restore_snapshot(snapshot, tmp.sub("a-file")).status().code() ==
            Code::kAlreadyExists);
}

TEST_CASE_METHOD(RestoreFixture, "restore into an existing empty directory", "[snapshot]") {
    const std::string target = tmp.sub("empty-target/");
    fs::create_directories(target);
    REQUIRE(recovery::restore_snapshot(snapshot, target).is_ok());
    auto store = require_ok(storage::Store::open(target, storage::OpenMode::kReadOnly));
    REQUIRE(store->status().state_digest == digest);
    REQUIRE(store->status().applied_commit == 12);
}

TEST_CASE_METHOD(RestoreFixture, "restore replaces a crashed restore's leftover", "[snapshot]") {
    const std::string target = tmp.sub("target");
    fs::create_directories(target + ".tmp-restore");
    std::ofstream(target + ".tmp-restore/000001.sst") << "half a file";
    REQUIRE(recovery::restore_snapshot(snapshot, target).is_ok());
    REQUIRE_FALSE(fs::exists(target + ".tmp-restore"));
    REQUIRE(recovery::restore_snapshot(snapshot, target).status().code() == Code::kAlreadyExists);
}

TEST_CASE_METHOD(RestoreFixture, "restore of something that is not a snapshot", "[snapshot]") {
    REQUIRE(recovery::restore_snapshot(tmp.sub("nothing"), tmp.sub("t")).status().code() ==
            Code::kNotFound);
    // A store directory is not a snapshot: it has no manifest.
    REQUIRE(recovery::restore_snapshot(tmp.sub("store"), tmp.sub("t")).status().code() ==
            Code::kCorruption);
    REQUIRE_FALSE(fs::exists(tmp.sub("t")));
}

}  // namespace
}  // namespace remora::testing
