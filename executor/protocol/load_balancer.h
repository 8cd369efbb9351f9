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
// Deterministic: the same calls give the same routes (no clock, no unordered iteration).

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/status.h"
#include "executor/protocol/messages.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::executor::protocol {

enum class RoutingMode : std::uint8_t { kAffinity, kRoundRobin };

struct LoadBalancerOptions {
    RoutingMode mode = RoutingMode::kAffinity;
    // The affinity owner is overloaded when its outstanding count exceeds
    // overload_factor × (mean outstanding count of the live pre-executors) + overload_slack.
    double overload_factor = 2.0;  // values below 1 are taken as 1
    std::uint64_t overload_slack = 64;
};

struct LoadBalancerCounters {
    std::uint64_t routed = 0;
    std::uint64_t to_affinity_owner = 0;
    std::uint64_t overload_fallbacks = 0;  // affinity owner overloaded: least-loaded instead
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

class LoadBalancer {
public:
    explicit LoadBalancer(const LoadBalancerOptions& options = {});

    // kAlreadyExists when present; kInvalidArgument past limits::kPreExecutorsMax.
    common::Status add(PreExecutorId id);
    // kNotFound when absent. Only the keys it owned move (to their next-highest weight).
    common::Status remove(PreExecutorId id);
    const std::vector<PreExecutorId>& live() const { return m_live; }  // ascending

    // The driver's count of transactions sent to `id` and not yet answered. Unknown ids are
    // ignored.
    void report_outstanding(PreExecutorId id, std::uint64_t outstanding);

    // The pre-executor for `tx`; nullopt when none is live.
    std::optional<PreExecutorId> route(const Transaction& tx);

    // The rendezvous owner of `key` among the live pre-executors (ties: the lower id), whatever
    // the load; nullopt when none is live.
    std::optional<PreExecutorId> owner_of(const common::Hash256& key) const;

    // Where the next transaction reading `object` is expected to be routed: the affinity owner
    // of object_affinity_key(object) (nullopt when it has none, when no pre-executor is live,
    // or in round-robin mode, which has no affinity). Overload fallbacks are not predicted.
    std::optional<PreExecutorId> expected_reader(const Object& object) const;

    const LoadBalancerCounters& counters() const { return m_counters; }

private:
    bool overloaded(PreExecutorId id) const;
    PreExecutorId least_loaded() const;

    LoadBalancerOptions m_options;
    std::vector<PreExecutorId> m_live;
    std::map<PreExecutorId, std::uint64_t> m_outstanding;
    std::uint64_t m_next_round_robin = 0;
    LoadBalancerCounters m_counters;
};

}  // namespace remora::executor::protocol
