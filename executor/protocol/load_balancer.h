#pragma once
// Routes each transaction to one live pre-executor (docs/design.md §5: by object affinity, so that
// conflicting transactions meet on the same pre-executor and see each other's writes).
//
// The affinity key is the transaction's first shared input (transactions on one shared object
// meet), or else its sender (one sender's chain of owned coins stays on one pre-executor).
// The key's owner is chosen by rendezvous (highest-random-weight) hashing over the live ids,
// so a join or a leave moves only the keys the joining node wins or the leaving node held.
// When the owner is overloaded (outstanding > factor × mean + slack, counts the driver
// reports), the least-loaded pre-executor takes the transaction instead. kRoundRobin ignores
// affinity, for comparison.
//
// kContention follows the contention (docs/remora_protocol.md, "Contention-following
// routing"): each object that transactions in flight (routed, not yet completed) declare is
// placed on the pre-executor the last of them went to, weighted by how many are in flight. A
// transaction goes where its inputs' in-flight weight is largest, so a chain of transactions on
// hot objects runs on one pre-executor in arrival order against its own latest writes, and the
// objects written together move together; its inputs are then placed there. With no placed
// input it goes by affinity; an overloaded choice moves the group to the least-loaded one.
// complete() releases a transaction's weight; a placement with none left is forgotten.
//
// Load can be counted in transactions or weighed by their cost (LoadMeasure::kCost): the
// balancer learns what each kind of call (the program and entry point) costs from the results
// it is shown (observe_cost), and the driver reports each pre-executor's outstanding expected
// cost (expected_cost) instead of its count, so that one 1.7 ms `compute` call weighs as much
// as thirty transfers. With kCost the rebalancing shares are in expected cost too.
//
// Deterministic: the same calls give the same routes (no clock, no unordered iteration).

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/status.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/messages.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::executor::protocol {

enum class RoutingMode : std::uint8_t { kAffinity, kRoundRobin, kContention };
enum class LoadMeasure : std::uint8_t { kCount, kCost };

// Kinds of call whose cost is learned at once; past it, new kinds get the default.
inline constexpr std::size_t kCostKindsMax = 4096;

struct LoadBalancerOptions {
    RoutingMode mode = RoutingMode::kAffinity;
    // What report_outstanding reports and the rebalancing shares count: transactions, or their
    // expected cost (expected_cost, in the unit observe_cost is given).
    LoadMeasure load = LoadMeasure::kCount;
    // kCost: the expected cost of a kind of call never observed (once some are, their mean).
    std::uint64_t default_cost = 1;
    // The affinity owner is overloaded when its outstanding load exceeds
    // overload_factor × (mean outstanding load of the live pre-executors) + overload_slack
    // (the unit of `load`).
    double overload_factor = 2.0;  // values below 1 are taken as 1
    std::uint64_t overload_slack = 64;
    // kContention: objects placed at once; past it, new objects go unplaced (routed by
    // affinity) until completions free room.
    std::size_t placements_max = limits::kPlacementsDefault;
    // kContention rebalancing, by the share of recent routes (0: off). Over the last
    // rebalance_window routes, a pre-executor that took more than rebalance_factor times its
    // fair share (of the routes, or of their expected cost with LoadMeasure::kCost) hands the group
    // of the next transaction placed on it with an in-flight weight of at least
    // rebalance_min_weight to the pre-executor with the fewest recent routes; the window then
    // starts again, so groups move one at a time, each on fresh shares.
    std::size_t rebalance_window = 0;
    double rebalance_factor = 1.25;  // values below 1 are taken as 1
    std::uint64_t rebalance_min_weight = 16;
    // Hysteresis: a group moves only off a pre-executor whose outstanding load (report_outstanding)
    // is at least this (0: any). Moving a group whose pre-executor keeps up costs a cascade of
    // re-executions (its queued transactions contradict the chain the new one builds) for
    // nothing; the bench sets it to an eighth of the consensus delay's worth of work.
    std::uint64_t rebalance_min_outstanding = 0;
};

struct LoadBalancerCounters {
    std::uint64_t routed = 0;
    std::uint64_t to_affinity_owner = 0;
    std::uint64_t overload_fallbacks = 0;  // affinity owner overloaded: least-loaded instead
    // kContention:
    std::uint64_t to_placement = 0;     // went where its inputs' in-flight weight was largest
    std::uint64_t split_inputs = 0;     // inputs placed, with weight, on another pre-executor:
                                        // the cross-node conflicts routing left
    std::uint64_t placements_full = 0;  // inputs not placed: placements_max reached
    std::uint64_t rebalanced = 0;       // groups moved by the recent-share rule
    std::uint64_t placements_now = 0;
};

// The key a transaction is routed by: the first shared input's id, else the sender.
common::Hash256 affinity_key(const Transaction& tx);

// The affinity key of the transactions expected to read `object` next: a shared object's own
// id (its transactions are routed by it), an owned object's owner (its owner sends the next
// transaction that spends it), a child object's parent id; nullopt for an immutable object,
// which any transaction may read.
std::optional<common::Hash256> object_affinity_key(const Object& object);

// Rendezvous weight of `key` on pre-executor `id`: XXH3-64 of (key ‖ BE32(id)).
std::uint64_t rendezvous_weight(const common::Hash256& key, PreExecutorId id);

// kContention with route(tx, digest): an input whose group moves (an overload fallback or the
// rebalancing rule), with transactions in flight, from `from` to the chosen pre-executor;
// `after` is the last transaction routed to `from` that declares it. (A transaction that only
// joins inputs placed on several pre-executors moves no group and gets no fence.) The driver hands
// it to the new pre-executor (PreExecutor::fence) before the transaction (docs/remora_protocol.md,
// "The handoff fence").
struct HandoffFence {
    ObjectId object;
    PreExecutorId from = 0;
    common::Digest after;
};

class LoadBalancer {
public:
    explicit LoadBalancer(const LoadBalancerOptions& options = {});

    // kAlreadyExists when present; kInvalidArgument past limits::kPreExecutorsMax.
    common::Status add(PreExecutorId id);
    // kNotFound when absent. Only the keys it owned move (to their next-highest weight).
    common::Status remove(PreExecutorId id);
    const std::vector<PreExecutorId>& live() const { return m_live; }  // ascending

    // The driver's count of transactions sent to `id` and not yet answered (LoadMeasure::kCost:
    // the sum of their expected_cost). Unknown ids are ignored.
    void report_outstanding(PreExecutorId id, std::uint64_t outstanding);

    // What one execution of `tx` cost (any unit, e.g. simulated µs): its kind of call's
    // expected cost moves a quarter of the way there (the first observation sets it).
    void observe_cost(const Transaction& tx, std::uint64_t cost);
    // The learned cost of `tx`'s kind of call; never observed: the mean of the kinds that
    // were, or default_cost when none was. At least 1.
    std::uint64_t expected_cost(const Transaction& tx) const;

    // The pre-executor for `tx`; nullopt when none is live. With `digest` (transaction_digest
    // of `tx`) in kContention mode, when its group moves, the inputs whose placement moves
    // with transactions in flight get a HandoffFence (take_fences()).
    std::optional<PreExecutorId> route(const Transaction& tx,
                                       const common::Digest* digest = nullptr);
    // The fences of the routes since the last call, in order.
    std::vector<HandoffFence> take_fences() { return std::exchange(m_fences, {}); }

    // The rendezvous owner of `key` among the live pre-executors (ties: the lower id), whatever
    // the load; nullopt when none is live.
    std::optional<PreExecutorId> owner_of(const common::Hash256& key) const;

    // Where the next transaction reading `object` is expected to be routed: the affinity owner
    // of object_affinity_key(object) (nullopt when it has none, when no pre-executor is live,
    // or in round-robin mode, which has no affinity). Overload fallbacks are not predicted.
    std::optional<PreExecutorId> expected_reader(const Object& object) const;

    // kContention: `tx` (routed earlier) was ordered and processed, or will never be: its
    // inputs' in-flight weight is released. Other modes, or a transaction never routed: its
    // inputs' weight (if any) is released all the same, never below zero.
    void complete(const Transaction& tx);
    // kContention: where `id` is placed now (nullopt when unplaced or in another mode).
    std::optional<PreExecutorId> placement_of(const ObjectId& id) const;

    const LoadBalancerCounters& counters() const { return m_counters; }

private:
    struct Placement {
        PreExecutorId node = 0;
        std::uint64_t in_flight = 0;
        common::Digest last;  // the last transaction routed to `node` declaring it (fences)
    };
    bool overloaded(PreExecutorId id) const;
    PreExecutorId least_loaded() const;
    PreExecutorId route_by_contention(const Transaction& tx, const common::Digest* digest);
    // The recent-share rule: the pre-executor to move a group weighing `weight` placed on
    // `node` to, or nullopt.
    std::optional<PreExecutorId> rebalance_target(PreExecutorId node, std::uint64_t weight);

    LoadBalancerOptions m_options;
    std::map<std::uint64_t, std::uint64_t> m_costs;  // kind of call -> expected cost
    std::uint64_t m_costs_sum = 0;
    std::vector<PreExecutorId> m_live;
    std::map<PreExecutorId, std::uint64_t> m_outstanding;
    std::uint64_t m_next_round_robin = 0;
    std::map<ObjectId, Placement> m_placements;       // kContention
    std::map<PreExecutorId, std::uint64_t> m_recent;  // shares of the routes since the window
                                                      // started
    std::uint64_t m_recent_total = 0;                 // their shares (LoadMeasure)
    std::uint64_t m_recent_routes = 0;                // their number
    std::vector<HandoffFence> m_fences;
    LoadBalancerCounters m_counters;
};

}  // namespace remora::executor::protocol
