// remora-inspect's reading commands on a populated store, in text and JSON, checked against
// what the fixture committed.

#include <catch2/catch.hpp>

#include "storage/keys.h"
#include "storage/store.h"
#include "tests/tools/inspect_fixture.h"

namespace remora::testing {
namespace {

using common::to_hex;

TEST_CASE("inspect: status reports the store's metadata", "[inspect]") {
    InspectStore fixture;
    const storage::StoreStatus& expected = fixture.final_status();

    ChildResult json_run = inspect({"--db", fixture.db, "--json", "status"});
    REQUIRE(json_run.exit_code == 0);
    Json json = parse_single_json(json_run);
    CHECK(json["format_version"] == storage::kFormatVersion);
    CHECK(json["shard_count"] == fixture.shard_count);
    CHECK(json["applied_commit"] == 3);
    CHECK(json["state_digest"] == expected.state_digest.hex());
    CHECK(json["live_objects"] == 3);
    CHECK(json["retention_watermark"] == expected.retention_watermark);
    CHECK(json["snapshots"].empty());

    // No command means status; the text form carries the same facts.
    ChildResult text_run = inspect({"--db", fixture.db});
    REQUIRE(text_run.exit_code == 0);
    CHECK_THAT(text_run.out, Catch::Contains(expected.state_digest.hex()));
    CHECK_THAT(text_run.out, Catch::Contains("applied commit:"));
    CHECK_THAT(text_run.out, Catch::Contains("snapshots:"));
    CHECK(text_run.err.empty());
}

TEST_CASE("inspect: stats counts entries per column family and per shard", "[inspect]") {
    InspectStore fixture;
    ChildResult run = inspect({"--json", "stats", "--db=" + fixture.db});
    REQUIRE(run.exit_code == 0);
    Json json = parse_single_json(run);

    std::map<std::string, Json> families;
    for (const Json& cf : json["column_families"]) families[cf["name"]] = cf;
    REQUIRE(families.size() == storage::kColumnFamilies.size());
    // A: 3 versions, B: 2 (one tombstone), C and D: 1 each.
    CHECK(families["objects"]["entries"] == 7);
    CHECK(families["objects"]["key_bytes"] == 7 * storage::kObjectKeyBytes);
    CHECK(families["commits"]["entries"] == 3);
    CHECK(families["transactions"]["entries"] == fixture.transactions_total);
    CHECK(families["transactions"]["key_bytes"] == fixture.transactions_total * 32);
    CHECK(families["meta"]["entries"] == 6);
    CHECK(families["default"]["entries"] == 0);

    std::map<std::uint32_t, std::uint64_t> entries, objects, live;
    auto add = [&](const common::ObjectId& id, std::uint64_t versions, bool alive) {
        entries[fixture.shard.at(id)] += versions;
        objects[fixture.shard.at(id)] += 1;
        live[fixture.shard.at(id)] += alive ? 1 : 0;
    };
    add(fixture.a, 3, true);
    add(fixture.b, 2, false);
    add(fixture.c, 1, true);
    add(fixture.d, 1, true);
    REQUIRE(json["shards"].size() == fixture.shard_count);
    for (const Json& shard : json["shards"]) {
        std::uint32_t s = shard["shard"];
        INFO("shard " << s);
        CHECK(shard["entries"] == entries[s]);
        CHECK(shard["objects"] == objects[s]);
        CHECK(shard["live_objects"] == live[s]);
    }

    ChildResult text = inspect({"--db", fixture.db, "stats"});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("objects:") && Catch::Contains("7 entries"));
}

TEST_CASE("inspect: get shows the newest version or the newest at or below V", "[inspect]") {
    InspectStore fixture;
    auto get = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", fixture.db, "--json", "get"});
        ChildResult run = inspect(args);
        REQUIRE(run.exit_code == 0);
        return parse_single_json(run);
    };
    Json newest = get({fixture.a.hex()});
    CHECK(newest["id"] == fixture.a.hex());
    CHECK(newest["version"] == 5);
    CHECK(newest["tombstone"] == false);
    CHECK(newest["payload_size"] == 3);
    CHECK(newest["payload_hex"] == "00ff41");
    CHECK(newest["shard"] == fixture.shard.at(fixture.a));
    CHECK(newest["requested_version"].is_null());

    Json below = get({fixture.a.hex(), "--version", "4"});
    CHECK(below["version"] == 2);
    CHECK(below["payload_hex"] == to_hex("alpha-2"));
    CHECK(below["requested_version"] == 4);

    Json tombstone = get({fixture.b.hex()});
    CHECK(tombstone["version"] == 2);
    CHECK(tombstone["tombstone"] == true);
    CHECK(tombstone["payload_size"] == 0);

    Json empty = get({fixture.c.hex()});  // an empty payload is not a tombstone
    CHECK(empty["tombstone"] == false);
    CHECK(empty["payload_size"] == 0);

    ChildResult text = inspect({"--db", fixture.db, "get", fixture.d.hex()});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("payload:") && Catch::Contains(to_hex("delta")));
    CHECK_THAT(text.out, Catch::Contains("tombstone:") && Catch::Contains("no"));
}

TEST_CASE("inspect: history lists every version, tombstones included", "[inspect]") {
    InspectStore fixture;
    Json a = parse_single_json(inspect({"--db", fixture.db, "--json", "history", fixture.a.hex()}));
    REQUIRE(a["versions"].size() == 3);
    CHECK(a["versions"][0]["version"] == 1);
    CHECK(a["versions"][0]["payload_hex"] == to_hex("alpha-1"));
    CHECK(a["versions"][1]["version"] == 2);
    CHECK(a["versions"][2]["version"] == 5);
    for (const Json& v : a["versions"]) CHECK(v["tombstone"] == false);

    Json b = parse_single_json(inspect({"--db", fixture.db, "--json", "history", fixture.b.hex()}));
    REQUIRE(b["versions"].size() == 2);
    CHECK(b["versions"][0]["tombstone"] == false);
    CHECK(b["versions"][0]["payload_hex"] == to_hex("beta"));
    CHECK(b["versions"][1]["version"] == 2);
    CHECK(b["versions"][1]["tombstone"] == true);

    ChildResult text = inspect({"--db", fixture.db, "history", fixture.b.hex()});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("version 2  tombstone"));
    CHECK_THAT(text.out, Catch::Contains("version 1  4 bytes  " + to_hex("beta")));
}

TEST_CASE("inspect: commit shows the commit record", "[inspect]") {
    InspectStore fixture;
    Json json = parse_single_json(inspect({"--db", fixture.db, "--json", "commit", "2"}));
    CHECK(json["index"] == 2);
    CHECK(json["state_digest"] == fixture.status_after[2].state_digest.hex());
    CHECK(json["live_objects"] == fixture.status_after[2].live_objects);
    CHECK(json["transactions"] == 1);
    CHECK(json["body_size"] == std::string("commit-two").size());
    REQUIRE(json["writes"].size() == 2);
    std::map<std::string, Json> writes;
    for (const Json& w : json["writes"]) writes[w["id"]] = w;
    CHECK(writes[fixture.a.hex()]["version"] == 2);
    CHECK(writes[fixture.a.hex()]["tombstone"] == false);
    CHECK(writes[fixture.b.hex()]["version"] == 2);
    CHECK(writes[fixture.b.hex()]["tombstone"] == true);

    ChildResult text = inspect({"--db", fixture.db, "commit", "1"});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains(fixture.status_after[1].state_digest.hex()));
    CHECK_THAT(text.out, Catch::Contains(fixture.c.hex() + "  version 1"));
}

TEST_CASE("inspect: digest shows the stored digest and --recompute confirms it", "[inspect]") {
    InspectStore fixture;
    const std::string expected = fixture.final_status().state_digest.hex();
    Json plain = parse_single_json(inspect({"--db", fixture.db, "--json", "digest"}));
    CHECK(plain["state_digest"] == expected);
    CHECK(plain["live_objects"] == 3);
    CHECK_FALSE(plain.contains("match"));

    ChildResult run = inspect({"--db", fixture.db, "--json", "digest", "--recompute"});
    REQUIRE(run.exit_code == 0);
    Json json = parse_single_json(run);
    CHECK(json["recomputed_digest"] == expected);
    CHECK(json["recomputed_live_objects"] == 3);
    CHECK(json["match"] == true);

    ChildResult text = inspect({"--db", fixture.db, "digest", "--recompute"});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("match:") && Catch::Contains("yes"));
}

}  // namespace
}  // namespace remora::testing
