// Progress of long-running inspector work (tools/cli/progress.h) as users see it: nothing on
// stderr when it is a file or a pipe, and a line with the rate when it is a terminal, which the
// test gives the real binary through `script` (util-linux: a pseudo-terminal for the command).

#include <catch2/catch.hpp>

#include "recovery/snapshot.h"
#include "tests/tools/inspect_fixture.h"

using namespace remora;
using namespace remora::testing;

TEST_CASE("long inspector work shows progress on a terminal only", "[inspect][progress]") {
    InspectStore fixture;
    const std::string db = fixture.db;

    // Not a terminal: the tools' stderr goes to a file here. Nothing but the report.
    ChildResult quiet = inspect({"--db", db, "snapshot", "create"});
    REQUIRE(quiet.exit_code == 0);
    CHECK(quiet.err.empty());
    const std::string restored = fixture.tmp.sub("restored-quiet");
    ChildResult restore_quiet =
        inspect({"snapshot", "restore", db + "/snapshots/" + recovery::snapshot_name(3), "--into",
                 restored});
    REQUIRE(restore_quiet.exit_code == 0);
    CHECK(restore_quiet.err.empty());

    // A terminal: the rate-limited line, drawn for the last time when the work ends.
    ChildResult shown =
        inspect_on_terminal("snapshot restore " + db + "/snapshots/" + recovery::snapshot_name(3) +
                            " --into " + fixture.tmp.sub("restored-shown"));
    INFO(shown.out << shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("remora-inspect snapshot restore: "));
    CHECK_THAT(shown.out, Catch::Contains("MiB (100.0%)"));
    CHECK_THAT(shown.out, Catch::Contains("MiB/s"));
    CHECK_THAT(shown.out, Catch::Contains("restored into"));
}
