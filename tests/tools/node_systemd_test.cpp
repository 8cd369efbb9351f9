// docs/remora-node.service as systemd reads it: `systemd-analyze verify` (which works without
// systemd running as PID 1) accepts it with not one warning once ExecStart names the built
// binary, and the settings operators rely on are there. A broken copy is refused, so the check
// can fail. systemd-analyze comes from Debian's `systemd` (scripts/bootstrap.sh); without it the
// test fails, it never skips.

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

namespace {

using namespace std::chrono_literals;

std::string read_unit() {
    std::ifstream in(std::string(REMORA_SOURCE_DIR) + "/docs/remora-node.service");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// systemd-analyze verify on `unit` written as DIR/remora-node.service.
remora::testing::ChildResult verify(const remora::testing::TempDir& dir, const std::string& unit) {
    const std::string path = dir.sub("remora-node.service");
    std::ofstream(path, std::ios::trunc) << unit;
    return remora::testing::run_child_for(REMORA_SYSTEMD_ANALYZE, {"verify", path}, 60s);
}

}  // namespace

TEST_CASE("docs/remora-node.service passes systemd-analyze verify") {
    INFO("systemd-analyze: '" << REMORA_SYSTEMD_ANALYZE
                              << "' (empty: not found; scripts/bootstrap.sh installs systemd)");
    REQUIRE(std::string(REMORA_SYSTEMD_ANALYZE) != "");
    const std::string unit = read_unit();
    REQUIRE_FALSE(unit.empty());
    for (const char* line :
         {"Type=simple", "Restart=on-failure", "RestartPreventExitStatus=2 65 70 75",
          "LimitNOFILE=", "KillSignal=SIGTERM",
          "TimeoutStopSec=", "ExecStart=/usr/local/bin/remora-node --config "}) {
        INFO(line);
        CHECK(unit.find(std::string("\n") + line) != std::string::npos);
    }
    // ExecStart must name an executable that exists here: the binary just built.
    const std::string built = std::regex_replace(unit, std::regex("/usr/local/bin/remora-node"),
                                                 std::string(REMORA_NODE_BIN));
    remora::testing::TempDir dir("remora-systemd");
    auto result = verify(dir, built);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());  // systemd ignores a bad line with a warning: none allowed

    // The same check refuses a broken unit (a typo, a bad exit status).
    auto typo = verify(
        dir, std::regex_replace(built, std::regex("Restart=on-failure"), "Restart=on-failur"));
    CHECK_FALSE(typo.err.empty());
    auto bad_status =
        verify(dir, std::regex_replace(built, std::regex("RestartPreventExitStatus=2"),
                                       "RestartPreventExitStatus=two"));
    CHECK_FALSE(bad_status.err.empty());
}
