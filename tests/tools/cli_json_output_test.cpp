// tools/cli/json_output: the JSON every tool prints survives any bytes, and messages that quote
// untrusted input are escaped for a terminal.

#include <catch2/catch.hpp>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/cli/json_output.h"

namespace {

using remora::tools::dump_json;
using remora::tools::error_json;
using remora::tools::excerpt;
using remora::tools::printable;

TEST_CASE("cli: JSON with invalid UTF-8 is dumped with replacements, not thrown", "[cli]") {
    for (std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "ab\xe2\x82", "\xf4\x90\x80\x80"}) {
        nlohmann::ordered_json doc = error_json("unknown mode '" + bad + "'", 2, "Usage");
        CHECK_THROWS(doc.dump());  // what aborted the tools
        std::string line = dump_json(doc);
        auto parsed = nlohmann::json::parse(line);
        CHECK(parsed.at("code") == 2);
        CHECK(parsed.at("status") == "Usage");
        CHECK_THAT(parsed.at("error").get<std::string>(), Catch::Contains("\xEF\xBF\xBD"));
        CHECK(line.find('\n') == std::string::npos);
        nlohmann::json unordered = {{"path", bad}};
        CHECK_NOTHROW(dump_json(unordered));
    }
}

TEST_CASE("cli: printable keeps text and UTF-8, escapes controls and invalid bytes", "[cli]") {
    CHECK(printable("plain text: 1.rasm:2:3") == "plain text: 1.rasm:2:3");
    CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f") ==
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f");
    CHECK(printable("a\xff"
                    "b") == "a\\xffb");
    CHECK(printable("\x1b[31mred") == "\\x1b[31mred");  // no terminal escapes
    CHECK(printable("\xc2\x9b"
                    "2J") == "\\xc2\\x9b2J");               // C1 CSI is a control too
    CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");           // overlong
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // surrogate
    CHECK(printable("caf\xc3") == "caf\\xc3");              // truncated
    CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(printable("x\ty\nz") == "x\\x09y\\x0az");
    CHECK(printable("x\ty\nz", true) == "x\ty\nz");
    CHECK(printable("\x7f") == "\\x7f");
}

TEST_CASE("cli: excerpt cuts long input without splitting a character", "[cli]") {
    CHECK(excerpt("short", 10) == "short");
    CHECK(excerpt(std::string(20, 'a'), 5) == "aaaaa... (20 bytes)");
    // "é" is two bytes; a cut at byte 4 would split the second one.
    CHECK(excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 3) == "\xc3\xa9... (6 bytes)");
    CHECK(excerpt(std::string(1000, '\xff'), 2) == "\\xff\\xff... (1000 bytes)");
}

}  // namespace
