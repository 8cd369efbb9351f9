#include "executor/simulation/simulation.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <utility>

#include "executor/protocol/pre_executor.h"
#include "executor/sequential/sequential.h"
#include "executor/simulation/cores.h"
#include "executor/tx/effects.h"
#include "executor/tx/effects_codec.h"

namespace remora::executor::simulation {

using common::Code;
using common::Result;
using common::Status;
using protocol::PreExecutorId;

namespace {

std::uint64_t clock_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

// Reading the thread CPU clock is a system call: 1.4 us on our VMs, as much as a quarter of an
// adopted transaction's decision. So it is read three times per commit (start, after the last
// decision, end), and each decision is timed with the monotonic clock (vDSO, 30 ns); a commit's
// decision CPU is split between adoption and re-execution in proportion to those times.
std::uint64_t thread_cpu_ns() { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }
std::uint64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }

// One commit's measurement.
struct CommitCpu {
    std::uint64_t start_cpu_ns = 0;
    std::uint64_t decided_cpu_ns = 0;  // after the last decision
    std::uint64_t mark_wall_ns = 0;    // end of the previous decision
    std::uint64_t adopt_wall_ns = 0;
    std::uint64_t reexec_wall_ns = 0;
    std::uint32_t last_index = 0;
    bool adopt_checks = true;  // the primary's structural adopt checks, for this commit
};

struct Node {
    std::unique_ptr<protocol::PreExecutor> engine;  // null while crashed or departed
    std::uint64_t incarnation = 0;
    Cores cores;
    Cores verify;                   // SimulationConfig::pre_executor_verify_threads
    std::deque<std::size_t> queue;  // transactions waiting for the node, in arrival order
    bool running = false;           // a transaction's execution is in progress
    bool slow = false;
    std::uint64_t outstanding = 0;
    // FaultConfig::arrival_shuffle_window: transactions that arrived and wait to be shuffled.
    std::vector<std::size_t> arrivals;
    std::uint64_t arrival_generation = 0;
};

// Re-executions an idle pre-executor does before it looks at its queue again.
constexpr std::size_t kReplaysPerTurn = 4;

// Seeds the adversarial stream apart from the main one.
constexpr std::uint64_t kAdversaryStream = 0x6164766572736172ull;  // "adversar"

class Simulation {
public:
    Simulation(const SimulationConfig& config, const SimulationInput& input,
               std::unique_ptr<storage::Store> store)
        : m_config(config),
          m_input(input),
          m_rng(config.seed),
          m_adversary(config.seed ^ kAdversaryStream),
          m_store(std::move(store)),
          m_balancer(config.routing),
          m_load(input.txs.size(), 0) {}

    Result<SimulationResult> run();

private:
    SimTimeUs delay() {
        SimTimeUs d = m_config.base_delay_us +
                      common::at_most_modulo(m_rng, m_config.faults.message_delay_max_us);
        if (common::chance_if_possible(m_adversary, m_config.faults.straggler_rate)) {
            ++m_result.counters.stragglers;
            d += m_config.faults.straggler_delay_us;
        }
        return d;
    }
    // The load a node reports: its queued transactions' count or expected cost
    // (LoadMeasure), per core.
    void report_load(PreExecutorId id) {
        const Node& node = m_nodes.at(id);
        const std::uint64_t cores = node.cores.count();
        m_balancer.report_outstanding(id, (node.outstanding + cores - 1) / cores);
    }
    void fail(Status status) {
        if (m_error.is_ok()) m_error = std::move(status);
    }
    Status start_node(PreExecutorId id);
    void stop_node(PreExecutorId id);
    std::optional<PreExecutorId> pick_live();
    void submit_tx(std::size_t index);
    void deliver_tx(PreExecutorId id, std::uint64_t incarnation, std::size_t index);
    void queue_tx(PreExecutorId id, std::uint64_t incarnation, std::size_t index);
    void flush_arrivals(PreExecutorId id);
    void run_next(PreExecutorId id);
    void run_replays(PreExecutorId id);
    void kick(PreExecutorId id);
    void send_results_at(PreExecutorId id, std::vector<protocol::PreExecResult> results,
                         SimTimeUs at);
    void send_result(PreExecutorId from, protocol::PreExecResult result);
    // Occupies the node's cores with `results` (plus `extra_us` of bookkeeping;
    // Cores::occupy_each) and sends each result when its work ends.
    void charge_and_send(PreExecutorId id, std::vector<protocol::PreExecResult> results,
                         SimTimeUs extra_us = 0);
    void forward_to_peers(PreExecutorId from, const Effects& effects);
    void deliver_forward(PreExecutorId peer, const Effects& effects, const common::Digest& digest,
                         bool corrupted);
    void sequence_tx(std::size_t index);
    void cut_batch();
    void send_order(std::uint64_t number, const std::vector<Transaction>& batch);
    void try_process();
    void process(const std::vector<Transaction>& batch);
    void send_update(protocol::StateUpdate update);
    void schedule_faults();

    const SimulationConfig& m_config;
    const SimulationInput& m_input;
    SimRng m_rng;
    SimRng m_adversary;  // the adversarial knobs' draws only
    EventQueue m_queue;
    std::unique_ptr<storage::Store> m_store;
    common::CommitIndex m_genesis_commits = 1;  // genesis is commits 1..m_genesis_commits
    std::unique_ptr<protocol::Primary> m_primary;
    protocol::LoadBalancer m_balancer;
    std::map<PreExecutorId, Node> m_nodes;
    std::vector<std::uint64_t> m_load;  // per transaction: the load its route added
    PreExecutorId m_next_id = 1;
    // Sequencer.
    std::vector<Transaction> m_batch;
    std::uint64_t m_batch_generation = 0;
    std::vector<std::vector<Transaction>> m_ordered;  // in consensus order
    std::size_t m_next_commit = 0;
    std::optional<SimTimeUs> m_wait_deadline_us;
    bool m_poll_scheduled = false;
    SimTimeUs m_primary_busy_until_us = 0;  // the primary's clock (CostModel)
    bool m_busy_scheduled = false;
    std::size_t m_sequenced = 0;
    Status m_error;
    SimulationResult m_result;
    CommitCpu m_commit_cpu;
};

Status Simulation::start_node(PreExecutorId id) {
    auto store = open_memory_store();
    if (!store) return store.status();
    protocol::PreExecutorOptions options;
    // Holding pays only where a held transaction's inputs will come soon: from peers, or from
    // routed updates that send owned objects everywhere. Otherwise it only delays results.
    const bool inputs_come = m_config.peer_forwarding ||
                             m_config.primary.routed_updates == protocol::RoutedUpdates::kBroadcast;
    if (!m_config.hold_txs || !inputs_come) options.held_txs_max = 0;
    options.ordered_replay = m_config.tentative_order;
    auto engine = protocol::PreExecutor::from_genesis(id, std::move(store).value(), m_input.genesis,
                                                      m_input.workload, options);
    if (!engine) return engine.status();
    Node& node = m_nodes[id];
    node.engine = std::move(engine).value();
    node.cores.reset(m_config.pre_executor_cores, m_queue.now_us());
    node.verify.reset(m_config.pre_executor_verify_threads, m_queue.now_us());
    node.outstanding = 0;
    if (Status s = m_primary->add_pre_executor(id, node.engine->caught_up_commit()); !s) return s;
    if (Status s = m_balancer.add(id); !s) return s;
    if (m_config.state_updates && m_config.catch_up_on_join &&
        m_primary->store().status().applied_commit > m_genesis_commits) {
        auto update = m_primary->make_state_update(id);
        if (!update) return update.status();
        send_update(std::move(update).value());
    }
    return Status::ok();
}

void Simulation::stop_node(PreExecutorId id) {
    Node& node = m_nodes.at(id);
    node.engine.reset();
    ++node.incarnation;
    node.outstanding = 0;
    node.queue.clear();
    node.running = false;
    node.arrivals.clear();
    ++node.arrival_generation;
    if (Status s = m_balancer.remove(id); !s) fail(s);
    if (Status s = m_primary->remove_pre_executor(id); !s) fail(s);
}

std::optional<PreExecutorId> Simulation::pick_live() {
    const auto& live = m_balancer.live();
    if (live.empty()) return std::nullopt;
    return live[common::at_most_modulo(m_rng, live.size() - 1)];
}

void Simulation::submit_tx(std::size_t index) {
    const Transaction& tx = m_input.txs[index];
    m_queue.at(m_queue.now_us() + delay(), [this, index] { sequence_tx(index); });
    const common::Digest digest = transaction_digest(tx);
    auto id = m_balancer.route(tx, m_config.handoff_fence ? &digest : nullptr);
    if (!id) {
        ++m_result.counters.unrouted;
        return;
    }
    ++m_result.counters.routed;
    m_primary->note_routed(digest, *id);
    Node& node = m_nodes.at(*id);
    m_load[index] = m_config.routing.load == protocol::LoadMeasure::kCost
                        ? m_balancer.expected_cost(tx)
                        : std::uint64_t{1};
    node.outstanding += m_load[index];
    report_load(*id);
    std::uint64_t incarnation = node.incarnation;
    // A moved group's fences travel with the transaction that moved it, so they are in place
    // before it arrives.
    std::vector<protocol::HandoffFence> fences = m_balancer.take_fences();
    m_queue.at(m_queue.now_us() + delay(),
               [this, id = *id, incarnation, index, fences = std::move(fences)] {
                   Node& target = m_nodes.at(id);
                   if (target.incarnation == incarnation && target.engine) {
                       for (const protocol::HandoffFence& f : fences) {
                           target.engine->fence(f.object, f.after);
                           ++m_result.counters.fences;
                       }
                   }
                   deliver_tx(id, incarnation, index);
               });
}

void Simulation::deliver_tx(PreExecutorId id, std::uint64_t incarnation, std::size_t index) {
    Node& node = m_nodes.at(id);
    if (node.incarnation != incarnation || !node.engine) return;
    const std::uint32_t window = m_config.faults.arrival_shuffle_window;
    if (window <= 1) return queue_tx(id, incarnation, index);
    node.arrivals.push_back(index);
    if (node.arrivals.size() >= window) return flush_arrivals(id);
    if (node.arrivals.size() == 1) {
        std::uint64_t generation = node.arrival_generation;
        m_queue.at(m_queue.now_us() + m_config.faults.arrival_flush_us, [this, id, generation] {
            if (m_nodes.at(id).arrival_generation == generation) flush_arrivals(id);
        });
    }
}

void Simulation::flush_arrivals(PreExecutorId id) {
    Node& node = m_nodes.at(id);
    ++node.arrival_generation;
    std::vector<std::size_t> arrivals = std::move(node.arrivals);
    node.arrivals.clear();
    if (arrivals.empty() || !node.engine) return;
    ++m_result.counters.arrival_windows;
    for (std::size_t i = arrivals.size() - 1; i > 0; --i) {  // Fisher-Yates, seeded
        std::swap(arrivals[i], arrivals[common::at_most_modulo(m_adversary, i)]);
    }
    for (std::size_t index : arrivals) queue_tx(id, node.incarnation, index);
}

// A node runs one transaction at a time, in arrival order. A transaction executes when the
// node takes it (it reads the state of that moment); its result, and those of held ones it
// released, leave once the node has spent their simulated cost (CostModel, a function of gas).
// With a verify pool, a transaction first waits for a verify thread and its authenticator check
// (as the node's verify workers check it before the engine strand sees it); it joins the queue
// when checked. The checks all cost the same, so they end in the order they began: the queue
// stays in arrival order.
void Simulation::queue_tx(PreExecutorId id, std::uint64_t incarnation, std::size_t index) {
    Node& node = m_nodes.at(id);
    if (node.incarnation != incarnation || !node.engine) return;
    if (m_config.pre_executor_verify_threads > 0) {
        const SimTimeUs verified =
            node.verify.occupy({}, m_config.cost.hinted_saving_us, m_queue.now_us());
        m_queue.at(verified, [this, id, incarnation, index] {
            Node& checked = m_nodes.at(id);
            if (checked.incarnation != incarnation || !checked.engine) return;
            checked.queue.push_back(index);
            if (!checked.running) run_next(id);
        });
        return;
    }
    node.queue.push_back(index);
    if (!node.running) run_next(id);
}

void Simulation::run_next(PreExecutorId id) {
    Node& node = m_nodes.at(id);
    if (!node.engine || (node.queue.empty() && !node.engine->replays_pending())) {
        node.running = false;
        return;
    }
    if (node.engine && node.queue.empty() && node.engine->replays_pending()) {
        return run_replays(id);
    }
    const SimTimeUs start = std::max(node.cores.earliest_free_us(), m_queue.now_us());
    if (start > m_queue.now_us()) {
        node.running = true;
        std::uint64_t incarnation = node.incarnation;
        m_queue.at(start, [this, id, incarnation] {
            if (m_nodes.at(id).incarnation == incarnation) run_next(id);
        });
        return;
    }
    node.running = true;
    std::size_t index = node.queue.front();
    node.queue.pop_front();
    node.outstanding -= std::min(node.outstanding, m_load[index]);
    report_load(id);
    auto result = node.engine->execute_or_hold(m_input.txs[index]);
    std::vector<protocol::PreExecResult> out;
    if (!result) {
        ++m_result.counters.pre_exec_errors;
    } else if (!result.value()) {
        ++m_result.counters.held;
    } else {
        // What the balancer learns costs from (LoadMeasure::kCost): the results as they come.
        m_balancer.observe_cost(m_input.txs[index],
                                m_config.cost.exec_us(result.value()->effects.gas_used));
        out.push_back(std::move(*result.value()));
    }
    for (auto& released : node.engine->take_released()) out.push_back(std::move(released));
    charge_and_send(id, std::move(out),
                    m_config.cost.check_us + (node.slow ? m_config.faults.slow_tx_us : 0));
    std::uint64_t incarnation = node.incarnation;
    m_queue.at(std::max(node.cores.earliest_free_us(), m_queue.now_us()), [this, id, incarnation] {
        if (m_nodes.at(id).incarnation == incarnation) run_next(id);
    });
}

// An idle node re-checks what orders, forwards and updates marked (PreExecutor::replay_pending),
// a few re-executions at a time, so that new transactions never wait long behind replays.
void Simulation::run_replays(PreExecutorId id) {
    Node& node = m_nodes.at(id);
    const SimTimeUs start = std::max(node.cores.earliest_free_us(), m_queue.now_us());
    std::uint64_t incarnation = node.incarnation;
    node.running = true;
    if (start > m_queue.now_us()) {
        m_queue.at(start, [this, id, incarnation] {
            if (m_nodes.at(id).incarnation == incarnation) run_next(id);
        });
        return;
    }
    auto replayed = node.engine->replay_pending(kReplaysPerTurn);
    if (!replayed) return fail(replayed.status());
    charge_and_send(id, node.engine->take_released());
    node.cores.hold_earliest_until(m_queue.now_us() + m_config.cost.check_us,
                                   m_config.pre_executor_parallel_min_us > 0);
    m_queue.at(std::max(node.cores.earliest_free_us(), m_queue.now_us()), [this, id, incarnation] {
        if (m_nodes.at(id).incarnation == incarnation) run_next(id);
    });
}

void Simulation::kick(PreExecutorId id) {
    Node& node = m_nodes.at(id);
    if (node.engine && !node.running) run_next(id);
}

void Simulation::send_results_at(PreExecutorId id, std::vector<protocol::PreExecResult> results,
                                 SimTimeUs at) {
    if (results.empty()) return;
    std::uint64_t incarnation = m_nodes.at(id).incarnation;
    auto shared = std::make_shared<std::vector<protocol::PreExecResult>>(std::move(results));
    m_queue.at(at, [this, id, incarnation, shared] {
        const Node& node = m_nodes.at(id);
        if (node.incarnation != incarnation || !node.engine) return;
        for (auto& r : *shared) send_result(id, std::move(r));
    });
}

void Simulation::forward_to_peers(PreExecutorId from, const Effects& effects) {
    if (!m_config.peer_forwarding || !effects.status.is_success()) return;
    auto shared =
        std::make_shared<std::pair<Effects, common::Digest>>(effects, effects_digest(effects));
    const FaultConfig& f = m_config.faults;
    for (PreExecutorId peer : m_balancer.live()) {
        if (peer == from) continue;
        ++m_result.counters.peer_forwards;
        if (common::chance_if_possible(m_adversary, f.forward_drop_rate)) {
            ++m_result.counters.forwards_dropped;
            continue;
        }
        std::uint64_t incarnation = m_nodes.at(peer).incarnation;
        SimTimeUs at = m_queue.now_us() + delay();
        if (common::chance_if_possible(m_adversary, f.forward_corrupt_rate)) {
            // The encoded form with one byte flipped (never to the same value), sent with the
            // digest of the original: what a faulty link or a lying peer delivers.
            common::Bytes bytes = encode_effects(effects);
            std::size_t position = common::at_most_modulo(m_adversary, bytes.size() - 1);
            bytes[position] = static_cast<char>(
                bytes[position] ^ static_cast<char>(1 + common::at_most_modulo(m_adversary, 254)));
            auto decoded = decode_effects(bytes);
            if (!decoded) {
                ++m_result.counters.forwards_refused;
                continue;
            }
            ++m_result.counters.forwards_corrupted;
            auto corrupted = std::make_shared<std::pair<Effects, common::Digest>>(
                std::move(decoded).value(), shared->second);
            m_queue.at(at, [this, peer, incarnation, corrupted] {
                Node& node = m_nodes.at(peer);
                if (node.incarnation != incarnation || !node.engine) return;
                deliver_forward(peer, corrupted->first, corrupted->second, true);
            });
            continue;
        }
        m_queue.at(at, [this, peer, incarnation, shared] {
            Node& node = m_nodes.at(peer);
            if (node.incarnation != incarnation || !node.engine) return;
            deliver_forward(peer, shared->first, shared->second, false);
        });
    }
}

void Simulation::deliver_forward(PreExecutorId peer, const Effects& effects,
                                 const common::Digest& digest, bool corrupted) {
    Node& node = m_nodes.at(peer);
    auto applied = node.engine->apply_peer_effects(effects, digest);
    if (!applied) {
        // An honest forward always applies; a corrupted one may be refused (with whatever
        // status the engine chooses), as it may well be.
        if (corrupted) {
            ++m_result.counters.forwards_refused;
            return;
        }
        return fail(applied.status());
    }
    m_result.counters.peer_objects += applied.value();
    charge_and_send(peer, node.engine->take_released());
    kick(peer);
}

void Simulation::charge_and_send(PreExecutorId id, std::vector<protocol::PreExecResult> results,
                                 SimTimeUs extra_us) {
    if (results.empty() && extra_us == 0) return;
    std::vector<SimTimeUs> costs;
    costs.reserve(results.size());
    // Every execution on the node (taken, released or replaced) skips the authenticator check
    // that its verify pool did on arrival (the node keeps the hints with held and own
    // transactions).
    const bool verified_apart = m_config.pre_executor_verify_threads > 0;
    for (const auto& r : results) {
        costs.push_back(m_config.cost.pre_exec_us(r.effects.gas_used, verified_apart));
    }
    const std::vector<SimTimeUs> ends = m_nodes.at(id).cores.occupy_each(
        results, costs, extra_us, m_queue.now_us(), m_config.pre_executor_parallel_min_us);
    // Results that leave at the same time leave as one message event, in order.
    for (std::size_t i = 0; i < results.size();) {
        std::vector<protocol::PreExecResult> together;
        const SimTimeUs at = ends[i];
        for (; i < results.size() && ends[i] == at; ++i) together.push_back(std::move(results[i]));
        send_results_at(id, std::move(together), at);
    }
}

void Simulation::send_result(PreExecutorId from, protocol::PreExecResult result) {
    forward_to_peers(from, result.effects);
    if (common::chance_if_possible(m_rng, m_config.faults.result_drop_rate)) {
        ++m_result.counters.results_dropped;
        return;
    }
    ++m_result.counters.results_sent;
    if (result.revision > 0) ++m_result.counters.superseding_sent;
    auto shared = std::make_shared<protocol::PreExecResult>(std::move(result));
    m_queue.at(m_queue.now_us() + delay(), [this, shared] {
        auto submitted = m_primary->submit(std::move(*shared));
        if (!submitted) ++m_result.counters.results_refused;
    });
}

void Simulation::sequence_tx(std::size_t index) {
    ++m_sequenced;
    m_batch.push_back(m_input.txs[index]);
    if (m_batch.size() >= m_config.batch_txs) {
        cut_batch();
        return;
    }
    if (m_batch.size() == 1) {
        std::uint64_t generation = m_batch_generation;
        m_queue.at(m_queue.now_us() + m_config.batch_timeout_us, [this, generation] {
            if (generation == m_batch_generation && !m_batch.empty()) cut_batch();
        });
    }
}

void Simulation::cut_batch() {
    const std::uint64_t number = m_batch_generation++;
    auto batch = std::make_shared<std::vector<Transaction>>(std::move(m_batch));
    m_batch.clear();
    if (m_config.tentative_order) send_order(number, *batch);
    const FaultConfig& f = m_config.faults;
    if (batch->size() > 1 && common::chance_if_possible(m_adversary, f.reorder_rate)) {
        ++m_result.counters.batches_reordered;
        for (std::uint32_t i = 0; i < f.reorder_swaps; ++i) {
            std::swap((*batch)[common::at_most_modulo(m_adversary, batch->size() - 1)],
                      (*batch)[common::at_most_modulo(m_adversary, batch->size() - 1)]);
        }
    }
    m_queue.at(m_queue.now_us() + m_config.consensus_delay_us, [this, batch] {
        m_ordered.push_back(std::move(*batch));
        try_process();
    });
}

void Simulation::send_order(std::uint64_t number, const std::vector<Transaction>& batch) {
    auto order = std::make_shared<protocol::TentativeOrder>();
    order->batch = number;
    // The embedded sequencer's batches commit in order after genesis (commit 1).
    order->commit = number + 2;
    order->txs.reserve(batch.size());
    for (const Transaction& tx : batch) order->txs.push_back(transaction_digest(tx));
    for (PreExecutorId id : m_balancer.live()) {
        ++m_result.counters.orders_sent;
        std::uint64_t incarnation = m_nodes.at(id).incarnation;
        m_queue.at(m_queue.now_us() + delay(), [this, id, incarnation, order] {
            Node& node = m_nodes.at(id);
            if (node.incarnation != incarnation || !node.engine) return;
            if (Status s = node.engine->learn_order(*order); !s) return fail(s);
            charge_and_send(id, node.engine->take_released());
            kick(id);
        });
    }
}

void Simulation::try_process() {
    while (m_error.is_ok() && m_next_commit < m_ordered.size()) {
        const auto& batch = m_ordered[m_next_commit];
        SimTimeUs now = m_queue.now_us();
        if (now < m_primary_busy_until_us) {
            // The primary is still processing the previous commit (CostModel): try again when
            // it is done.
            if (!m_busy_scheduled) {
                m_busy_scheduled = true;
                m_queue.at(m_primary_busy_until_us, [this] {
                    m_busy_scheduled = false;
                    try_process();
                });
            }
            return;
        }
        if (m_config.late_wait_us > 0 && !m_primary->missing_results(batch).empty()) {
            if (!m_wait_deadline_us) {
                m_wait_deadline_us = now + m_config.late_wait_us;
                ++m_result.counters.commits_waited;
            }
            if (now < *m_wait_deadline_us) {
                if (!m_poll_scheduled) {
                    m_poll_scheduled = true;
                    SimTimeUs at = std::min(now + std::max<SimTimeUs>(1, m_config.late_poll_us),
                                            *m_wait_deadline_us);
                    m_queue.at(at, [this] {
                        m_poll_scheduled = false;
                        try_process();
                    });
                }
                return;
            }
            m_result.counters.wait_us += m_config.late_wait_us;
        }
        m_wait_deadline_us.reset();
        process(batch);
        ++m_next_commit;
    }
}

void Simulation::process(const std::vector<Transaction>& batch) {
    // The A/B of the adopt checks' cost: on for even commits, off for odd ones.
    const bool checks = !m_config.adopt_checks_ab || m_next_commit % 2 == 0;
    if (m_config.adopt_checks_ab) m_primary->set_adopt_checks(checks);
    if (m_config.measure_cpu) {
        m_commit_cpu = CommitCpu{};
        m_commit_cpu.adopt_checks = checks;
        m_commit_cpu.last_index = static_cast<std::uint32_t>(batch.size() - 1);
        m_commit_cpu.start_cpu_ns = thread_cpu_ns();
        m_commit_cpu.decided_cpu_ns = m_commit_cpu.start_cpu_ns;
        m_commit_cpu.mark_wall_ns = monotonic_ns();
    }
    auto commit = m_primary->process_commit(batch);
    if (m_config.measure_cpu) {
        // The observer read the CPU clock after the last decision: what follows is the commit
        // write (persistence). Before it, the decisions, split by their monotonic times.
        PrimaryCpu& cpu = m_result.cpu;
        const CommitCpu& c = m_commit_cpu;
        cpu.persist_ns += thread_cpu_ns() - c.decided_cpu_ns;
        const std::uint64_t decisions_ns = c.decided_cpu_ns - c.start_cpu_ns;
        const std::uint64_t wall_ns = c.adopt_wall_ns + c.reexec_wall_ns;
        if (wall_ns > 0) {
            const auto adopt_ns = static_cast<std::uint64_t>(
                static_cast<long double>(decisions_ns) * c.adopt_wall_ns / wall_ns);
            (c.adopt_checks ? cpu.adopt_ns : cpu.adopt_unchecked_ns) += adopt_ns;
            cpu.reexec_ns += decisions_ns - adopt_ns;
        }
    }
    if (!commit) {
        fail(commit.status());
        return;
    }
    // Contention-following routing: these transactions are no longer in flight.
    for (const Transaction& tx : batch) m_balancer.complete(tx);
    m_result.commits.push_back(batch);
    std::vector<common::Bytes> effects;
    for (const Effects& e : commit->outcome.effects) effects.push_back(canonical_effects_bytes(e));
    m_result.effects.push_back(std::move(effects));
    m_result.digests.push_back(commit->outcome.state_digest);
    // The primary's simulated work: adoptions, re-executions (gas) and the commit write. Its
    // state updates leave when it is done.
    const CostModel& cost = m_config.cost;
    SimTimeUs spent = cost.persist_us_per_tx * batch.size();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const protocol::TxDecision& d = commit->decisions[i];
        // A result's table (any miss but a missing result) spares the authenticator check.
        const bool hinted = d.miss && *d.miss != protocol::MissCause::kMissingResult;
        spent +=
            d.adopted ? cost.adopt_us : cost.reexec_us(commit->outcome.effects[i].gas_used, hinted);
    }
    m_primary_busy_until_us = m_queue.now_us() + spent;
    m_result.counters.primary_busy_us += spent;
    m_result.end_us = m_primary_busy_until_us;
    auto updates =
        std::make_shared<std::vector<protocol::StateUpdate>>(std::move(commit->state_updates));
    m_queue.at(m_primary_busy_until_us, [this, updates] {
        for (auto& update : *updates) send_update(std::move(update));
    });
}

void Simulation::send_update(protocol::StateUpdate update) {
    if (update.kind == protocol::StateUpdateKind::kRouted) {
        ++m_result.counters.routed_pushed;
        m_result.counters.routed_pushed_bytes += update.encoded_bytes;
    } else {
        ++m_result.counters.updates_pushed;
        m_result.counters.updates_pushed_bytes += update.encoded_bytes;
    }
    if (common::chance_if_possible(m_adversary, m_config.faults.update_drop_rate)) {
        ++m_result.counters.updates_dropped;
        return;
    }
    Node& node = m_nodes.at(update.pre_executor);
    std::uint64_t incarnation = node.incarnation;
    SimTimeUs at = m_queue.now_us() + delay() +
                   common::at_most_modulo(m_rng, m_config.faults.update_delay_max_us);
    auto shared = std::make_shared<protocol::StateUpdate>(std::move(update));
    m_queue.at(at, [this, shared, incarnation] {
        Node& target = m_nodes.at(shared->pre_executor);
        if (target.incarnation != incarnation || !target.engine) {
            ++m_result.counters.updates_lost;
            return;
        }
        auto ack = target.engine->apply_state_update(*shared);
        if (!ack) return fail(ack.status());
        ++m_result.counters.updates_applied;
        charge_and_send(shared->pre_executor, target.engine->take_released());
        kick(shared->pre_executor);
        m_queue.at(m_queue.now_us() + delay(), [this, ack = ack.value(), incarnation] {
            const Node& sender = m_nodes.at(ack.pre_executor);
            if (sender.incarnation != incarnation || !sender.engine) return;
            (void)m_primary->acknowledge(ack);  // kInvalidArgument/kNotFound only cost misses
        });
    });
}

void Simulation::schedule_faults() {
    const FaultConfig& f = m_config.faults;
    SimTimeUs horizon = m_config.tx_interval_us * std::max<std::size_t>(1, m_input.txs.size());
    for (std::uint32_t i = 0; i < f.crashes; ++i) {
        m_queue.at(common::at_most_modulo(m_rng, horizon), [this] {
            auto victim = pick_live();
            if (!victim) return;
            ++m_result.counters.crashes;
            stop_node(*victim);
            m_queue.at(m_queue.now_us() + m_config.faults.restart_delay_us, [this, id = *victim] {
                ++m_result.counters.restarts;
                if (Status s = start_node(id); !s) fail(s);
            });
        });
    }
    for (std::uint32_t i = 0; i < f.joins; ++i) {
        m_queue.at(common::at_most_modulo(m_rng, horizon), [this] {
            ++m_result.counters.joins;
            if (Status s = start_node(m_next_id++); !s) fail(s);
        });
    }
    for (std::uint32_t i = 0; i < f.leaves; ++i) {
        m_queue.at(common::at_most_modulo(m_rng, horizon), [this] {
            auto victim = pick_live();
            if (!victim) return;
            ++m_result.counters.leaves;
            stop_node(*victim);
        });
    }
}

Result<SimulationResult> Simulation::run() {
    if (!m_store) {
        auto store = open_memory_store();
        if (!store) return store.status();
        m_store = std::move(store).value();
    }
    auto genesis_commits =
        SequentialExecutor(*m_store).commit_genesis(m_input.genesis, m_input.workload);
    if (!genesis_commits) return genesis_commits.status();
    m_genesis_commits = genesis_commits.value();
    protocol::PrimaryOptions options = m_config.primary;
    if (!m_config.state_updates) options.miss_threshold = 0;
    if (Status s = protocol::validate_primary_options(options); !s) return s;
    m_primary = std::make_unique<protocol::Primary>(*m_store, options);
    m_primary->set_update_router(
        [this](const Object& object) { return m_balancer.expected_reader(object); });
    if (m_config.measure_cpu) {
        m_primary->set_decision_observer([this](const protocol::TxDecision& decision) {
            CommitCpu& c = m_commit_cpu;
            const std::uint64_t now = monotonic_ns();
            const std::uint64_t spent = now - c.mark_wall_ns;
            c.mark_wall_ns = now;
            if (decision.adopted) {
                c.adopt_wall_ns += spent;
                ++(c.adopt_checks ? m_result.cpu.adopt_txs : m_result.cpu.adopt_unchecked_txs);
            } else {
                c.reexec_wall_ns += spent;
                ++m_result.cpu.reexec_txs;
            }
            if (decision.index == c.last_index) c.decided_cpu_ns = thread_cpu_ns();
        });
    }
    for (std::uint32_t i = 0; i < m_config.pre_executors; ++i) {
        PreExecutorId id = m_next_id++;
        if (Status s = start_node(id); !s) return s;
        m_nodes.at(id).slow = i < m_config.faults.slow_pre_executors;
    }
    schedule_faults();
    for (std::size_t i = 0; i < m_input.txs.size(); ++i) {
        m_queue.at(i * m_config.tx_interval_us, [this, i] { submit_tx(i); });
    }
    while (!m_queue.empty() && m_error.is_ok()) m_queue.run_next();
    if (!m_error.is_ok()) return m_error;
    if (!m_batch.empty() || m_next_commit != m_ordered.size() ||
        m_sequenced != m_input.txs.size()) {
        return Status(Code::kInternal, "simulation ended with unprocessed transactions");
    }
    m_result.primary = m_primary->counters();
    m_result.routing = m_balancer.counters();
    m_result.counters.events = m_queue.executed();
    for (const auto& [id, node] : m_nodes) {
        if (!node.engine) continue;
        const protocol::ReplayCounters replay = node.engine->counters().replay;
        m_result.counters.replay_checks += replay.checks;
        m_result.counters.replays += replay.replays;
        m_result.counters.replays_capped += replay.replays_capped;
        m_result.counters.healed += replay.healed;
    }
    return std::move(m_result);
}

}  // namespace

SimTimeUs CostModel::exec_us(std::uint64_t gas_used) const {
    // Exact and free of overflow for exec_ps_per_gas <= kSimPsPerGasMax (validated).
    constexpr std::uint64_t kPsPerUs = 1'000'000;
    return exec_fixed_us + (gas_used / kPsPerUs) * exec_ps_per_gas +
           (gas_used % kPsPerUs) * exec_ps_per_gas / kPsPerUs;
}

SimTimeUs CostModel::reexec_us(std::uint64_t gas_used, bool hinted) const {
    const SimTimeUs full = exec_us(gas_used);
    return hinted ? full - std::min(full, hinted_saving_us) : full;
}

Status validate_simulation_config(const SimulationConfig& config) {
    auto bad = [](const std::string& what) { return Status(Code::kInvalidArgument, what); };
    const FaultConfig& f = config.faults;
    if (config.pre_executors > kSimPreExecutorsMax) {
        return bad("pre_executors must be at most " + std::to_string(kSimPreExecutorsMax));
    }
    if (config.pre_executor_cores < 1 || config.pre_executor_cores > kSimCoresMax) {
        return bad("pre_executor_cores must be in 1.." + std::to_string(kSimCoresMax));
    }
    if (config.pre_executor_verify_threads > kSimCoresMax) {
        return bad("pre_executor_verify_threads must be in 0.." + std::to_string(kSimCoresMax));
    }
    if (config.pre_executor_parallel_min_us > kSimCostMaxUs) {
        return bad("pre_executor_parallel_min_us must be at most " + std::to_string(kSimCostMaxUs) +
                   " us");
    }
    if (config.batch_txs < 1 || config.batch_txs > kSimBatchTxsMax) {
        return bad("batch_txs must be in 1.." + std::to_string(kSimBatchTxsMax));
    }
    using Rate = std::pair<const char*, double>;
    for (auto [name, rate] :
         {Rate{"result_drop_rate", f.result_drop_rate},
          Rate{"forward_drop_rate", f.forward_drop_rate},
          Rate{"update_drop_rate", f.update_drop_rate}, Rate{"straggler_rate", f.straggler_rate},
          Rate{"forward_corrupt_rate", f.forward_corrupt_rate},
          Rate{"reorder_rate", f.reorder_rate}}) {
        if (!(rate >= 0 && rate <= 1)) return bad(std::string(name) + " must be in [0, 1]");
    }
    if (f.arrival_shuffle_window > kSimArrivalWindowMax) {
        return bad("arrival_shuffle_window must be at most " +
                   std::to_string(kSimArrivalWindowMax));
    }
    if (f.crashes > kSimFaultEventsMax || f.joins > kSimFaultEventsMax ||
        f.leaves > kSimFaultEventsMax || f.slow_pre_executors > kSimPreExecutorsMax) {
        return bad("fault counts must be at most " + std::to_string(kSimFaultEventsMax));
    }
    if (config.pre_executors + f.joins > kSimPreExecutorsMax) {
        return bad("pre_executors + joins must be at most " + std::to_string(kSimPreExecutorsMax));
    }
    for (SimTimeUs d : {config.batch_timeout_us, config.consensus_delay_us, config.tx_interval_us,
                        config.base_delay_us, config.late_wait_us, config.late_poll_us,
                        f.message_delay_max_us, f.slow_tx_us, f.restart_delay_us,
                        f.update_delay_max_us, f.arrival_flush_us, f.straggler_delay_us}) {
        if (d > kSimDelayMaxUs) {
            return bad("every delay must be at most " + std::to_string(kSimDelayMaxUs) + " us");
        }
    }
    const CostModel& c = config.cost;
    for (SimTimeUs d :
         {c.exec_fixed_us, c.hinted_saving_us, c.adopt_us, c.persist_us_per_tx, c.check_us}) {
        if (d > kSimCostMaxUs) {
            return bad("every cost must be at most " + std::to_string(kSimCostMaxUs) + " us");
        }
    }
    if (c.exec_ps_per_gas > kSimPsPerGasMax) {
        return bad("exec_ps_per_gas must be at most " + std::to_string(kSimPsPerGasMax));
    }
    if (config.batch_timeout_us == 0) return bad("batch_timeout_us must be positive");
    return Status::ok();
}

Result<SimulationResult> run_simulation(const SimulationConfig& config,
                                        const SimulationInput& input,
                                        std::unique_ptr<storage::Store> primary_store) {
    if (Status s = validate_simulation_config(config); !s) return s;
    Simulation simulation(config, input, std::move(primary_store));
    return simulation.run();
}

Result<std::unique_ptr<storage::Store>> open_memory_store() {
    static std::atomic<std::uint64_t> counter{0};
    storage::StoreOptions options;
    options.create_if_missing = true;
    options.in_memory = true;
    options.sync = false;
    return storage::Store::open("/remora-in-memory/sim-" + std::to_string(counter++),
                                storage::OpenMode::kReadWrite, options);
}

}  // namespace remora::executor::simulation
