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

LoadBalancer::LoadBalancer(const LoadBalancerOptions& options) : m_options(options) {
    if (m_options.overload_factor < 1.0) m_options.overload_factor = 1.0;
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

std::optional<PreExecutorId> LoadBalancer::route(const Transaction& tx) {
    if (m_live.empty()) return std::nullopt;
    ++m_counters.routed;
    if (m_options.mode == RoutingMode::kRoundRobin) {
        return m_live[m_next_round_robin++ % m_live.size()];
    }
    PreExecutorId owner = *owner_of(affinity_key(tx));
    if (overloaded(owner)) {
        ++m_counters.overload_fallbacks;
        return least_loaded();
    }
    ++m_counters.to_affinity_owner;
    return owner;
}

}  // namespace remora::executor::protocol
