// remora-inspect's snapshot commands: create, list, verify (and its failure on damage), restore.

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "recovery/snapshot.h"
#include "storage/store.h"
#include "tests/tools/inspect_fixture.h"

namespace remora::testing {
namespace {

namespace fs = std::filesystem;

// XORs one byte in the middle of `path` with 0x01.
void flip_middle_byte(const fs::path& path) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(file.good());
    const auto offset = static_cast<std::streamoff>(fs::file_size(path) / 2);
    file.seekg(offset);
    char byte = 0;
    file.read(&byte, 1);
    byte ^= 0x01;
    file.seekp(offset);
    file.write(&byte, 1);
    REQUIRE(file.good());
}

// The largest regular file under `dir` (an SST of a checkpoint, in practice).
fs::path largest_file(const fs::path& dir) {
    fs::path best;
    std::uintmax_t best_size = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.file_size() > best_size) {
            best = entry.path();
            best_size = entry.file_size();
        }
    }
    REQUIRE(!best.empty());
    return best;
}

TEST_CASE("inspect: snapshot create, list, verify and restore", "[inspect][snapshot]") {
    InspectStore fixture;
    const std::string digest = fixture.final_status().state_digest.hex();

    ChildResult created = inspect({"--db", fixture.db, "--json", "snapshot", "create"});
    REQUIRE(created.exit_code == 0);
    Json snapshot = parse_single_json(created)["snapshot"];
    CHECK(snapshot["commit_index"] == 3);
    CHECK(snapshot["state_digest"] == digest);
    CHECK(snapshot["live_objects"] == 3);
    const std::string path = snapshot["path"];
    const std::string name = snapshot["name"];
    REQUIRE(fs::is_directory(path));

    Json listed = parse_single_json(inspect({"--db", fixture.db, "--json", "snapshot", "list"}));
    REQUIRE(listed["snapshots"].size() == 1);
    CHECK(listed["snapshots"][0]["path"] == path);
    Json status = parse_single_json(inspect({"--db", fixture.db, "--json", "status"}));
    REQUIRE(status["snapshots"].size() == 1);
    CHECK(status["snapshots"][0]["commit_index"] == 3);

    ChildResult verified = inspect({"--json", "snapshot", "verify", path});
    REQUIRE(verified.exit_code == 0);
    Json verify = parse_single_json(verified);
    CHECK(verify["verified"] == true);
    CHECK(verify["snapshot"]["state_digest"] == digest);
    CHECK(verify["snapshot"]["files"].size() == verify["snapshot"]["file_count"]);
    // A bare name is looked up under DIR/snapshots.
    CHECK(inspect({"--db", fixture.db, "snapshot", "verify", name}).exit_code == 0);

    const std::string target = fixture.tmp.sub("restored");
    ChildResult restored = inspect({"--json", "snapshot", "restore", path, "--into", target});
    REQUIRE(restored.exit_code == 0);
    CHECK(parse_single_json(restored)["restored_into"] == target);
    Json restored_status =
        parse_single_json(inspect({"--db", target, "--json", "digest", "--recompute"}));
    CHECK(restored_status["state_digest"] == digest);
    CHECK(restored_status["match"] == true);
    Json a = parse_single_json(inspect({"--db", target, "--json", "get", fixture.a.hex()}));
    CHECK(a["version"] == 5);

    // The target now holds a store: restoring again into it is refused.
    ChildResult again = inspect({"snapshot", "restore", path, "--into", target});
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.err, Catch::Contains(target));
}

TEST_CASE("inspect: snapshot verify of a damaged snapshot exits 65 and names the file",
          "[inspect][snapshot]") {
    InspectStore fixture;
    ChildResult created = inspect({"--db", fixture.db, "--json", "snapshot", "create"});
    REQUIRE(created.exit_code == 0);
    const fs::path original = parse_single_json(created)["snapshot"]["path"].get<std::string>();
    // Damage a real copy: the snapshot's SST files are hard links into the store.
    const fs::path copy = fixture.tmp.path() / "copy" / original.filename();
    fs::create_directories(copy.parent_path());
    fs::copy(original, copy, fs::copy_options::recursive);
    REQUIRE(inspect({"snapshot", "verify", copy.string()}).exit_code == 0);

    const fs::path damaged = largest_file(copy);
    flip_middle_byte(damaged);
    ChildResult run = inspect({"snapshot", "verify", copy.string()});
    CHECK(run.exit_code == 65);
    CHECK_THAT(run.err, Catch::Contains(damaged.filename().string()));
    ChildResult json_run = inspect({"--json", "snapshot", "verify", copy.string()});
    CHECK(json_run.exit_code == 65);
    Json json = parse_single_json(json_run);
    CHECK(json["code"] == 65);
    CHECK_THAT(json["error"].get<std::string>(), Catch::Contains(damaged.filename().string()));

    // Restoring the damaged copy is refused the same way, and leaves no store behind.
    const std::string target = fixture.tmp.sub("restored");
    CHECK(inspect({"snapshot", "restore", copy.string(), "--into", target}).exit_code == 65);
    CHECK((!fs::exists(target) || fs::is_empty(target)));
}

}  // namespace
}  // namespace remora::testing

namespace remora::testing {

TEST_CASE("inspect: status still reports the store when a snapshot is damaged",
          "[inspect][snapshot]") {
    InspectStore fixture;
    auto created = inspect({"--db", fixture.db, "--json", "snapshot", "create"});
    REQUIRE(created.exit_code == 0);
    std::string path = parse_single_json(created)["snapshot"]["path"];
    {
        std::ofstream manifest(path + "/" + recovery::kManifestFileName, std::ios::trunc);
        manifest << "not a manifest";
    }
    auto run = inspect({"--db", fixture.db, "--json", "status"});
    CHECK(run.exit_code == 65);
    Json json = parse_single_json(run);
    CHECK(json["applied_commit"] == fixture.final_status().applied_commit);
    CHECK(json["state_digest"] == fixture.final_status().state_digest.hex());
    CHECK_THAT(json["snapshots_error"].get<std::string>(), Catch::Contains(path));
    auto text = inspect({"--db", fixture.db, "status"});
    CHECK(text.exit_code == 65);
    CHECK_THAT(text.out, Catch::Contains("UNREADABLE"));
}

}  // namespace remora::testing
