// The miss window of the pre-executors' hit-rate statistics.

#include <catch2/catch.hpp>

#include <string>

#include "executor/protocol/miss_stats.h"

using namespace remora;
using namespace remora::executor;
using namespace remora::executor::protocol;

TEST_CASE("the miss window forgets the oldest outcomes", "[protocol][stats]") {
    MissWindow window(4);
    window.record_miss(MissCause::kStaleVersion);
    window.record_miss(MissCause::kMissingResult);
    window.record_hit();
    window.record_miss(MissCause::kDynamicMismatch);
    CHECK(window.size() == 4);
    CHECK(window.state_misses() == 2);
    window.record_hit();  // the stale miss leaves
    CHECK(window.size() == 4);
    CHECK(window.hits() == 2);
    CHECK(window.misses()[MissCause::kStaleVersion] == 0);
    CHECK(window.misses()[MissCause::kMissingResult] == 1);
    CHECK(window.state_misses() == 1);
    window.reset();
    CHECK(window.size() == 0);
    CHECK(window.misses().total() == 0);
    CHECK(std::string(miss_cause_name(MissCause::kUnconfirmedRead)) == "unconfirmed_read");
    CHECK_FALSE(is_state_miss(MissCause::kAuthenticatorFailed));
}
