#include "executor/protocol/load_balancer.h"

#include <algorithm>
#include <variant>

#include "common/hash.h"
#include "executor/protocol/limits.h"

namespace remora::executor::protocol {

common::Hash256 affinity_key(const Transaction& tx) {
    for (const InputObject& input : tx.inputs) {
        if (input.kind == InputObject::Kind::kShared) return input.id;
    }
    return tx.sender;
}

std::optional<common::Hash256> object_affinity_key(const Object& object) {
    struct KeyOf {
        const Object& object;
        std::optional<common::Hash256> operator()(const OwnedByAddress& o) const {
            return o.address;
        }
        std::optional<common::Hash256> operator()(const SharedOwner&) const { return object.id; }
        std::optional<common::Hash256> operator()(const OwnedByParent& o) const { return o.parent; }
        std::optional<common::Hash256> operator()(const ImmutableOwner&) const {
            return std::nullopt;
        }
    };
    return std::visit(KeyOf{object}, object.owner);
}

std::uint64_t rendezvous_weight(const common::Hash256& key, PreExecutorId id) {
    common::Bytes buffer(key.view());
    common::put_be32(buffer, id);
    return common::xxh3_64(buffer);
}

namespace {

// The kind of call a transaction makes: XXH3-64 of its package and entry point, or of its inline
// bytecode.
std::uint64_t call_kind(const Transaction& tx) {
    struct KindOf {
        std::uint64_t operator()(const PackageCall& call) const {
            common::Bytes buffer(call.package_id.view());
            buffer += call.entry_point;
            return common::xxh3_64(buffer);
        }
        std::uint64_t operator()(const InlineBytecode& code) const {
            return common::xxh3_64(code.bytecode);
        }
    };
    return std::visit(KindOf{}, tx.program);
}

}  // namespace

void LoadBalancer::observe_cost(const Transaction& tx, std::uint64_t cost) {
    const std::uint64_t kind = call_kind(tx);
    auto found = m_costs.find(kind);
    if (found == m_costs.end()) {
        if (m_costs.size() >= kCostKindsMax) return;
        m_costs.emplace(kind, cost);
        m_costs_sum += cost;
        return;
    }
    const std::uint64_t moved = found->second - found->second / 4 + cost / 4;
    m_costs_sum = m_costs_sum - found->second + moved;
    found->second = moved;
}

std::uint64_t LoadBalancer::expected_cost(const Transaction& tx) const {
    auto found = m_costs.find(call_kind(tx));
    std::uint64_t cost = found != m_costs.end() ? found->second
                         : m_costs.empty()      ? m_options.default_cost
                                                : m_costs_sum / m_costs.size();
    return std::max<std::uint64_t>(1, cost);
}

LoadBalancer::LoadBalancer(const LoadBalancerOptions& options) : m_options(options) {
    if (m_options.overload_factor < 1.0) m_options.overload_factor = 1.0;
    if (m_options.rebalance_factor < 1.0) m_options.rebalance_factor = 1.0;
}

common::Status LoadBalancer::add(PreExecutorId id) {
    auto it = std::lower_bound(m_live.begin(), m_live.end(), id);
    if (it != m_live.end() && *it == id) {
        return {common::Code::kAlreadyExists, "pre-executor " + std::to_string(id) + " is live"};
    }
    if (m_live.size() >= limits::kPreExecutorsMax) {
        return {common::Code::kInvalidArgument,
                "more than " + std::to_string(limits::kPreExecutorsMax) + " pre-executors"};
    }
    m_live.insert(it, id);
    m_outstanding[id] = 0;
    return common::Status::ok();
}

common::Status LoadBalancer::remove(PreExecutorId id) {
    auto it = std::lower_bound(m_live.begin(), m_live.end(), id);
    if (it == m_live.end() || *it != id) {
        return {common::Code::kNotFound, "pre-executor " + std::to_string(id) + " is not live"};
    }
    m_live.erase(it);
    m_outstanding.erase(id);
    m_recent.clear();  // shares of another membership
    m_recent_total = 0;
    m_recent_routes = 0;
    // Its placements go with it: their objects' next transactions go by weight elsewhere or by
    // affinity, never to a pre-executor that is gone.
    std::erase_if(m_placements, [id](const auto& entry) { return entry.second.node == id; });
    m_counters.placements_now = m_placements.size();
    return common::Status::ok();
}

void LoadBalancer::report_outstanding(PreExecutorId id, std::uint64_t outstanding) {
    auto it = m_outstanding.find(id);
    if (it != m_outstanding.end()) it->second = outstanding;
}

std::optional<PreExecutorId> LoadBalancer::owner_of(const common::Hash256& key) const {
    std::optional<PreExecutorId> best;
    std::uint64_t best_weight = 0;
    for (PreExecutorId id : m_live) {  // ascending: on equal weights the lower id stays
        std::uint64_t weight = rendezvous_weight(key, id);
        if (!best || weight > best_weight) {
            best = id;
            best_weight = weight;
        }
    }
    return best;
}

std::optional<PreExecutorId> LoadBalancer::expected_reader(const Object& object) const {
    if (m_options.mode == RoutingMode::kRoundRobin) return std::nullopt;
    if (auto placed = placement_of(object.id)) return placed;
    auto key = object_affinity_key(object);
    if (!key) return std::nullopt;
    return owner_of(*key);
}

bool LoadBalancer::overloaded(PreExecutorId id) const {
    long double total = 0;
    for (const auto& [other, count] : m_outstanding) total += count;
    const long double mean = total / static_cast<long double>(m_live.size());
    const long double limit = m_options.overload_factor * mean + m_options.overload_slack;
    return static_cast<long double>(m_outstanding.at(id)) > limit;
}

PreExecutorId LoadBalancer::least_loaded() const {
    PreExecutorId best = m_live.front();
    for (PreExecutorId id : m_live) {  // ascending: ties go to the lower id
        if (m_outstanding.at(id) < m_outstanding.at(best)) best = id;
    }
    return best;
}

std::optional<PreExecutorId> LoadBalancer::route(const Transaction& tx,
                                                 const common::Digest* digest) {
    if (m_live.empty()) return std::nullopt;
    ++m_counters.routed;
    if (m_options.mode == RoutingMode::kRoundRobin) {
        return m_live[m_next_round_robin++ % m_live.size()];
    }
    if (m_options.mode == RoutingMode::kContention) return route_by_contention(tx, digest);
    PreExecutorId owner = *owner_of(affinity_key(tx));
    if (overloaded(owner)) {
        ++m_counters.overload_fallbacks;
        return least_loaded();
    }
    ++m_counters.to_affinity_owner;
    return owner;
}

PreExecutorId LoadBalancer::route_by_contention(const Transaction& tx,
                                                const common::Digest* digest) {
    // The in-flight weight of the tx's inputs per pre-executor (few inputs, few pre-executors:
    // a small vector, ordered by id for the tie rule).
    std::vector<std::pair<PreExecutorId, std::uint64_t>> weights;
    for (const InputObject& input : tx.inputs) {
        auto found = m_placements.find(input.id);
        if (found == m_placements.end()) continue;
        const Placement& placed = found->second;
        auto it = std::lower_bound(
            weights.begin(), weights.end(), placed.node,
            [](const auto& entry, PreExecutorId node) { return entry.first < node; });
        if (it == weights.end() || it->first != placed.node) {
            it = weights.insert(it, {placed.node, 0});
        }
        it->second += placed.in_flight;
    }
    PreExecutorId target = 0;
    bool group_moves = false;  // by the rebalancing rule or an overload: fenced (HandoffFence)
    if (weights.empty()) {
        target = *owner_of(affinity_key(tx));
        ++m_counters.to_affinity_owner;
    } else {
        auto heaviest = weights.begin();  // ascending ids: ties go to the lower one
        for (auto it = weights.begin(); it != weights.end(); ++it) {
            if (it->second > heaviest->second) heaviest = it;
        }
        target = heaviest->first;
        ++m_counters.to_placement;
        if (auto moved = rebalance_target(target, heaviest->second)) {
            ++m_counters.rebalanced;
            target = *moved;  // the group moves: its inputs are placed there below
            group_moves = true;
        }
    }
    if (overloaded(target)) {
        ++m_counters.overload_fallbacks;
        target = least_loaded();  // the group moves: its inputs are placed there below
        group_moves = true;
    }
    if (m_options.rebalance_window > 0) {
        const std::uint64_t share =
            m_options.load == LoadMeasure::kCost ? expected_cost(tx) : std::uint64_t{1};
        m_recent[target] += share;
        m_recent_total += share;
        ++m_recent_routes;
        if (m_recent_routes >= 2 * m_options.rebalance_window) {
            m_recent_total = 0;  // halved: older routes weigh less
            for (auto& [id, count] : m_recent) m_recent_total += count /= 2;
            m_recent_routes =
                m_options.load == LoadMeasure::kCost ? m_recent_routes / 2 : m_recent_total;
        }
    }
    for (const InputObject& input : tx.inputs) {
        auto found = m_placements.find(input.id);
        if (found == m_placements.end()) {
            if (m_placements.size() >= m_options.placements_max) {
                ++m_counters.placements_full;
                continue;
            }
            found = m_placements.emplace(input.id, Placement{target, 0, {}}).first;
        }
        Placement& placed = found->second;
        if (placed.node != target && placed.in_flight > 0) {
            ++m_counters.split_inputs;
            if (digest != nullptr && group_moves) {
                m_fences.push_back({input.id, placed.node, placed.last});
            }
        }
        placed.node = target;
        if (digest != nullptr) placed.last = *digest;
        ++placed.in_flight;
    }
    m_counters.placements_now = m_placements.size();
    return target;
}

std::optional<PreExecutorId> LoadBalancer::rebalance_target(PreExecutorId node,
                                                            std::uint64_t weight) {
    if (m_options.rebalance_window == 0 || m_live.size() < 2) return std::nullopt;
    if (m_recent_routes < m_options.rebalance_window) return std::nullopt;
    if (weight < m_options.rebalance_min_weight) return std::nullopt;
    if (m_outstanding.at(node) < m_options.rebalance_min_outstanding) return std::nullopt;
    const long double fair =
        static_cast<long double>(m_recent_total) / static_cast<long double>(m_live.size());
    auto recent = [&](PreExecutorId id) {
        auto found = m_recent.find(id);
        return found == m_recent.end() ? std::uint64_t{0} : found->second;
    };
    if (static_cast<long double>(recent(node)) <= m_options.rebalance_factor * fair) {
        return std::nullopt;
    }
    PreExecutorId coolest = m_live.front();
    for (PreExecutorId id : m_live) {  // ascending: ties go to the lower id
        if (recent(id) < recent(coolest)) coolest = id;
    }
    if (coolest == node) return std::nullopt;
    m_recent.clear();  // the next move waits for a window of shares with this one
    m_recent_total = 0;
    m_recent_routes = 0;
    return coolest;
}

void LoadBalancer::complete(const Transaction& tx) {
    for (const InputObject& input : tx.inputs) {
        auto found = m_placements.find(input.id);
        if (found == m_placements.end()) continue;
        if (found->second.in_flight > 1) {
            --found->second.in_flight;
        } else {
            m_placements.erase(found);
        }
    }
    m_counters.placements_now = m_placements.size();
}

std::optional<PreExecutorId> LoadBalancer::placement_of(const ObjectId& id) const {
    if (m_options.mode != RoutingMode::kContention) return std::nullopt;
    auto found = m_placements.find(id);
    if (found == m_placements.end()) return std::nullopt;
    return found->second.node;
}

}  // namespace remora::executor::protocol
