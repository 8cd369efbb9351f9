#include <catch2/catch.hpp>

#include "common/status.h"

using namespace remora::common;

namespace {
Status fails() { return {Code::kNotFound, "missing"}; }
Status chained() {
    REMORA_RETURN_IF_ERROR(fails());
    return {Code::kInternal, "not reached"};
}
}  // namespace

TEST_CASE("Status carries a code and message and adds context", "[status]") {
    CHECK(Status::ok().is_ok());
    Status s = chained();
    CHECK(s.code() == Code::kNotFound);
    CHECK(s.with_context("opening x").message() == "opening x: missing");
    CHECK(s.to_string() == "NotFound: missing");
}

TEST_CASE("Result holds a value or an error", "[status]") {
    Result<int> ok = 7;
    REQUIRE(ok);
    CHECK(*ok == 7);
    Result<int> bad = Status{Code::kCorruption, "bad"};
    CHECK_FALSE(bad);
    CHECK(bad.status().code() == Code::kCorruption);
}
