// The Anoma mapping: outputs, finish messages and state updates as Anoma messages.

#include <catch2/catch.hpp>

#include "executor/protocol/anoma_bridge.h"
#include "tests/executor/protocol_objects.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::executor;
using namespace remora::executor::protocol;
using remora::testing::id_of;
using remora::testing::object_of;
using remora::testing::writes;

TEST_CASE("outputs, finish messages and state updates map onto the Anoma messages",
          "[protocol][anoma]") {
    Effects effects = writes(1, {object_of(2, 5)});
    effects.created = {object_of(3, 5)};
    effects.deleted = {{id_of(4), 5}};
    effects.gas_used = 77;
    const TxFingerprint at{12, 3};
    auto out = kvs_writes(effects, at);
    REQUIRE(out.size() == 3);
    CHECK(out[0] == KvsWrite{at, id_of(2), 5, object_of(2, 5)});
    CHECK(out[2] == KvsWrite{at, id_of(4), 5, std::nullopt});
    for (const auto& w : out) CHECK(validate_anoma_message(w).is_ok());
    Effects aborted = effects;
    aborted.status.code = AbortCode::kOutOfGas;
    CHECK(kvs_writes(aborted, at).empty());

    auto finished = executor_finished(effects, id_of(9), at);
    CHECK(finished == ExecutorFinished{at, id_of(1), AbortCode::kNone, 77, id_of(9)});
    auto summary = execution_summary(aborted, id_of(9), at);
    CHECK(summary.status.code == AbortCode::kOutOfGas);
    CHECK(validate_anoma_message(summary).is_ok());

    StateUpdate update;
    update.to_commit = 8;
    update.objects = {object_of(6, 2)};
    update.tombstones = {{id_of(5), 3}};
    auto reads = kvs_reads(update);
    REQUIRE(reads.size() == 2);
    CHECK(reads[0] == KvsRead{TxFingerprint{9, 0}, id_of(5), 3, std::nullopt});
    CHECK(reads[1].data == object_of(6, 2));
    for (const auto& r : reads) CHECK(validate_anoma_message(r).is_ok());
}
