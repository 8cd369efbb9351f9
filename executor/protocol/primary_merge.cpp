// The primary's per-transaction merge (adopt or re-execute), its bookkeeping, and state updates.

#include <algorithm>
#include <map>
#include <utility>
#include <variant>

#include "executor/exec/execute.h"
#include "executor/protocol/adopt_check.h"
#include "executor/protocol/primary.h"

namespace remora::executor::protocol {
namespace {

constexpr std::size_t kNoHints = SpeculationRequest::kNoHints;

bool untrusted(const std::optional<MissCause>& verdict) {
    return verdict == MissCause::kInvalidResult || verdict == MissCause::kForeignExecutor;
}

// The result whose table guides a re-execution: the first that is neither invalid nor of
// another executor identity (such a result says nothing trustworthy about this transaction).
std::size_t hints_from(const std::vector<std::optional<MissCause>>& verdicts) {
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        if (!untrusted(verdicts[i])) return i;
    }
    return kNoHints;
}

// Whether `result` names a speculative writer that cannot be confirmed in this commit: not
// ordered in it (`ordered`, sorted) and not committed before with the assumed effects.
bool unconfirmable(const PreExecResult& result, const std::vector<common::Digest>& ordered,
                   const RecentTxs& recent) {
    for (const SpeculativeRead& read : result.speculative_reads) {
        if (std::binary_search(ordered.begin(), ordered.end(), read.writer_tx)) continue;
        const common::Digest* committed = recent.find(read.writer_tx);
        if (committed == nullptr || *committed != read.writer_effects) return true;
    }
    return false;
}

}  // namespace

void Primary::resolve_writer(const common::Digest& writer, const CommitBuilder& builder,
                             StartedCommit& started) {
    const std::optional<std::uint32_t> slot = m_recent.pending_slot(writer, m_epoch);
    if (!slot) return;
    REMORA_ASSERT(*slot < builder.size() && !started.known[*slot]);
    started.effects_digests[*slot] = effects_digest(builder.added(*slot));
    started.known[*slot] = true;
    m_recent.resolve(writer, started.recent_sequence[*slot], started.effects_digests[*slot]);
}

common::Result<TxDecision> Primary::decide(const Transaction& tx, const common::Digest& tx_digest,
                                           std::uint32_t index, CommitBuilder& builder,
                                           StartedCommit& started) {
    // The reference refuses a malformed transaction; so does the primary, whatever was sent.
    REMORA_RETURN_IF_ERROR(validate_transaction(tx));
    TxDecision decision;
    decision.index = index;
    decision.tx_digest = tx_digest;
    std::optional<BufferedTx> buffered = m_results.take(decision.tx_digest);
    // A duplicate or expired transaction is decided by the commit-level rules, as the
    // reference decides it; its results are not used.
    auto ruled = builder.ruled_outcome(tx, decision.tx_digest);
    if (!ruled) return ruled.status();
    if (ruled.value()) {
        decision.ruled_out = true;
        ++m_counters.transactions;
        ++m_counters.ruled_out;
        if (buffered) m_counters.results_unused += buffered->results.size();
        builder.add(tx, std::move(*ruled.value()));  // its digest: deferred, in no RecentTxs entry
        return decision;
    }
    std::vector<PreExecResult> results;
    std::optional<PreExecutorId> routed_to;
    if (buffered) {
        results = std::move(buffered->results);
        routed_to = buffered->routed_to;
    }

    // A result that read the writes of an earlier transaction of this commit is confirmed
    // against that transaction's effects digest: compute the ones it names now.
    for (const PreExecResult& result : results) {
        for (const SpeculativeRead& read : result.speculative_reads) {
            resolve_writer(read.writer_tx, builder, started);
        }
    }

    // Adopt the first result that passes the check (arrival order).
    std::vector<std::optional<MissCause>> verdicts;
    std::optional<std::size_t> adopted;
    for (std::size_t i = 0; i < results.size() && !adopted; ++i) {
        auto verdict =
            check_result(tx, results[i], builder.view(), m_recent, m_options.adopt_checks);
        if (!verdict) return verdict.status();
        verdicts.push_back(verdict.value());
        if (!verdict.value()) adopted = i;
    }

    Effects effects;
    std::optional<common::Digest> known_digest;
    if (adopted) {
        decision.adopted = true;
        decision.pre_executor = results[*adopted].pre_executor;
        effects = std::move(results[*adopted].effects);
    } else {
        const std::size_t hints = hints_from(verdicts);
        auto executed = reexecute(tx, index, hints == kNoHints ? nullptr : &results[hints].table,
                                  hints, builder.view(), known_digest);
        if (!executed) return executed.status();
        effects = std::move(executed).value();
        decision.miss = results.empty() ? MissCause::kMissingResult : *verdicts.front();
        decision.pre_executor = results.empty() ? routed_to : results.front().pre_executor;
    }
    record(decision, results, verdicts, routed_to);
    // Later transactions of this commit may confirm speculative reads of this one's writes
    // (resolve_writer() computes its digest then); later commits read it once collected.
    if (known_digest) {
        started.effects_digests[index] = *known_digest;
        started.known[index] = true;
        m_recent.add(decision.tx_digest, *known_digest);
    } else {
        started.recent_sequence[index] = m_recent.add_pending(decision.tx_digest, m_epoch, index);
    }
    builder.add(tx, std::move(effects));
    return decision;
}

common::Result<Effects> Primary::reexecute(const Transaction& tx, std::uint32_t index,
                                           const LookupTable* hints, std::size_t hints_id,
                                           StateReader& view,
                                           std::optional<common::Digest>& effects_digest) {
    if (m_parallel) {
        auto speculated = m_parallel->take_valid(index, view, hints_id);
        if (!speculated) return speculated.status();
        if (speculated.value()) {
            Speculation& valid = *speculated.value();
            m_counters.authenticators_skipped += valid.authenticators_skipped;
            m_counters.precompiles_replayed += valid.precompiles_replayed;
            effects_digest = valid.effects_digest;
            return std::move(valid.effects);
        }
    }
    ExecutionOptions options;
    options.hints = hints;
    auto executed = execute_transaction(tx, view, options);
    if (!executed) return executed.status();
    m_counters.authenticators_skipped += executed->authenticators_skipped;
    m_counters.precompiles_replayed += executed->precompiles_replayed;
    return std::move(executed->effects);
}

// The certain misses: no buffered result, or only results that cannot be adopted whatever
// the commit does before them (untrusted, a Failed authenticator mark, or an unconfirmable
// speculative read). Each is speculated with the hints its re-execution will take.
void Primary::speculate_misses(std::span<const Transaction> ordered,
                               std::span<const common::Digest> digests, StateReader& view) {
    std::vector<common::Digest> sorted(digests.begin(), digests.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<SpeculationRequest> requests(ordered.size());
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        if (!validate_transaction(ordered[i]).is_ok()) continue;  // process_commit refuses it
        const BufferedTx* entry = m_results.find(digests[i]);
        SpeculationRequest& request = requests[i];
        request.wanted = true;
        if (entry == nullptr) continue;
        for (std::size_t r = 0; r < entry->results.size() && request.wanted; ++r) {
            const PreExecResult& result = entry->results[r];
            const auto verdict = structural_verdict(ordered[i], result, m_options.adopt_checks);
            if (!untrusted(verdict) && request.hints_id == kNoHints) {
                request.hints = &result.table;
                request.hints_id = r;
            }
            const bool failed_mark = std::any_of(
                result.table.authenticators.begin(), result.table.authenticators.end(),
                [](const auto& check) { return check.status != AuthenticatorStatus::kVerified; });
            request.wanted =
                verdict.has_value() || failed_mark || unconfirmable(result, sorted, m_recent);
        }
    }
    m_parallel->speculate(ordered, requests, view);
}

void Primary::record(const TxDecision& decision, const std::vector<PreExecResult>& results,
                     const std::vector<std::optional<MissCause>>& verdicts,
                     std::optional<PreExecutorId> routed_to) {
    ++m_counters.transactions;
    if (decision.adopted) {
        ++m_counters.adopted;
    } else {
        ++m_counters.reexecuted;
        m_counters.misses.add(*decision.miss);
    }
    m_counters.results_unused += results.size() - verdicts.size();
    // Each pre-executor whose result was checked gets its own outcome in its window; a
    // transaction with no result is charged to where it was routed, if the driver said.
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        auto peer = m_peers.find(results[i].pre_executor);
        if (peer == m_peers.end()) continue;  // it left; its result was still usable
        if (!verdicts[i]) {
            peer->second.window.record_hit();
            ++peer->second.adopted;
        } else {
            peer->second.window.record_miss(*verdicts[i]);
            peer->second.misses.add(*verdicts[i]);
        }
    }
    if (results.empty() && routed_to) {
        auto peer = m_peers.find(*routed_to);
        if (peer != m_peers.end()) {
            peer->second.window.record_miss(MissCause::kMissingResult);
            peer->second.misses.add(MissCause::kMissingResult);
        }
    }
}

common::Status Primary::push_state_updates(PrimaryCommit& commit) {
    if (m_options.miss_threshold == 0) return common::Status::ok();
    for (auto& [id, peer] : m_peers) {  // ascending ids: a deterministic order
        if (peer.window.state_misses() < m_options.miss_threshold) continue;
        auto update = build_state_update(m_store, m_write_log, id, peer.acknowledged_commit,
                                         m_options.state_update);
        if (!update) return update.status();
        account_update(peer, update.value());
        peer.window.reset();
        commit.state_updates.push_back(std::move(update).value());
    }
    return common::Status::ok();
}

void Primary::push_routed_updates(PrimaryCommit& commit) {
    if (m_options.routed_updates == RoutedUpdates::kOff || m_peers.empty()) return;
    const bool broadcast = m_options.routed_updates == RoutedUpdates::kBroadcast;
    // Without a router only kBroadcast's non-shared objects are routed: under kAffinity
    // nothing is, so the commit's objects need not be gathered at all.
    if (!broadcast && !m_router) return;
    // The commit's final version of each object it left live, with the pre-executor whose
    // adopted result produced that version (nullopt: the primary re-executed it).
    struct Last {
        const Object* object = nullptr;
        std::optional<PreExecutorId> producer;
    };
    std::map<ObjectId, Last> last;
    for (std::size_t i = 0; i < commit.outcome.effects.size(); ++i) {
        const Effects& effects = commit.outcome.effects[i];
        const TxDecision& decision = commit.decisions[i];
        std::optional<PreExecutorId> producer =
            decision.adopted ? decision.pre_executor : std::nullopt;
        for (const auto* list : {&effects.written, &effects.created}) {
            for (const Object& object : *list) last[object.id] = Last{&object, producer};
        }
        for (const DeletedObject& deleted : effects.deleted) last.erase(deleted.id);
    }
    std::map<PreExecutorId, StateUpdate> updates;
    for (const auto& [id, entry] : last) {  // ascending ids: each update's objects stay sorted
        // Owned, child and immutable objects go to every pre-executor under kBroadcast, and
        // under kAffinity too when the primary re-executed their writer: no pre-executor
        // forwarded that version, and one holding a transaction for it (its next reader is
        // routed by some shared object, an amm pool) would otherwise wait for it until the hold
        // expires, holding every later transaction on that pool behind it.
        if (!std::holds_alternative<SharedOwner>(entry.object->owner) &&
            (broadcast || !entry.producer)) {
            for (const auto& [peer, state] : m_peers) {
                if (peer != entry.producer) updates[peer].objects.push_back(*entry.object);
            }
            continue;
        }
        std::optional<PreExecutorId> reader =
            m_router ? m_router(*entry.object) : std::optional<PreExecutorId>{};
        if (!reader || reader == entry.producer || m_peers.count(*reader) == 0) continue;
        updates[*reader].objects.push_back(*entry.object);
    }
    for (auto& [id, update] : updates) {  // ascending ids: a deterministic order
        update.pre_executor = id;
        update.kind = StateUpdateKind::kRouted;
        update.complete = false;
        update.to_commit = commit.outcome.index;
        update.from_commit = commit.outcome.index - 1;
        update.encoded_bytes = state_update_bytes(update);
        Peer& peer = m_peers.at(id);
        ++peer.routed_updates;
        peer.routed_update_bytes += update.encoded_bytes;
        ++m_counters.routed_updates;
        m_counters.routed_update_objects += update.objects.size();
        m_counters.routed_update_bytes += update.encoded_bytes;
        commit.state_updates.push_back(std::move(update));
    }
}

common::Result<StateUpdate> Primary::make_state_update(PreExecutorId id) {
    auto peer = m_peers.find(id);
    if (peer == m_peers.end()) {
        return common::Status{common::Code::kNotFound,
                              "pre-executor " + std::to_string(id) + " is unknown"};
    }
    auto update = build_state_update(m_store, m_write_log, id, peer->second.acknowledged_commit,
                                     m_options.state_update);
    if (!update) return update.status();
    account_update(peer->second, update.value());
    return update;
}

void Primary::account_update(Peer& peer, const StateUpdate& update) {
    ++peer.state_updates;
    peer.state_update_bytes += update.encoded_bytes;
    ++m_counters.state_updates;
    m_counters.state_update_objects += update.objects.size() + update.tombstones.size();
    m_counters.state_update_bytes += update.encoded_bytes;
    if (!update.complete) ++m_counters.state_updates_incomplete;
}

PrimaryCounters Primary::counters() const {
    PrimaryCounters counters = m_counters;
    counters.results_dropped_full = m_results.counters().dropped_full;
    counters.results_expired = m_results.counters().expired;
    counters.results_buffered_now = m_results.size();
    if (m_parallel) {
        counters.reexec_speculated = m_parallel->counters().speculated;
        counters.reexec_validated = m_parallel->counters().validated;
        counters.reexec_conflicts = m_parallel->counters().conflicts;
    }
    for (const auto& [id, peer] : m_peers) {
        PreExecutorStats stats;
        stats.id = id;
        stats.acknowledged_commit = peer.acknowledged_commit;
        stats.adopted = peer.adopted;
        stats.misses = peer.misses;
        stats.window_txs = peer.window.size();
        stats.window_hits = peer.window.hits();
        stats.window_misses = peer.window.misses();
        stats.state_updates = peer.state_updates;
        stats.state_update_bytes = peer.state_update_bytes;
        stats.routed_updates = peer.routed_updates;
        stats.routed_update_bytes = peer.routed_update_bytes;
        counters.pre_executors.push_back(stats);
    }
    return counters;
}

}  // namespace remora::executor::protocol
