// remora-crashtest stopped by SIGINT or SIGTERM: every node it started ends, and a temporary
// directory (no --dir, no --keep) goes with them, since nothing in it is evidence of a failure.

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tests/tools/child_process.h"

using remora::testing::ChildResult;
using remora::testing::StartedChild;
using remora::testing::TempDir;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool primary_serving(const fs::path& tmp) {
    for (const auto& entry : fs::recursive_directory_iterator(tmp)) {
        // The pre-executors start once the primary serves; their logs mean the load is near.
        if (entry.path().filename() == "pre-executor-1.log") return true;
    }
    return false;
}

}  // namespace

TEST_CASE("an interrupted remora-crashtest ends its nodes and removes its temporary directory",
          "[crashtest]") {
    for (int signal_number : {SIGINT, SIGTERM}) {
        INFO("signal " << signal_number);
        TempDir tmp("remora-crashtest-interrupt");
        StartedChild child(REMORA_CRASHTEST_BIN,
                           {"--mode", "blackbox", "--kills", "1000", "--seed", "5"},
                           {{"TMPDIR", tmp.path().string()}});
        const auto deadline = std::chrono::steady_clock::now() + 120s;
        bool serving = false;
        while (!serving && child.running() && std::chrono::steady_clock::now() < deadline) {
            serving = primary_serving(tmp.path());
            std::this_thread::sleep_for(50ms);
        }
        REQUIRE(serving);
        std::this_thread::sleep_for(1s);
        child.signal(signal_number);
        const ChildResult result = child.wait(120s);
        INFO("stderr: " << result.err);
        CHECK_FALSE(result.timed_out);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("interrupted") && Catch::Contains("(removed)"));
        CHECK(fs::is_empty(tmp.path()));
    }
}
