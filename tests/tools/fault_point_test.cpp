// Fault points (common/fault_point.h) and what asks for them: the REMORA_FAULT parser, remora-node
// refusing to arm them in a build without them, and remora-crashtest --mode whitebox saying
// which build it needs. Built in every preset; each case checks what its build must do.

#include <catch2/catch.hpp>

#include <string>

#include "common/fault_point.h"
#include "tests/tools/child_process.h"

using remora::common::Code;
using remora::testing::run_child_for;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a fault spec names known points with a hit count", "[fault_point]") {
    using remora::common::arm_fault_points;
    CHECK(arm_fault_points("").is_ok());
    for (const char* bad : {"nope:1", "storage.commit.before_write", "storage.commit.before_write:",
                            "storage.commit.before_write:0", "storage.commit.before_write:x1",
                            "storage.commit.before_write:1,storage.commit.before_write:2",
                            "storage.commit.before_write:1,", "storage.commit.before_write:-1",
                            "storage.commit.before_write:1234567890123"}) {
        INFO(bad);
        const auto status = arm_fault_points(bad);
        CHECK(status.code() == Code::kInvalidArgument);
        CHECK(contains(status.message(), "REMORA_FAULT"));
    }
    CHECK(arm_fault_points("nope:1").message().find("storage.commit.after_write") !=
          std::string::npos);  // the known names are listed
    for (const auto& info : remora::common::fault_point_catalogue()) {
        INFO(info.name);
        CHECK(std::string(info.role).size() > 0);
    }
}

TEST_CASE("an armed fault point fires on its hit, once, in a build with them", "[fault_point]") {
    using remora::common::arm_fault_points;
    const auto armed = arm_fault_points("recovery.snapshot.mid:3,net.frame.partial:1");
    if (!remora::common::fault_points_compiled()) {
        // A build without them refuses and names the build that has them.
        CHECK(armed.code() == Code::kUnsupported);
        CHECK(contains(armed.message(), "faults"));
        CHECK_FALSE(REMORA_FAULT_POINT_FIRES("recovery.snapshot.mid"));
        return;
    }
    REQUIRE(armed.is_ok());
    CHECK_FALSE(remora::common::fault_point_fires("recovery.snapshot.mid"));
    CHECK_FALSE(remora::common::fault_point_fires("storage.commit.before_write"));  // unarmed
    CHECK_FALSE(remora::common::fault_point_fires("recovery.snapshot.mid"));
    CHECK(remora::common::fault_point_fires("recovery.snapshot.mid"));
    CHECK_FALSE(remora::common::fault_point_fires("recovery.snapshot.mid"));
    CHECK(remora::common::fault_point_fires("net.frame.partial"));
    CHECK(arm_fault_points("").is_ok());  // disarmed
    CHECK_FALSE(remora::common::fault_point_fires("net.frame.partial"));
}

TEST_CASE("remora-node checks REMORA_FAULT before it starts", "[fault_point]") {
    // No node starts in either case: the usage check comes first (exit 2).
    const auto unknown = run_child_for(REMORA_NODE_BIN, {"run", "--node.dir", "/nonexistent/x"},
                                       60s, {{"REMORA_FAULT", "no.such.point:1"}});
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "unknown fault point 'no.such.point'"));
    const auto known = run_child_for(REMORA_NODE_BIN, {"run", "--node.dir", "/nonexistent/x"}, 60s,
                                     {{"REMORA_FAULT", "storage.commit.before_write:1"}});
    if (remora::common::fault_points_compiled()) {
        // Armed; it fails on the missing role instead (its own usage error).
        CHECK_FALSE(contains(known.err, "REMORA_FAULT"));
        CHECK(contains(known.err, "the role is missing"));
    } else {
        CHECK(known.exit_code == 2);
        CHECK(contains(known.err, "this build has none: build the `faults` preset"));
    }
}

TEST_CASE("remora-crashtest --mode whitebox needs the faults build", "[fault_point]") {
    for (const char* mode : {"whitebox", "both"}) {
        INFO(mode);
        const auto run = run_child_for(
            REMORA_CRASHTEST_BIN, {"--mode", mode, "--kills", "1", "--seed", "3", "--json"}, 300s);
        INFO(run.err);
        if (remora::common::fault_points_compiled()) {
            CHECK(run.exit_code == 0);  // it runs: one kill, checked
            CHECK(contains(run.out, std::string("\"mode\":\"") + mode + "\""));
            CHECK(contains(run.out, "\"violations\":0"));
        } else {
            CHECK(run.exit_code == 2);
            CHECK(contains(run.err, "needs fault points, and this build has none"));
            CHECK(contains(run.err, "cmake --preset faults"));
        }
    }
}
