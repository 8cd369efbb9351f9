#include "executor/sequential/commit_builder.h"

#include <algorithm>
#include <utility>

#include "executor/exec/rules.h"
#include "executor/tx/object_codec.h"

namespace remora::executor {

common::Result<std::vector<storage::ObjectWrite>> writes_for_changes(
    std::span<const StateOverlay::Change* const> changes, StateReader& base,
    std::uint32_t rules_version) {
    std::vector<storage::ObjectWrite> writes;
    writes.reserve(changes.size());
    for (const StateOverlay::Change* entry : changes) {
        const auto& [id, change] = *entry;
        if (change.object) {
            writes.push_back({id, change.version, encode_object(*change.object)});
            continue;
        }
        if (rules_version >= kRulesV2) {
            writes.push_back({id, change.version, std::nullopt});
            continue;
        }
        auto before = base.read(id);
        if (!before) return before.status();
        if (before->exists()) writes.push_back({id, change.version, std::nullopt});
    }
    return writes;
}

CommitBuilder::CommitBuilder(storage::Store& store, const ExecutorIdentity& identity)
    : m_store(store), m_base(store), m_overlay(m_base), m_identity(identity) {
    REMORA_ASSERT(rules_version_known(identity.rules_version));
    m_outcome.index = m_store.status().applied_commit + 1;
}

common::Status CommitBuilder::require_genesis(const storage::Store& store) {
    if (store.status().applied_commit == 0) {
        return {common::Code::kInvalidArgument, "no genesis commit yet"};
    }
    return common::Status::ok();
}

namespace {

// A transaction "executed" for the replay rule: its authenticators verified and it was not
// itself rejected by the rule. Only these enter the transaction index, so that nobody can
// block a transaction by submitting it first with a broken signature (the digest does not
// cover the authenticators).
bool counts_as_executed(const ExecutionStatus& status) {
    switch (status.code) {
        case AbortCode::kInvalidAuthenticator:
        case AbortCode::kSenderNotSigner:
        case AbortCode::kDuplicate:
        case AbortCode::kExpired:
            return false;
        default:
            return true;
    }
}

Effects rejected(const common::Digest& digest, AbortCode code, std::string detail) {
    Effects effects;
    effects.tx_digest = digest;
    effects.status.code = code;
    effects.status.detail = std::move(detail);
    return effects;
}

}  // namespace

common::Result<std::optional<Effects>> CommitBuilder::ruled_outcome(const Transaction& tx,
                                                                    const common::Digest& digest) {
    if (m_identity.rules_version < kRulesV2) return std::optional<Effects>();
    const common::CommitIndex index = m_outcome.index;
    if (tx.expiry != 0 && index > tx.expiry) {
        return std::optional<Effects>(rejected(digest, AbortCode::kExpired,
                                               "expired at commit " + std::to_string(tx.expiry) +
                                                   ", ordered in commit " + std::to_string(index)));
    }
    if (tx.expiry > index && tx.expiry - index > kExpiryHorizonCommits) {
        return std::optional<Effects>(
            rejected(digest, AbortCode::kExpired,
                     "expiry " + std::to_string(tx.expiry) + " is more than " +
                         std::to_string(kExpiryHorizonCommits) + " commits after commit " +
                         std::to_string(index)));
    }
    if (m_executed_here.count(digest) != 0) {
        return std::optional<Effects>(rejected(
            digest, AbortCode::kDuplicate, "already executed in commit " + std::to_string(index)));
    }
    auto earlier = indexed_commit(digest);
    if (!earlier) return earlier.status();
    if (earlier.value()) {
        return std::optional<Effects>(
            rejected(digest, AbortCode::kDuplicate,
                     "already executed in commit " + std::to_string(*earlier.value())));
    }
    return std::optional<Effects>();
}

common::Status CommitBuilder::prefetch_index(std::span<const common::Digest> digests) {
    if (m_identity.rules_version < kRulesV2) return common::Status::ok();  // no replay rule
    // Sorted and distinct: the store's lookup then need not sort them again.
    std::vector<common::Digest> sorted(digests.begin(), digests.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    auto found = m_store.transaction_commits(sorted);
    if (!found) return found.status();
    m_prefetched.clear();
    m_prefetched.reserve(sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        m_prefetched.emplace_back(sorted[i], found.value()[i]);
    }
    return common::Status::ok();
}

common::Result<std::optional<common::CommitIndex>> CommitBuilder::indexed_commit(
    const common::Digest& digest) {
    // Nothing was stored since the prefetch (the store is this builder's until finish()).
    auto it = std::lower_bound(
        m_prefetched.begin(), m_prefetched.end(), digest,
        [](const auto& entry, const common::Digest& d) { return entry.first < d; });
    if (it != m_prefetched.end() && it->first == digest) return it->second;
    return m_store.transaction_commit(digest);
}

void CommitBuilder::reserve(std::size_t transactions) {
    m_indexed.reserve(m_indexed.size() + transactions);
    m_transactions.reserve(m_transactions.size() + transactions);
    m_outcome.effects.reserve(m_outcome.effects.size() + transactions);
}

void CommitBuilder::add(const Transaction& tx, Effects effects) {
    REMORA_ASSERT(!m_finished);
    const bool index = m_identity.rules_version < kRulesV2 || counts_as_executed(effects.status);
    if (index && m_identity.rules_version >= kRulesV2) m_executed_here.insert(effects.tx_digest);
    m_indexed.push_back(index);
    m_overlay.apply(effects);
    m_transactions.push_back(&tx);
    m_outcome.effects.push_back(std::move(effects));
}

common::Result<CommitOutcome> CommitBuilder::finish() {
    REMORA_ASSERT(!m_finished);
    m_finished = true;
    REMORA_RETURN_IF_ERROR(require_genesis(m_store));
    storage::CommitInput input;
    input.index = m_outcome.index;
    auto writes = writes_for_changes(m_overlay.changes(), m_base, m_identity.rules_version);
    if (!writes) return writes.status();
    input.writes = std::move(writes).value();
    input.transactions.reserve(m_outcome.effects.size());
    for (std::size_t i = 0; i < m_outcome.effects.size(); ++i) {
        if (!m_indexed[i]) continue;
        input.transactions.push_back(
            {m_outcome.effects[i].tx_digest, static_cast<std::uint32_t>(i)});
    }
    input.body = encode_commit_body(m_transactions, m_outcome.effects, m_identity);
    REMORA_RETURN_IF_ERROR(m_store.commit(input));
    m_written.reserve(input.writes.size());
    for (const storage::ObjectWrite& write : input.writes) {
        m_written.push_back({write.id, write.version, !write.payload.has_value()});
    }
    m_outcome.state_digest = m_store.status().state_digest;
    return std::move(m_outcome);
}

}  // namespace remora::executor
