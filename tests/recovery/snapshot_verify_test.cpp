// Verification catches every kind of damage, and names what is damaged.

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

// One snapshot of a small store, made once per process (creating one costs fsyncs); the source
// store is closed, so nothing else touches its files.
const recovery::SnapshotInfo& pristine_snapshot() {
    static TempDir tmp("remora-snapshot-pristine");
    static const recovery::SnapshotInfo info = [] {
        SourceStore source(tmp.sub("store"), /*seed=*/21);
        source.commit_until(30);
        return require_ok(recovery::create_snapshot(source.store()));
    }();
    return info;
}

// A real copy of the pristine snapshot, so that damage stays in the copy (the snapshot's SST
// files are hard links to the source store's).
struct DamageFixture {
    TempDir tmp{"remora-snapshot"};
    std::string snapshot;
    recovery::SnapshotManifest manifest;

    DamageFixture() {
        snapshot = copy_snapshot(pristine_snapshot().path, tmp.sub("copy"));
        manifest = require_ok(recovery::verify_snapshot(snapshot)).manifest;
        REQUIRE(manifest == pristine_snapshot().manifest);
    }

    // verify_snapshot's failure; REQUIREs it failed with `code`.
    common::Status verify_fails_with(Code code) const {
        auto verified = recovery::verify_snapshot(snapshot);
        INFO("verify: " << (verified ? "ok" : verified.status().to_string()));
        REQUIRE(verified.status().code() == code);
        return verified.status();
    }
};

TEST_CASE_METHOD(DamageFixture, "verify detects a flipped byte and names the file", "[snapshot]") {
    std::string damaged;
    SECTION("in the middle of an SST file") {
        damaged = find_db_file(snapshot, "", ".sst");
        flip_byte(damaged, fs::file_size(damaged) / 2);
    }
    SECTION("in the first byte of an SST file") {
        damaged = find_db_file(snapshot, "", ".sst");
        flip_byte(damaged, 0);
    }
    SECTION("in RocksDB's MANIFEST") {
        damaged = find_db_file(snapshot, "MANIFEST-");
        flip_byte(damaged, fs::file_size(damaged) - 1);
    }
    SECTION("in CURRENT") {
        damaged = find_db_file(snapshot, "CURRENT");
        flip_byte(damaged, 0);
    }
    common::Status status = verify_fails_with(Code::kVerificationFailed);
    REQUIRE_THAT(status.message(), Catch::Contains(damaged));
    REQUIRE_THAT(status.message(), Catch::Contains("XXH3"));

    // Restoring it fails too, and leaves no target behind.
    auto restored = recovery::restore_snapshot(snapshot, tmp.sub("restored"));
    REQUIRE(restored.status().code() == Code::kVerificationFailed);
    REQUIRE_FALSE(fs::exists(tmp.sub("restored")));
    REQUIRE_FALSE(fs::exists(tmp.sub("restored.tmp-restore")));
}

TEST_CASE_METHOD(DamageFixture, "verify detects missing, extra and resized files", "[snapshot]") {
    std::string named;
    SECTION("a missing SST file") {
        named = find_db_file(snapshot, "", ".sst");
        fs::remove(named);
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains("missing file " + named));
    }
    SECTION("an extra file in db/") {
        named = snapshot + "/db/000999.sst";
        std::ofstream(named) << "x";
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains("unexpected file " + named));
    }
    SECTION("an extra directory in db/") {
        named = snapshot + "/db/zz-subdir";
        fs::create_directory(named);
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains(named));
    }
    SECTION("an extra entry beside db/") {
        named = snapshot + "/notes.txt";
        std::ofstream(named) << "x";
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains(named));
    }
    SECTION("no db/ at all") {
        fs::remove_all(snapshot + "/db");
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains("missing directory " + snapshot + "/db"));
    }
    SECTION("a file one byte longer") {
        named = find_db_file(snapshot, "OPTIONS-");
        std::ofstream(named, std::ios::app) << " ";
        common::Status status = verify_fails_with(Code::kVerificationFailed);
        REQUIRE_THAT(status.message(), Catch::Contains(named));
        REQUIRE_THAT(status.message(), Catch::Contains("bytes"));
    }
    SECTION("a truncated file") {
        named = find_db_file(snapshot, "", ".sst");
        fs::resize_file(named, fs::file_size(named) - 1);
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains(named));
    }
    SECTION("a symbolic link in place of a file") {
        named = find_db_file(snapshot, "CURRENT");
        fs::rename(named, tmp.sub("CURRENT.real"));
        fs::create_symlink(tmp.sub("CURRENT.real"), named);
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains(named));
    }
}

TEST_CASE_METHOD(DamageFixture, "verify recomputes the digest from the checkpoint", "[snapshot]") {
    // A manifest whose file list is right but whose digest or counts are not: only opening
    // the checkpoint and recomputing can tell.
    recovery::SnapshotManifest forged = manifest;
    std::string expected_text;
    SECTION("state digest") {
        forged.state_digest.bytes[7] ^= 0x80;
        expected_text = forged.state_digest.hex();
    }
    SECTION("live objects") {
        forged.live_objects += 1;
        expected_text = "live objects";
    }
    SECTION("shard count") {
        forged.shard_count += 1;
        expected_text = "shards";
    }
    overwrite_manifest(snapshot, recovery::encode_manifest(forged));
    common::Status status = verify_fails_with(Code::kVerificationFailed);
    REQUIRE_THAT(status.message(), Catch::Contains(expected_text));

    auto restored = recovery::restore_snapshot(snapshot, tmp.sub("restored"));
    REQUIRE(restored.status().code() == Code::kVerificationFailed);
    REQUIRE_FALSE(fs::exists(tmp.sub("restored")));
    REQUIRE_FALSE(fs::exists(tmp.sub("restored.tmp-restore")));
}

TEST_CASE_METHOD(DamageFixture, "verify refuses other formats and mismatched names", "[snapshot]") {
    recovery::SnapshotManifest forged = manifest;
    SECTION("a newer snapshot format") {
        forged.snapshot_format_version = recovery::kSnapshotFormatVersion + 1;
        overwrite_manifest(snapshot, recovery::encode_manifest(forged));
        REQUIRE_THAT(verify_fails_with(Code::kFormatVersion).message(),
                     Catch::Contains("snapshot format version 2"));
        REQUIRE(recovery::read_manifest(snapshot).status().code() == Code::kFormatVersion);
        REQUIRE(recovery::restore_snapshot(snapshot, tmp.sub("r")).status().code() ==
                Code::kFormatVersion);
        REQUIRE_FALSE(fs::exists(tmp.sub("r")));
    }
    SECTION("another store format") {
        forged.store_format_version = storage::kFormatVersion + 1;
        overwrite_manifest(snapshot, recovery::encode_manifest(forged));
        (void)verify_fails_with(Code::kFormatVersion);
        REQUIRE(recovery::restore_snapshot(snapshot, tmp.sub("r")).status().code() ==
                Code::kFormatVersion);
    }
    SECTION("a manifest for another commit than the directory's name") {
        forged.commit_index += 1;
        overwrite_manifest(snapshot, recovery::encode_manifest(forged));
        REQUIRE_THAT(verify_fails_with(Code::kVerificationFailed).message(),
                     Catch::Contains("named for commit 30"));
    }
    SECTION("a renamed directory still verifies by its manifest") {
        const std::string renamed = tmp.sub("copy/my-backup");
        fs::rename(snapshot, renamed);
        REQUIRE(recovery::verify_snapshot(renamed).is_ok());
    }
}

TEST_CASE("verify and read_manifest of paths that are not snapshots", "[snapshot]") {
    TempDir tmp("remora-snapshot");
    REQUIRE(recovery::verify_snapshot(tmp.sub("absent")).status().code() == Code::kNotFound);
    fs::create_directories(tmp.sub("empty"));
    auto status = recovery::verify_snapshot(tmp.sub("empty")).status();
    REQUIRE(status.code() == Code::kCorruption);
    REQUIRE_THAT(status.message(), Catch::Contains(tmp.sub("empty/REMORA-SNAPSHOT")));
}

}  // namespace
}  // namespace remora::testing
