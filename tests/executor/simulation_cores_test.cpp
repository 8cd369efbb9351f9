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

TEST_CASE("cores: serial work runs one piece at a time, beside costly work",
          "[simulation][cores]") {
    sim::Cores cores;
    cores.reset(4, 0);
    CHECK(cores.occupy(touching(1), 30, 0) == 30);
    CHECK(cores.occupy(touching(2), 10, 0) == 10);
    // Serial work takes a free core (beside the costly work) but waits for the serial work
    // before it: the node's one thread for cheap transactions.
    CHECK(cores.occupy(touching(3), 5, 0, true) == 5);
    CHECK(cores.occupy(touching(4), 5, 0, true) == 10);  // a core was free at 0
    CHECK(cores.occupy(touching(5), 10, 0) == 15);       // parallel work does not wait for it
    // occupy_each: a piece whose results cost less than the threshold is serial, a costly one
    // is not. Two cheap results (5 us) and a costly one (200 us) on fresh cores.
    std::vector<PreExecResult> results;
    for (std::uint64_t object : {6, 7, 8}) results.push_back(touching(object).front());
    sim::Cores fresh;
    fresh.reset(4, 0);
    CHECK(fresh.occupy_each(results, {5, 5, 200}, 0, 0, 100) ==
          std::vector<sim::SimTimeUs>{5, 10, 200});
    fresh.reset(4, 0);  // threshold 0: all in parallel (the model before the rule)
    CHECK(fresh.occupy_each(results, {5, 5, 200}, 0, 0, 0) ==
          std::vector<sim::SimTimeUs>{5, 5, 200});
    // One result: serial when cheap (after the serial work before it), not when costly.
    fresh.reset(2, 0);
    CHECK(fresh.occupy(touching(9), 50, 0, true) == 50);
    CHECK(fresh.occupy_each(touching(10), {20}, 1, 0, 100) == std::vector<sim::SimTimeUs>{71});
    fresh.reset(2, 0);
    CHECK(fresh.occupy(touching(9), 50, 0, true) == 50);
    CHECK(fresh.occupy_each(touching(10), {120}, 1, 0, 100) == std::vector<sim::SimTimeUs>{121});
    // Bookkeeping alone is serial too (the node's engine strand), unless the threshold is 0.
    fresh.reset(2, 0);
    CHECK(fresh.occupy(touching(9), 50, 0, true) == 50);
    CHECK(fresh.occupy_each({}, {}, 3, 0, 100) == std::vector<sim::SimTimeUs>{53});
    fresh.reset(2, 0);
    CHECK(fresh.occupy(touching(9), 50, 0, true) == 50);
    CHECK(fresh.occupy_each({}, {}, 3, 0, 0) == std::vector<sim::SimTimeUs>{3});
    fresh.hold_earliest_until(70, true);
    CHECK(fresh.occupy(touching(11), 1, 0, true) == 71);
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
    config.pre_executor_cores = 1;
    config.pre_executor_verify_threads = sim::kSimCoresMax + 1;
    CHECK(sim::validate_simulation_config(config).code() == common::Code::kInvalidArgument);
    config.pre_executor_verify_threads = 0;
    CHECK(sim::validate_simulation_config(config).is_ok());
    config.pre_executor_parallel_min_us = sim::kSimCostMaxUs + 1;
    CHECK(sim::validate_simulation_config(config).code() == common::Code::kInvalidArgument);
}

// The node's rule (docs/simulation.md, "Cores"): transactions cheaper than the threshold run
// one at a time whatever the cores, so cheap transfers on 8 cores run exactly as on 1; with
// the threshold at 0 (every piece in parallel) the same run finishes its pre-executions sooner.
TEST_CASE("cores: cheap transactions do not run in parallel", "[simulation][cores]") {
    auto input = make_input("transfer", 22, 200);
    sim::SimulationConfig config;
    config.seed = 22;
    config.pre_executors = 1;
    config.batch_txs = 20;
    config.consensus_delay_us = 2000;
    config.late_wait_us = 0;
    config.tx_interval_us = 5;  // a backlog: several cores would help if they were used
    config.tentative_order = true;
    config.pre_executor_verify_threads = 0;  // 58 us per transfer on the exec core: still cheap
    auto run = [&](std::uint32_t cores, sim::SimTimeUs parallel_min_us) {
        config.pre_executor_cores = cores;
        config.pre_executor_parallel_min_us = parallel_min_us;
        return check_against_reference(config, input, "cores: cheap transactions");
    };
    const auto one = run(1, sim::SimulationConfig{}.pre_executor_parallel_min_us);
    const auto eight = run(8, sim::SimulationConfig{}.pre_executor_parallel_min_us);
    const auto all_parallel = run(8, 0);
    INFO("adopted: 1 core " << one.primary.adopted << ", 8 cores " << eight.primary.adopted
                            << ", 8 cores in parallel " << all_parallel.primary.adopted);
    CHECK(eight.primary.adopted == one.primary.adopted);
    CHECK(eight.counters.events == one.counters.events);
    CHECK(eight.end_us == one.end_us);
    CHECK(all_parallel.primary.adopted > one.primary.adopted);
}

// The verify pool (the node's verify_threads) checks authenticators before execution, in
// parallel, and execution then costs that much less: a transfer stream that one exec core
// checking its own authenticators cannot keep up with is adopted more with a pool of 2.
TEST_CASE("cores: the verify pool takes the authenticator checks off the exec core",
          "[simulation][cores]") {
    auto input = make_input("transfer", 23, 300);
    sim::SimulationConfig config;
    config.seed = 23;
    config.pre_executors = 1;
    config.batch_txs = 20;
    config.consensus_delay_us = 3000;
    config.late_wait_us = 0;
    config.tx_interval_us = 30;  // 58 us per transfer on one core, 22 us with 2 verify threads
    config.tentative_order = true;
    std::vector<std::uint64_t> adopted;
    for (std::uint32_t threads : {0u, 1u, 2u}) {
        config.pre_executor_verify_threads = threads;
        adopted.push_back(
            check_against_reference(config, input, "cores: verify pool").primary.adopted);
    }
    INFO("adopted with 0, 1, 2 verify threads: " << adopted[0] << ", " << adopted[1] << ", "
                                                 << adopted[2]);
    CHECK(adopted[0] * 4 < std::uint64_t{300} * 3);  // far behind without a pool
    CHECK(adopted[1] > adopted[0]);                  // 44 us per check on one thread: behind
    CHECK(adopted[2] == 300);                        // 22 us per transaction: keeps up
}

}  // namespace
}  // namespace remora::testing
