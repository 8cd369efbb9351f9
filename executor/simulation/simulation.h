#pragma once
// A seeded, in-process Remora cluster (docs/simulation.md): a primary, an embedded sequencer
// (batches by size or by simulated time, then a consensus delay), the load balancer and N
// pre-executors, driven by a simulated clock (event_queue.h). One seed decides every message
// delay (hence reorderings), lost results, slow pre-executors, crashes (the engine is discarded
// and rebuilt from genesis after a delay, then re-registered), joins, leaves and state-update
// delivery delays. The same config and input always give the same run, event for event.
//
// The primary's policy for late results lives here: when an ordered commit has transactions
// without a buffered result, the driver waits up to `late_wait_us` of simulated time (polling
// every `late_poll_us`) before processing it; what is still missing is re-executed.
//
// Every store is in memory unless the caller hands over the primary's store (a bench --db).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/load_balancer.h"
#include "executor/protocol/primary.h"
#include "executor/simulation/event_queue.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"
#include "storage/store.h"

namespace remora::executor::simulation {

// --- Bounds (checked by validate_simulation_config) ------------------------------------------
inline constexpr std::uint32_t kSimPreExecutorsMax = 64;
inline constexpr std::uint32_t kSimCoresMax = 256;       // simulated cores per pre-executor
inline constexpr std::uint32_t kSimFaultEventsMax = 64;  // crashes, joins, leaves each
inline constexpr SimTimeUs kSimDelayMaxUs = 60'000'000;  // any configured delay
inline constexpr std::uint32_t kSimBatchTxsMax = 100'000;
inline constexpr std::uint32_t kSimArrivalWindowMax = 1024;
inline constexpr SimTimeUs kSimCostMaxUs = 1'000'000;        // any fixed cost (CostModel)
inline constexpr std::uint64_t kSimPsPerGasMax = 1'000'000;  // 1 us per unit of gas

struct FaultConfig {
    double result_drop_rate = 0.0;         // results lost on the way to the primary, [0, 1]
    SimTimeUs message_delay_max_us = 0;    // extra per message, uniform in [0, max]
    std::uint32_t slow_pre_executors = 0;  // how many of the initial ones are slow
    SimTimeUs slow_tx_us = 0;              // extra processing time per tx on a slow one
    std::uint32_t crashes = 0;             // at seeded times, of a seeded live victim
    SimTimeUs restart_delay_us = 1000;     // crash -> rebuilt from genesis, re-registered
    std::uint32_t joins = 0;               // new pre-executors at seeded times
    std::uint32_t leaves = 0;              // live pre-executors leaving for good
    SimTimeUs update_delay_max_us = 0;     // extra delay of each state update, [0, max]

    // --- Adversarial schedules (drawn from their own seeded stream, so that with all of
    // them off a run is the same as before they existed) ---
    // Arrival order unlike the consensus order: each pre-executor collects the transactions
    // that reach it and runs them in a seeded random order, a window of this many at a time
    // (or what came within arrival_flush_us of the window's first one). 0 or 1: off.
    std::uint32_t arrival_shuffle_window = 0;
    SimTimeUs arrival_flush_us = 2000;
    // Forked speculative states: a peer forward is lost with this probability, [0, 1] ...
    double forward_drop_rate = 0.0;
    // ... and a state update (catch-up or routed) with this one, [0, 1].
    double update_drop_rate = 0.0;
    // Stragglers: any message (a transaction, a result, a forward, an update, an ack) takes
    // straggler_delay_us more with this probability, [0, 1]: past one or more commits.
    double straggler_rate = 0.0;
    SimTimeUs straggler_delay_us = 0;
    // A peer forward travels as encoded effects (encode_effects) with one byte flipped at a
    // seeded position, with this probability, [0, 1], and arrives with the digest of the
    // ORIGINAL effects: the receiver must not trust a digest it did not compute. A corrupted
    // forward that no longer decodes is refused (counted, never applied).
    double forward_corrupt_rate = 0.0;
    // A reordering ordering source: with this probability, [0, 1], a batch is committed in
    // another order than the tentative order the pre-executors were sent (a seeded shuffle of
    // up to reorder_swaps pairs). The pre-executors' replays then miss; the output must not.
    double reorder_rate = 0.0;
    std::uint32_t reorder_swaps = 4;
};

// What work costs in simulated time (docs/simulation.md, "The clock"). A pre-execution costs
// `exec_fixed_us + gas_used * exec_ps_per_gas / 10^6`: gas is charged for the authenticator
// check, the reads and the VM alike, and tracks the sequential executor's time within 15% on
// every workload. The primary's re-execution costs the same, less `hinted_saving_us` when a
// result's hints spare it the authenticator check; its adoption costs `adopt_us` and its commit
// write `persist_us_per_tx` per transaction. Defaults: calibrated on the sequential bench.
struct CostModel {
    SimTimeUs exec_fixed_us = 0;
    std::uint64_t exec_ps_per_gas = 10'600;  // picoseconds per unit of gas used
    SimTimeUs hinted_saving_us = 44;
    SimTimeUs adopt_us = 5;
    SimTimeUs persist_us_per_tx = 24;
    SimTimeUs check_us = 1;  // a pre-executor's bookkeeping of one transaction it takes

    SimTimeUs exec_us(std::uint64_t gas_used) const;
    SimTimeUs reexec_us(std::uint64_t gas_used, bool hinted) const;
    // A pre-execution on an exec core: exec_us, less the authenticator check (hinted_saving_us)
    // when a verify pool has done it before (SimulationConfig::pre_executor_verify_threads).
    SimTimeUs pre_exec_us(std::uint64_t gas_used, bool verified_apart) const {
        return reexec_us(gas_used, verified_apart);
    }
};

struct SimulationConfig {
    std::uint64_t seed = 1;
    std::uint32_t pre_executors = 2;      // at the start, ids 1..N; joins take N+1, ...
    std::uint32_t batch_txs = 20;         // the sequencer cuts a batch at this size ...
    SimTimeUs batch_timeout_us = 2000;    // ... or this long after its first transaction
    SimTimeUs consensus_delay_us = 1000;  // batch cut -> ordered commit at the primary
    SimTimeUs tx_interval_us = 50;        // clients submit one transaction per interval
    SimTimeUs base_delay_us = 20;         // one-way message latency floor
    // Simulated exec cores per pre-executor (docs/simulation.md, "Cores"), 1..kSimCoresMax: work
    // that shares no object with unfinished work on the node runs on another free core (the
    // node's pre_executor.exec_threads). 1: one execution thread.
    std::uint32_t pre_executor_cores = 1;
    // The pre-executor's verify pool (the node's pre_executor.verify_threads, default 2),
    // 0..kSimCoresMax: each arriving transaction's authenticator check (cost.hinted_saving_us)
    // runs on one of these threads before it may execute, in arrival order, and its execution
    // then costs that much less. 0: no pool; the exec core checks authenticators (the model
    // before the pool).
    std::uint32_t pre_executor_verify_threads = 2;
    // Below this exec cost (simulated µs, after the verify pool's part) a piece of work is
    // serial: one such piece at a time, beside costlier work, as the node runs cheap
    // transactions one at a time on one thread (protocol::limits::kBatchParallelMinUs). 0: every
    // piece may run in parallel (the model before this rule). Matters only with
    // pre_executor_cores > 1.
    SimTimeUs pre_executor_parallel_min_us = protocol::limits::kBatchParallelMinUs;
    // The clock (docs/simulation.md, "The clock"): simulated costs are functions of gas only,
    // never of wall time, calibrated against `remora-bench sequential`.
    CostModel cost;
    SimTimeUs late_wait_us = 500;  // bounded wait for missing results per commit
    SimTimeUs late_poll_us = 100;
    // Off: the primary never pushes state updates (PrimaryOptions::miss_threshold = 0).
    bool state_updates = true;
    // A (re)joining pre-executor is sent make_state_update() to catch up (with state_updates).
    bool catch_up_on_join = true;
    // Pre-executors hold transactions whose owned inputs have not arrived yet
    // (PreExecutor::execute_or_hold); only when some state updates are enabled.
    bool hold_txs = true;
    // Each pre-executor's results' effects go to every other live pre-executor
    // (PreExecutor::apply_peer_effects), one message delay later.
    bool peer_forwarding = true;
    // When the sequencer cuts a batch it sends its order to every live pre-executor (one
    // message each), which re-execute, in that order, their results it contradicts and send the
    // replacements (PreExecutorOptions::ordered_replay; docs/remora_protocol.md, "Convergence").
    bool tentative_order = false;
    // Handoff fences (docs/remora_protocol.md, "The handoff fence"): when contention-following
    // routing moves an object's group, with transactions in flight, to another pre-executor,
    // that one holds the group's transactions until it has seen the effects of the last one
    // routed to the old pre-executor (PreExecutor::fence; with hold_txs only).
    bool handoff_fence = false;
    // Measure the primary's thread CPU time per decision and per commit write.
    bool measure_cpu = false;
    // Alternate the primary's structural adopt checks per commit (on for even commits, off for
    // odd ones) and measure adoption in each half apart (PrimaryCpu::adopt_unchecked_*), so
    // their cost is an A/B inside one run. The output stays the reference's either way.
    bool adopt_checks_ab = false;
    protocol::PrimaryOptions primary;
    protocol::LoadBalancerOptions routing;
    FaultConfig faults;
};

// kInvalidArgument naming the first knob outside its bounds.
common::Status validate_simulation_config(const SimulationConfig& config);

struct SimulationInput {
    std::string workload;          // the genesis commit's workload name
    std::vector<Object> genesis;   // sorted by id, version 1
    std::vector<Transaction> txs;  // in client submission order
};

struct SimulationCounters {
    std::uint64_t events = 0;
    std::uint64_t routed = 0;
    std::uint64_t unrouted = 0;  // no live pre-executor when submitted
    std::uint64_t results_sent = 0;
    std::uint64_t results_dropped = 0;
    std::uint64_t results_refused = 0;  // submit() refused (e.g. its sender had left)
    std::uint64_t pre_exec_errors = 0;  // PreExecutor::execute_or_hold failed
    std::uint64_t held = 0;             // transactions a pre-executor held (execute_or_hold)
    std::uint64_t fences = 0;           // handoff fences delivered with a transaction
    std::uint64_t peer_forwards = 0;    // effects forwarded to one other pre-executor
    std::uint64_t peer_objects = 0;     // objects those forwards put in overlays
    std::uint64_t crashes = 0;
    std::uint64_t restarts = 0;
    std::uint64_t joins = 0;
    std::uint64_t leaves = 0;
    std::uint64_t updates_pushed = 0;  // catch-up updates
    std::uint64_t updates_pushed_bytes = 0;
    std::uint64_t routed_pushed = 0;  // routed updates (PrimaryOptions::routed_updates)
    std::uint64_t routed_pushed_bytes = 0;
    std::uint64_t updates_applied = 0;     // both kinds
    std::uint64_t updates_lost = 0;        // arrived at a crashed or departed incarnation
    std::uint64_t arrival_windows = 0;     // windows of arrivals a pre-executor shuffled
    std::uint64_t forwards_dropped = 0;    // forward_drop_rate
    std::uint64_t updates_dropped = 0;     // update_drop_rate
    std::uint64_t stragglers = 0;          // messages given straggler_delay_us more
    std::uint64_t forwards_corrupted = 0;  // delivered with a flipped byte, original digest
    std::uint64_t forwards_refused = 0;    // flipped so that they no longer decode (or apply)
    std::uint64_t commits_waited = 0;      // commits that waited for late results
    SimTimeUs wait_us = 0;                 // simulated time spent waiting, all commits
    SimTimeUs primary_busy_us = 0;         // the primary's simulated work (CostModel)
    std::uint64_t orders_sent = 0;         // tentative orders, one per batch per pre-executor
    std::uint64_t batches_reordered = 0;   // committed in another order than announced
    std::uint64_t superseding_sent = 0;    // results with revision > 0 sent to the primary
    // Summed over the pre-executors alive at the end (ReplayCounters).
    std::uint64_t replay_checks = 0;
    std::uint64_t replays = 0;
    std::uint64_t replays_capped = 0;
    std::uint64_t healed = 0;
};

// Primary thread CPU time (CLOCK_THREAD_CPUTIME_ID) with measure_cpu: of each commit's
// decisions (adopt or re-execute, effects added to the commit), split between adopted and
// re-executed transactions in proportion to their monotonic-clock times (reading the thread
// CPU clock per decision cost 1.4 us on our VMs, a quarter of an adoption), and of the commit
// write after the last decision (CommitBuilder::finish: persistence).
struct PrimaryCpu {
    // With adopt_checks_ab, adopt_* count the commits with the checks on and
    // adopt_unchecked_* those with them off; otherwise adopt_unchecked_* stay 0.
    std::uint64_t adopt_ns = 0;
    std::uint64_t adopt_unchecked_ns = 0;
    std::uint64_t adopt_unchecked_txs = 0;
    std::uint64_t reexec_ns = 0;
    std::uint64_t persist_ns = 0;
    std::uint64_t adopt_txs = 0;
    std::uint64_t reexec_txs = 0;
};

struct SimulationResult {
    std::vector<std::vector<Transaction>> commits;    // the ordered commits, after genesis
    std::vector<std::vector<common::Bytes>> effects;  // canonical effects bytes per commit
    std::vector<common::Digest> digests;              // state digest after each commit
    protocol::PrimaryCounters primary;
    protocol::LoadBalancerCounters routing;
    SimulationCounters counters;
    PrimaryCpu cpu;
    SimTimeUs end_us = 0;  // simulated time when the last commit was processed
};

// Runs the cluster until every transaction is ordered and processed. `primary_store`: an empty
// read-write store for the primary, or nullptr for an in-memory one. Errors: a bad config, a
// store failure, or the primary refusing a commit.
common::Result<SimulationResult> run_simulation(const SimulationConfig& config,
                                                const SimulationInput& input,
                                                std::unique_ptr<storage::Store> primary_store = {});

// A fresh, empty in-memory store (a unique name per call).
common::Result<std::unique_ptr<storage::Store>> open_memory_store();

}  // namespace remora::executor::simulation
