// The poison marker (node/poison_marker.h) on its own: written, read back, refused when damaged,
// absent when there is none, and the operator's message names the commit, every transaction and
// how to clear it. tests/tools/node_poison_test.cpp checks the node's use of it.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "node/poison_marker.h"
#include "tests/support/temp_dir.h"

using remora::common::Code;
using remora::common::Digest;
using remora::node::PoisonMarker;
using remora::testing::TempDir;

namespace {

Digest digest_of(std::uint8_t byte) {
    Digest digest;
    for (auto& b : digest.bytes) b = byte;
    return digest;
}

}  // namespace

TEST_CASE("a poison marker reads back as written; none reads as none", "[poison]") {
    TempDir dir("remora-poison");
    auto none = remora::node::read_poison_marker(dir.path().string());
    REQUIRE(none.is_ok());
    CHECK_FALSE(none->has_value());

    PoisonMarker marker;
    marker.commit_index = 42;
    marker.tx_digests = {digest_of(0xab), digest_of(0x01)};
    marker.reason = "an exception while executing: boom";
    REQUIRE(remora::node::write_poison_marker(dir.path().string(), marker).is_ok());
    CHECK(std::filesystem::exists(dir.sub("poison.json")));
    auto read = remora::node::read_poison_marker(dir.path().string());
    REQUIRE(read.is_ok());
    REQUIRE(read->has_value());
    CHECK((*read)->commit_index == 42);
    CHECK((*read)->tx_digests == marker.tx_digests);
    CHECK((*read)->reason == marker.reason);

    const std::string message = remora::node::poison_message(dir.path().string(), **read);
    CHECK_THAT(message, Catch::Contains("commit 42"));
    CHECK_THAT(message, Catch::Contains(digest_of(0xab).hex()));
    CHECK_THAT(message, Catch::Contains(digest_of(0x01).hex()));
    CHECK_THAT(message, Catch::Contains("boom"));
    CHECK_THAT(message, Catch::Contains(dir.sub("poison.json")));
    CHECK_THAT(message, Catch::Contains("remora-inspect"));
    CHECK_THAT(message, Catch::Contains("delete"));
}

TEST_CASE("a damaged poison marker is refused, not taken for none", "[poison]") {
    TempDir dir("remora-poison");
    for (const char* bad :
         {"", "not json", "[]", "{}",
          R"({"version": 2, "commit_index": 1, "tx_digests": [], "reason": ""})",
          R"({"version": 1, "commit_index": -1, "tx_digests": [], "reason": ""})",
          R"({"version": 1, "commit_index": 1, "tx_digests": ["zz"], "reason": ""})",
          R"({"version": 1, "commit_index": 1, "tx_digests": [7], "reason": ""})",
          R"({"version": 1, "commit_index": 1, "tx_digests": {}, "reason": ""})",
          R"({"version": 1, "commit_index": 1, "tx_digests": []})"}) {
        INFO(bad);
        std::ofstream(dir.sub("poison.json"), std::ios::trunc) << bad;
        auto read = remora::node::read_poison_marker(dir.path().string());
        CHECK(read.status().code() == Code::kCorruption);
    }
}

TEST_CASE("only an internal failure poisons; store failures keep their exits", "[poison]") {
    CHECK(remora::node::is_poisoning({Code::kInternal, "x"}));
    for (Code code :
         {Code::kOk, Code::kIoError, Code::kCorruption, Code::kLocked, Code::kInvalidArgument}) {
        CHECK_FALSE(remora::node::is_poisoning({code, "x"}));
    }
}
