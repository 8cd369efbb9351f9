// The simulated cores of a pre-executor (executor/simulation/cores.h): one core is sequential;
// with several, work on disjoint objects overlaps and work on a shared object waits for the
// last work on it to end, so results leave in arrival order per object.

#include "common/hash.h"
#include "executor/simulation/cores.h"
#include "tests/executor/simulation_support.h"

namespace remora::testing {
namespace {

using executor::Object;
using executor::ObjectRead;
using executor::protocol::PreExecResult;

executor::ObjectId object_id(std::uint64_t n) {
    common::Bytes seed;
    common::put_be64(seed, n);
    return common::blake2b_256(seed);
}

// A result that read `read` (when given) and wrote `written`.
std::vector<PreExecResult> touching(std::uint64_t written, std::optional<std::uint64_t> read = {}) {
    PreExecResult r;
    Object object;
    object.id = object_id(written);
    r.effects.written.push_back(object);
    if (read) {
        ObjectRead input;
        input.id = object_id(*read);
        r.table.reads.push_back(input);
    }
    return {r};
}

TEST_CASE("cores: one core runs one piece of work at a time", "[simulation][cores]") {
    sim::Cores cores;
    cores.reset(1, 100);
    CHECK(cores.count() == 1);
    CHECK(cores.occupy(touching(1), 10, 100) == 110);
    CHECK(cores.occupy(touching(2), 10, 100) == 120);  // disjoint, still after
    CHECK(cores.earliest_free_us() == 120);
    CHECK(cores.occupy(touching(3), 5, 200) == 205);  // idle in between: from now
    cores.hold_earliest_until(300);
    CHECK(cores.earliest_free_us() == 300);
    sim::Cores zero;
    zero.reset(0, 0);  // taken as one
    CHECK(zero.count() == 1);
}

TEST_CASE("cores: disjoint work overlaps, work on a shared object waits", "[simulation][cores]") {
    sim::Cores cores;
    cores.reset(4, 0);
    CHECK(cores.occupy(touching(1), 10, 0) == 10);
    CHECK(cores.occupy(touching(2), 10, 0) == 10);  // another core, at once
    // Writes object 1 again: after the first work on it, on a free core.
    CHECK(cores.occupy(touching(1), 10, 0) == 20);
    // Reads object 2 (written by the second): after it.
    CHECK(cores.occupy(touching(5, 2), 7, 0) == 17);
    CHECK(cores.earliest_free_us() == 10);
    // All four busy: the next waits for the earliest core, even on a fresh object.
    CHECK(cores.occupy(touching(9), 3, 0) == 13);
    // Object 1's last work ends at 20, object 5's at 17: a chain on both waits for both.
    PreExecResult both = touching(1).front();
    both.table.reads.push_back(ObjectRead{.id = object_id(5)});
    CHECK(cores.occupy(std::vector<PreExecResult>{both}, 1, 12) == 21);
    // Once the work on an object has ended it no longer delays anything.
    cores.reset(2, 0);
    CHECK(cores.occupy(touching(1), 10, 0) == 10);
    CHECK(cores.occupy(touching(1), 10, 50) == 60);
}

TEST_CASE("cores: a release is one piece on one core, a piece per result on several",
          "[simulation][cores]") {
    // Three held transactions a forward released: two on object 1 (a pool's chain), one on
    // object 2 (another pool), 10 us each, plus 1 us of bookkeeping.
    std::vector<PreExecResult> released;
    for (std::uint64_t object : {1, 1, 2}) released.push_back(touching(object).front());
    const std::vector<sim::SimTimeUs> costs = {10, 10, 10};
    sim::Cores one;
    one.reset(1, 0);
    CHECK(one.occupy_each(released, costs, 1, 0) == std::vector<sim::SimTimeUs>{31, 31, 31});
    // Several cores: object 2's result runs beside object 1's chain and leaves first; the
    // chain keeps its order. (As one piece on one core they all left at 31.)
    sim::Cores four;
    four.reset(4, 0);
    CHECK(four.occupy_each(released, costs, 1, 0) == std::vector<sim::SimTimeUs>{11, 21, 10});
    CHECK(four.occupy(touching(1), 5, 0) == 26);  // after the chain's last work
    // No results: the bookkeeping still takes a core (the earliest free, at 10).
    CHECK(four.occupy_each({}, {}, 3, 0) == std::vector<sim::SimTimeUs>{13});
}

TEST_CASE("cores: what is remembered stays bounded", "[simulation][cores]") {
    sim::Cores cores;
    cores.reset(2, 0);
    // Many objects, each work ended before the next starts: the old ones are forgotten and
    // never delay new work; a live one still does.
    sim::SimTimeUs now = 0;
    for (std::uint64_t i = 0; i < sim::kObjectReadyPruneAt + 100; ++i, now += 2) {
        CHECK(cores.occupy(touching(i), 1, now) == now + 1);
    }
    CHECK(cores.occupy(touching(7), 100, now) == now + 100);
    CHECK(cores.occupy(touching(7), 1, now) == now + 101);
}

// The cluster with several cores per pre-executor: the output still equals the reference,
// and a compute-heavy run that one core per pre-executor cannot keep up with is adopted more.
TEST_CASE("cores: more cores per pre-executor keep up with heavy work", "[simulation][cores]") {
    auto input = make_input("compute", 21, 120);
    sim::SimulationConfig config;
    config.seed = 21;
    config.pre_executors = 2;
    config.batch_txs = 20;
    config.consensus_delay_us = 5000;
    config.late_wait_us = 0;
    config.tx_interval_us = 5;  // far more work than one core per pre-executor can do in time
    config.cost.exec_ps_per_gas = 40000;
    config.tentative_order = true;
    std::uint64_t adopted_one = 0;
    for (std::uint32_t cores : {1u, 8u}) {
        config.pre_executor_cores = cores;
        auto result = check_against_reference(config, input, "cores: more cores keep up");
        INFO(cores << " cores: " << result.primary.adopted << " adopted");
        if (cores == 1) {
            adopted_one = result.primary.adopted;
            CHECK(adopted_one * 4 < std::uint64_t{120} * 3);  // a quarter or more missed
        } else {
            CHECK(result.primary.adopted == 120);
        }
    }
    config.pre_executor_cores = sim::kSimCoresMax + 1;
    CHECK(sim::validate_simulation_config(config).code() == common::Code::kInvalidArgument);
    config.pre_executor_cores = 0;
    CHECK(sim::validate_simulation_config(config).code() == common::Code::kInvalidArgument);
}

}  // namespace
}  // namespace remora::testing
