// RocksDB's own `ldb` reads our database, and agrees with `remora-inspect stats`.

#include <filesystem>
#include <sstream>

#include <catch2/catch.hpp>

#include "storage/keys.h"
#include "tests/tools/inspect_fixture.h"

namespace remora::testing {
namespace {

std::size_t count_lines(const std::string& text) {
    std::istringstream in(text);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) lines += line.empty() ? 0 : 1;
    return lines;
}

TEST_CASE("inspect: ldb lists our column families and scans as many entries as stats counts",
          "[inspect][ldb]") {
    const std::string ldb = REMORA_LDB_PATH;
    // rocksdb-tools is one of scripts/bootstrap.sh's packages: a missing ldb is a broken
    // set-up, and the test says so instead of passing without checking anything.
    INFO("ldb not found at '" << ldb << "': install rocksdb-tools (scripts/bootstrap.sh)");
    REQUIRE_FALSE(ldb.empty());
    REQUIRE(std::filesystem::exists(ldb));
    InspectStore fixture;
    Json stats = parse_single_json(inspect({"--db", fixture.db, "--json", "stats"}));

    ChildResult families = run_child(ldb, {"--db=" + fixture.db, "list_column_families"});
    INFO("ldb stderr: " << families.err);
    REQUIRE(families.exit_code == 0);
    for (std::string_view name : storage::kColumnFamilies) {
        CHECK_THAT(families.out, Catch::Contains(std::string(name)));
    }

    REQUIRE(stats["column_families"].size() == storage::kColumnFamilies.size());
    std::uint64_t total = 0;
    for (const Json& cf : stats["column_families"]) {
        const std::string name = cf["name"];
        // --hex keeps one entry per line whatever the bytes.
        ChildResult scan =
            run_child(ldb, {"--db=" + fixture.db, "--column_family=" + name, "--hex", "scan"});
        INFO("column family " << name << ", ldb stderr: " << scan.err);
        REQUIRE(scan.exit_code == 0);
        CHECK(count_lines(scan.out) == cf["entries"].get<std::uint64_t>());
        total += cf["entries"].get<std::uint64_t>();
    }
    CHECK(total > 0);  // the comparison above compared something
}

}  // namespace
}  // namespace remora::testing
