#pragma once
// Helpers of the simulation property tests (simulation_*_test.cpp): small workload inputs, the
// fault schedules, and one seed's run checked against the sequential reference.
//
// A seed decides everything of a run: the workload's seed, the number of pre-executors (0..4),
// the fault schedule and every random choice of the simulation. REMORA_SIM_SEED=S reruns only
// seed S in each test case (the failure message prints the exact command).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "executor/simulation/reference.h"
#include "executor/simulation/simulation.h"
#include "executor/workload/workload.h"

namespace remora::testing {

namespace sim = executor::simulation;

// The first 600 rows of the real-chain trace (committed, tests/data/traces/README.md), and
// the whole trace in the shared folder beside the source tree (REMORA_SHARED_DIR).
inline const std::string kTracePath =
    std::string(REMORA_SOURCE_DIR) + "/tests/data/traces/eth_pevm_first600.csv";
inline const std::string kSharedTracePath =
    std::string(REMORA_SHARED_DIR) + "/traces/eth_pevm_85blocks_txs.csv";
inline const std::string kLargeRowsTracePath =
    std::string(REMORA_SOURCE_DIR) + "/tests/data/traces/large_rows.csv";
inline constexpr std::size_t kFaultSchedules = 7;

inline std::optional<std::uint64_t> seed_override() {
    const char* text = std::getenv("REMORA_SIM_SEED");
    if (text == nullptr || *text == '\0') return std::nullopt;
    return std::strtoull(text, nullptr, 0);
}

// `txs` transactions of a small synthetic workload (or a trace's first ones).
inline sim::SimulationInput make_input(const std::string& name, std::uint64_t seed, std::size_t txs,
                                       std::uint32_t shared_objects = 4,
                                       double invalid_signature_rate = 0.0,
                                       std::optional<std::uint32_t> batch_size = std::nullopt) {
    executor::workload::WorkloadConfig config;
    config.name = name;
    config.seed = seed;
    config.accounts = 24;
    config.shared_objects = shared_objects;
    config.compute_rounds = 20;
    config.invalid_signature_rate = invalid_signature_rate;
    if (batch_size) config.batch_size = *batch_size;  // received coins are spent 2 batches on
    auto made = executor::workload::make_workload(config);
    INFO(made.status().to_string());
    REQUIRE(made.is_ok());
    auto& load = *made.value();
    sim::SimulationInput input{load.name(), load.genesis_objects(), {}};
    while (input.txs.size() < txs) {
        auto next = load.next();
        if (!next) break;
        input.txs.push_back(std::move(next->tx));
    }
    return input;
}

// Schedule `index` (0..kFaultSchedules-1): healthy, delays, lossy, slow, crashes, churn, chaos.
inline sim::FaultConfig fault_schedule(std::size_t index) {
    sim::FaultConfig f;
    switch (index % kFaultSchedules) {
        case 0:
            break;
        case 1:
            f.message_delay_max_us = 1500;
            f.update_delay_max_us = 2000;
            break;
        case 2:
            f.result_drop_rate = 0.25;
            f.message_delay_max_us = 300;
            break;
        case 3:
            f.slow_pre_executors = 2;
            f.slow_tx_us = 400;
            break;
        case 4:
            f.crashes = 3;
            f.restart_delay_us = 700;
            break;
        case 5:
            f.joins = 2;
            f.leaves = 2;
            f.crashes = 1;
            break;
        default:
            f.result_drop_rate = 0.1;
            f.message_delay_max_us = 2500;
            f.slow_pre_executors = 1;
            f.slow_tx_us = 300;
            f.crashes = 2;
            f.joins = 1;
            f.leaves = 1;
            f.update_delay_max_us = 3000;
            break;
    }
    return f;
}

inline const char* fault_name(std::size_t index) {
    static const char* kNames[] = {"healthy", "delays", "lossy", "slow",
                                   "crashes", "churn",  "chaos"};
    return kNames[index % kFaultSchedules];
}

// The adversarial schedules (the random workload runs them beside the realistic ones):
// shuffled arrivals, forked speculative states, stragglers past commits, corrupted forwards,
// and all of them at once. `seed` varies the shuffle window.
inline constexpr std::size_t kAdversarialSchedules = 5;

inline sim::FaultConfig adversarial_schedule(std::size_t index, std::uint64_t seed) {
    sim::FaultConfig f;
    switch (index % kAdversarialSchedules) {
        case 0:  // arrival order unlike the consensus order
            f.arrival_shuffle_window = 4 + static_cast<std::uint32_t>(seed % 9);
            f.arrival_flush_us = 600;
            f.message_delay_max_us = 300;
            break;
        case 1:  // pre-executors whose speculative states have forked
            f.forward_drop_rate = 0.8;
            f.update_drop_rate = 0.5;
            f.arrival_shuffle_window = 3;
            f.arrival_flush_us = 400;
            break;
        case 2:  // messages delayed past one or more commits
            f.straggler_rate = 0.08;
            f.straggler_delay_us = 5000;
            f.message_delay_max_us = 500;
            break;
        case 3:  // forwards with a flipped byte under the original digest
            f.forward_corrupt_rate = 0.8;
            break;
        default:  // all of them, with the realistic faults
            f.arrival_shuffle_window = 2 + static_cast<std::uint32_t>(seed % 7);
            f.arrival_flush_us = 800;
            f.forward_drop_rate = 0.15;
            f.update_drop_rate = 0.15;
            f.straggler_rate = 0.04;
            f.straggler_delay_us = 4000;
            f.forward_corrupt_rate = 0.25;
            f.message_delay_max_us = 800;
            f.result_drop_rate = 0.1;
            f.crashes = 1;
            f.joins = 1;
            break;
    }
    return f;
}

// The random workload's schedules: the realistic ones, then the adversarial ones.
inline constexpr std::size_t kRandomSchedules = kFaultSchedules + kAdversarialSchedules;

inline const char* random_schedule_name(std::uint64_t seed) {
    static const char* kNames[] = {"shuffled", "forked", "stragglers", "corrupt", "adversarial"};
    std::size_t schedule = (seed / 5) % kRandomSchedules;
    return schedule < kFaultSchedules ? fault_name(schedule) : kNames[schedule - kFaultSchedules];
}

// The cluster shape a seed picks: pre-executors 0..4, a fault schedule, sequencer knobs, and
// routing / state-update choices.
inline sim::SimulationConfig config_for_seed(std::uint64_t seed) {
    sim::SimulationConfig config;
    config.seed = seed;
    config.pre_executors = static_cast<std::uint32_t>(seed % 5);
    config.faults = fault_schedule(seed / 5);
    config.batch_txs = 8 + static_cast<std::uint32_t>(seed % 23);
    config.batch_timeout_us = 300 + (seed % 7) * 200;
    config.consensus_delay_us = (seed / 3) % 4 * 400;
    config.late_wait_us = (seed / 7) % 3 * 300;
    // Round robin on one seed in eleven; contention-following routing (placements that
    // follow the in-flight transactions, moved on overload, dropped with their pre-executor)
    // on odd seeds; plain affinity otherwise.
    config.routing.mode = seed % 11 == 3  ? executor::protocol::RoutingMode::kRoundRobin
                          : seed % 2 == 1 ? executor::protocol::RoutingMode::kContention
                                          : executor::protocol::RoutingMode::kAffinity;
    if (seed % 4 == 1) {  // and on half of those, groups moved by the recent-share rule
        config.routing.rebalance_window = 4 + seed % 8;
        config.routing.rebalance_min_weight = 1 + seed % 3;
    }
    config.state_updates = seed % 13 != 5;
    config.peer_forwarding = seed % 3 != 1;
    config.hold_txs = (seed / 11) % 2 == 0;
    config.primary.routed_updates = seed % 7 == 2   ? executor::protocol::RoutedUpdates::kOff
                                    : seed % 7 == 4 ? executor::protocol::RoutedUpdates::kBroadcast
                                                    : executor::protocol::RoutedUpdates::kAffinity;
    config.primary.miss_window_txs = 16;
    config.primary.miss_threshold = 2 + seed % 4;
    // The tentative order and the superseding results it makes, on three seeds in four.
    config.tentative_order = seed % 4 != 3;
    // Several simulated cores per pre-executor (results leave out of arrival order across
    // objects) on one seed in three, and routing load weighed by learned cost on one in eight.
    config.pre_executor_cores = seed % 3 == 2 ? 2 + static_cast<std::uint32_t>(seed / 3 % 3) : 1;
    // The model of the node's pre-executor (docs/simulation.md, "Cores"): a verify pool of 1-3
    // threads on one seed in three (none otherwise: the exec core checks authenticators), and
    // the threshold under which work runs alone at 0 (all parallel), the node's 100 us, or
    // 30 us (cheap workloads alone, costly ones beside each other).
    config.pre_executor_verify_threads =
        (seed / 4) % 3 == 0 ? 1 + static_cast<std::uint32_t>(seed % 3) : 0;
    config.pre_executor_parallel_min_us = (seed / 9) % 3 == 0   ? 0
                                          : (seed / 9) % 3 == 1 ? sim::SimTimeUs{100}
                                                                : sim::SimTimeUs{30};
    if (seed % 8 == 3) {
        config.routing.load = executor::protocol::LoadMeasure::kCost;
        config.routing.default_cost = 20;
    }
    // Handoff fences on two seeds in three (they act with contention routing and holding).
    config.handoff_fence = (seed / 2) % 3 != 0;
    return config;
}

// config_for_seed, with the fault schedule drawn from the realistic and the adversarial ones
// ((seed / 5) % 12), and smaller batches (4..16 transactions: many commit boundaries). 60
// consecutive seeds cover every (pre-executors, schedule) pair once.
inline sim::SimulationConfig config_for_random_seed(std::uint64_t seed) {
    sim::SimulationConfig config = config_for_seed(seed);
    std::size_t schedule = (seed / 5) % kRandomSchedules;
    config.faults = schedule < kFaultSchedules
                        ? fault_schedule(schedule)
                        : adversarial_schedule(schedule - kFaultSchedules, seed);
    config.batch_txs = 4 + static_cast<std::uint32_t>(seed % 13);  // many commit boundaries
    if (schedule >= kFaultSchedules) {
        // An adversary needs someone to mislead: 1..4 pre-executors, round-robin routing, so
        // that transactions read what other pre-executors wrote, and peer forwarding on even
        // seeds only (always when forwards are corrupted): without it a pre-executor keeps
        // reading its own speculative writes long after the primary moved on.
        config.pre_executors = 1 + static_cast<std::uint32_t>(seed % 4);
        config.routing.mode = executor::protocol::RoutingMode::kRoundRobin;
        config.peer_forwarding = config.faults.forward_corrupt_rate > 0 || seed % 2 == 0;
    }
    // An ordering source that reorders: on odd runs of 60 seeds (every (pre-executors,
    // schedule) pair once each way), half the batches commit in another order than announced.
    if ((seed / 60) % 2 == 1) {
        config.faults.reorder_rate = 0.5;
        config.faults.reorder_swaps = 1 + static_cast<std::uint32_t>(seed % 4);
    }
    return config;
}

// Runs `config` on `input` and requires every effect and digest to equal the reference's.
// `schedule`: the fault schedule's name for the message (default: config_for_seed's).
inline sim::SimulationResult check_against_reference(const sim::SimulationConfig& config,
                                                     const sim::SimulationInput& input,
                                                     const std::string& test_name,
                                                     const char* schedule = nullptr) {
    INFO("seed " << config.seed << " workload " << input.workload << " pre-executors "
                 << config.pre_executors << " faults "
                 << (schedule != nullptr ? schedule : fault_name(config.seed / 5))
                 << "; reproduce: REMORA_SIM_SEED=" << config.seed << " simulation_test \""
                 << test_name << "\"");
    auto run = sim::run_simulation(config, input);
    INFO(run.status().to_string());
    REQUIRE(run.is_ok());
    CHECK(run->counters.pre_exec_errors == 0);
    auto reference = sim::run_reference(input, run->commits);
    INFO(reference.status().to_string());
    REQUIRE(reference.is_ok());
    std::size_t ordered = 0;
    for (const auto& c : run->commits) ordered += c.size();
    REQUIRE(ordered == input.txs.size());
    auto difference = sim::first_difference(run.value(), reference.value());
    if (difference) {
        std::printf("FAILED seed %llu (%s): %s\n", (unsigned long long)config.seed,
                    input.workload.c_str(), difference->c_str());
    }
    INFO(difference.value_or(""));
    REQUIRE_FALSE(difference.has_value());
    return std::move(run).value();
}

// Seeds [first, first + count) of one workload (or just REMORA_SIM_SEED), `txs` each.
inline void run_seeds(const std::string& workload, std::uint64_t first, std::uint64_t count,
                      std::size_t txs, const std::string& test_name) {
    std::uint64_t begin = first, end = first + count;
    if (auto only = seed_override()) begin = *only, end = *only + 1;
    std::uint64_t adopted = 0, total = 0;
    for (std::uint64_t seed = begin; seed < end; ++seed) {
        // Some broken signatures on transfer: failed verification must never be adopted.
        auto input = make_input(workload, seed, txs, 4, workload == "transfer" ? 0.03 : 0.0);
        auto result = check_against_reference(config_for_seed(seed), input, test_name);
        adopted += result.primary.adopted;
        total += result.primary.transactions;
    }
    std::printf("%s: seeds %llu..%llu ok, %llu/%llu adopted\n", workload.c_str(),
                (unsigned long long)begin, (unsigned long long)(end - 1),
                (unsigned long long)adopted, (unsigned long long)total);
}

// The random workload over seeds [first, first + count) (or just REMORA_SIM_SEED), `txs`
// transactions each, on `hot_parents` hot parents, under config_for_random_seed. The first
// failing seed stops the case (its message says how to rerun it).
inline void run_random_seeds(std::uint64_t first, std::uint64_t count, std::size_t txs,
                             std::uint32_t hot_parents, const std::string& test_name) {
    std::uint64_t begin = first, end = first + count;
    if (auto only = seed_override()) begin = *only, end = *only + 1;
    std::uint64_t adopted = 0, total = 0, corrupted = 0;
    std::uint64_t superseding = 0, reordered = 0, healed = 0, outdated = 0;
    for (std::uint64_t seed = begin; seed < end; ++seed) {
        auto input = make_input("random", seed, txs, hot_parents);
        auto result = check_against_reference(config_for_random_seed(seed), input, test_name,
                                              random_schedule_name(seed));
        adopted += result.primary.adopted;
        total += result.primary.transactions;
        corrupted += result.counters.forwards_corrupted;
        superseding += result.counters.superseding_sent;
        reordered += result.counters.batches_reordered;
        healed += result.counters.healed;
        outdated += result.primary.results_outdated;
    }
    std::printf(
        "random: seeds %llu..%llu ok, %llu/%llu adopted, %llu corrupted forwards, %llu "
        "superseding results (%llu outdated at the primary), %llu reordered batches, %llu "
        "healed overlay entries\n",
        (unsigned long long)begin, (unsigned long long)(end - 1), (unsigned long long)adopted,
        (unsigned long long)total, (unsigned long long)corrupted, (unsigned long long)superseding,
        (unsigned long long)outdated, (unsigned long long)reordered, (unsigned long long)healed);
    if (end - begin >= 120) {
        // The convergence machinery must have been exercised, or the case proves nothing
        // about it: superseding results, orders that changed, healed forks.
        CHECK(superseding > 0);
        CHECK(reordered > 0);
        CHECK(healed > 0);
    }
}

}  // namespace remora::testing
