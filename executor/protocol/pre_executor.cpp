#include "executor/protocol/pre_executor.h"

#include <algorithm>
#include <set>
#include <utility>

#include "executor/exec/execute.h"
#include "executor/protocol/speculative_view.h"
#include "executor/sequential/sequential.h"
#include "executor/tx/object_codec.h"

namespace remora::executor::protocol {
namespace {

constexpr common::ByteView kUpdateMarkerTag = "remora/pre-executor/update/v1";

common::Status invalid(const std::string& message) {
    return {common::Code::kInvalidArgument, "state update: " + message};
}

common::Status check_options(const PreExecutorOptions& options) {
    if (options.overlay_entries_max == 0 || options.overlay_bytes_max == 0) {
        return {common::Code::kInvalidArgument, "pre-executor: overlay bounds must be >= 1"};
    }
    if (options.ordered_txs_max == 0) {
        return {common::Code::kInvalidArgument, "pre-executor: ordered_txs_max must be >= 1"};
    }
    if (options.hold_updates_max == 0) {
        return {common::Code::kInvalidArgument, "pre-executor: hold_updates_max must be >= 1"};
    }
    if (options.exec_threads == 0 || options.exec_threads > limits::kExecThreadsMax) {
        return {common::Code::kInvalidArgument, "pre-executor: exec_threads must be in 1.." +
                                                    std::to_string(limits::kExecThreadsMax)};
    }
    return common::Status::ok();
}

// Ascending ids within each list, no id in both, valid objects and versions.
common::Status check_update(const StateUpdate& update) {
    if (update.from_commit > update.to_commit) return invalid("from_commit > to_commit");
    if (update.kind != StateUpdateKind::kCatchUp && update.kind != StateUpdateKind::kRouted) {
        return invalid("unknown kind " + std::to_string(static_cast<int>(update.kind)));
    }
    if (update.kind == StateUpdateKind::kRouted && update.complete) {
        return invalid("a routed update cannot be complete");
    }
    std::set<ObjectId> ids;
    for (std::size_t i = 0; i < update.objects.size(); ++i) {
        const Object& object = update.objects[i];
        std::string field = "objects[" + std::to_string(i) + "]";
        REMORA_RETURN_IF_ERROR(validate_object(object, "state update " + field));
        if (i > 0 && !(update.objects[i - 1].id < object.id)) {
            return invalid(field + ": ids must be strictly ascending");
        }
        ids.insert(object.id);
    }
    for (std::size_t i = 0; i < update.tombstones.size(); ++i) {
        const DeletedObject& deleted = update.tombstones[i];
        std::string field = "tombstones[" + std::to_string(i) + "]";
        if (deleted.version == 0) return invalid(field + ": version 0");
        if (i > 0 && !(update.tombstones[i - 1].id < deleted.id)) {
            return invalid(field + ": ids must be strictly ascending");
        }
        if (ids.count(deleted.id) != 0) {
            return invalid(field + ": " + deleted.id.hex() + " is also an object");
        }
    }
    return common::Status::ok();
}

}  // namespace

common::Bytes encode_update_marker(common::CommitIndex to_commit) {
    common::Bytes body(kUpdateMarkerTag);
    common::put_be64(body, to_commit);
    return body;
}

std::optional<common::CommitIndex> decode_update_marker(common::ByteView body) {
    if (body.size() != kUpdateMarkerTag.size() + 8 || !body.starts_with(kUpdateMarkerTag)) {
        return std::nullopt;
    }
    return common::get_be64(body, kUpdateMarkerTag.size());
}

PreExecutor::PreExecutor(PreExecutorId id, std::unique_ptr<storage::Store> store,
                         common::CommitIndex caught_up, const PreExecutorOptions& options)
    : m_id(id),
      m_options(options),
      m_seen(options.ordered_txs_max),
      m_store(std::move(store)),
      m_confirmed(*m_store),
      m_overlay(options.overlay_entries_max, options.overlay_bytes_max),
      m_replay(options.ordered_txs_max),
      m_caught_up_commit(caught_up) {
    if (options.exec_threads > 1) {
        m_parallel =
            std::make_unique<ParallelReexec>(options.exec_threads, options.exec_schedule_seed);
    }
}

common::Result<std::unique_ptr<PreExecutor>> PreExecutor::from_genesis(
    PreExecutorId id, std::unique_ptr<storage::Store> store, std::span<const Object> genesis,
    const std::string& workload, const PreExecutorOptions& options) {
    REMORA_RETURN_IF_ERROR(check_options(options));
    auto genesis_commits = SequentialExecutor(*store).commit_genesis(genesis, workload);
    if (!genesis_commits) return genesis_commits.status();
    return std::unique_ptr<PreExecutor>(
        new PreExecutor(id, std::move(store), genesis_commits.value(), options));
}

common::Result<std::unique_ptr<PreExecutor>> PreExecutor::from_store(
    PreExecutorId id, std::unique_ptr<storage::Store> store, const PreExecutorOptions& options) {
    REMORA_RETURN_IF_ERROR(check_options(options));
    const common::CommitIndex applied = store->status().applied_commit;
    if (applied == 0) {
        return common::Status{common::Code::kInvalidArgument,
                              "pre-executor: " + store->dir() + " holds no genesis commit"};
    }
    auto last = store->read_commit(applied);
    if (!last) return last.status();
    common::CommitIndex caught_up = decode_update_marker(last->body).value_or(applied);
    return std::unique_ptr<PreExecutor>(new PreExecutor(id, std::move(store), caught_up, options));
}

PreExecResult PreExecutor::make_result(ExecutionResult executed,
                                       const std::vector<SpeculativeRead>& speculative) {
    PreExecResult result;
    result.pre_executor = m_id;
    result.tx_digest = executed.effects.tx_digest;
    result.caught_up_commit = m_caught_up_commit;
    result.executor = executor_identity();
    // Only reads the table records can be named (the executor reads nothing else, but the
    // result must stay self-consistent whatever the view saw).
    std::set<ObjectId> recorded;
    for (const ObjectRead& read : executed.table.reads) recorded.insert(read.id);
    for (const SpeculativeRead& read : speculative) {
        if (recorded.count(read.id) != 0) result.speculative_reads.push_back(read);
    }
    result.effects = std::move(executed.effects);
    result.table = std::move(executed.table);
    ++m_counters.executed;
    m_counters.speculative_reads += result.speculative_reads.size();
    return result;
}

template <typename View>
common::Result<PreExecResult> PreExecutor::run_in(View& view, const Transaction& tx,
                                                  const LookupTable* hints) {
    view.begin();
    ExecutionOptions options;
    options.hints = hints;
    auto executed = execute_transaction(tx, view, options);
    if (!executed) return executed.status();
    return make_result(std::move(executed).value(), view.speculative_reads());
}

common::Result<PreExecResult> PreExecutor::execute(const Transaction& tx,
                                                   const LookupTable* hints) {
    const common::Digest tx_digest = transaction_digest(tx);
    std::optional<OrderPosition> position;
    if (m_options.ordered_replay) position = m_replay.position(tx_digest);
    // Its order known already: executed there; otherwise on the overlay, in arrival order.
    auto result = [&] {
        if (position) {
            OrderedView view(m_replay.writes(), m_confirmed, *position);
            return run_in(view, tx, hints);
        }
        SpeculativeView view(m_overlay, m_confirmed);
        return run_in(view, tx, hints);
    }();
    if (!result) return result.status();
    REMORA_RETURN_IF_ERROR(finish(tx, hints, tx_digest, position, result.value()));
    return result;
}

common::Status PreExecutor::finish(const Transaction& tx, const LookupTable* hints,
                                   const common::Digest& tx_digest,
                                   const std::optional<OrderPosition>& position,
                                   PreExecResult& result) {
    const common::Digest digest = effects_digest(result.effects);
    m_overlay.apply(result.effects, digest);
    note_seen(tx_digest);
    if (m_options.ordered_replay) {
        if (OrderedReplay::Own* own = m_replay.own(tx_digest)) {
            result.revision = own->revision + 1;  // executed again (a duplicate delivery)
        }
        m_replay.note_own(tx, hints, result);
        std::vector<ObjectId> changed = m_replay.note_effects(result.effects, digest);
        if (position) {
            std::set<OrderPosition> candidates;
            for (const ObjectId& id : changed) m_replay.readers_after(id, *position, candidates);
            REMORA_RETURN_IF_ERROR(revalidate(candidates, changed));
        }
    }
    return common::Status::ok();
}

std::vector<common::Result<PreExecResult>> PreExecutor::execute_batch(
    std::span<const Transaction> txs, std::span<const LookupTable* const> hints) {
    REMORA_ASSERT(hints.empty() || hints.size() == txs.size());
    std::vector<const LookupTable*> tables(hints.begin(), hints.end());
    tables.resize(txs.size(), nullptr);
    std::vector<common::Result<PreExecResult>> results;
    results.reserve(txs.size());
    // A transaction whose order is known executes at its position (OrderedView), not on the
    // overlay, and may heal the overlay: it runs in turn, and the transactions between two such
    // are speculated as one run.
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= txs.size(); ++i) {
        const bool positioned = i < txs.size() && m_options.ordered_replay &&
                                m_replay.position(transaction_digest(txs[i]));
        if (i < txs.size() && !positioned) continue;
        execute_run(txs.subspan(begin, i - begin), std::span(tables).subspan(begin, i - begin),
                    results);
        if (i < txs.size()) results.push_back(execute(txs[i], tables[i]));
        begin = i + 1;
    }
    return results;
}

void PreExecutor::execute_run(std::span<const Transaction> txs,
                              std::span<const LookupTable* const> hints,
                              std::vector<common::Result<PreExecResult>>& results) {
    if (!m_parallel || txs.size() < 2) {
        for (std::size_t i = 0; i < txs.size(); ++i) results.push_back(execute(txs[i], hints[i]));
        return;
    }
    std::vector<SpeculationRequest> requests(txs.size());
    for (std::size_t i = 0; i < txs.size(); ++i) {
        requests[i].wanted = true;
        requests[i].hints = hints[i];
    }
    ++m_counters.batches;
    SpeculativeView base(m_overlay, m_confirmed);
    m_parallel->speculate(txs, requests, base);
    // The validation rule needs each id's versions in the view to only increase while the run
    // is taken, as they do when only executed effects change the overlay (a write's version
    // exceeds every version its writer read). An eviction (the view falls back to an older
    // confirmed version) breaks that: the rest of the run then executes in turn.
    const std::uint64_t evictions = m_overlay.evictions();
    for (std::size_t i = 0; i < txs.size(); ++i) {
        std::optional<Speculation> taken;
        if (m_overlay.evictions() == evictions) {
            SpeculativeView view(m_overlay, m_confirmed);
            auto valid = m_parallel->take_valid(i, view);
            if (!valid) {
                results.emplace_back(valid.status());
                continue;
            }
            taken = std::move(valid).value();
        }
        if (!taken) {
            results.push_back(execute(txs[i], hints[i]));
            continue;
        }
        // The overlay entries the execution in turn would have read (the view is the one the
        // speculation read, by the validation above).
        std::vector<SpeculativeRead> speculative;
        for (const SpeculativeReadRecord& read : taken->reads) {
            const SpeculativeEntry* entry = m_overlay.find(read.id);
            if (entry == nullptr) continue;
            speculative.push_back(
                {read.id, entry->lookup.version, entry->writer_tx, entry->writer_effects});
        }
        std::sort(speculative.begin(), speculative.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        speculative.erase(std::unique(speculative.begin(), speculative.end(),
                                      [](const auto& a, const auto& b) { return a.id == b.id; }),
                          speculative.end());
        ExecutionResult executed;
        executed.effects = std::move(taken->effects);
        executed.table = std::move(taken->table);
        PreExecResult result = make_result(std::move(executed), speculative);
        const common::Digest tx_digest = result.tx_digest;
        if (common::Status s = finish(txs[i], hints[i], tx_digest, std::nullopt, result); !s) {
            results.emplace_back(s);
            continue;
        }
        results.emplace_back(std::move(result));
    }
    m_parallel->clear();
}

common::Status PreExecutor::learn_order(const TentativeOrder& order) {
    if (!m_options.ordered_replay) {
        ++m_counters.replay.orders;
        return common::Status::ok();
    }
    std::vector<OrderPosition> own;
    std::vector<ObjectId> changed = m_replay.learn_order(order, own);
    std::set<OrderPosition> candidates(own.begin(), own.end());
    for (const ObjectId& id : changed) m_replay.readers(id, candidates);
    return revalidate(candidates, changed);
}

common::Result<bool> PreExecutor::contradicted(const OrderedReplay::Own& own,
                                               const OrderPosition& at) {
    OrderedView view(m_replay.writes(), m_confirmed, at);
    for (const ObjectRead& read : own.table.reads) {
        auto served = view.served_by(read.id);
        if (!served) return served.status();
        const SpeculativeRead* recorded = nullptr;
        for (const SpeculativeRead& s : own.speculative) {
            if (s.id == read.id) recorded = &s;
        }
        if (served.value() == nullptr) {
            auto confirmed = m_confirmed.read_version(read.id);
            if (!confirmed) return confirmed.status();
            if (confirmed->exists != read.exists || confirmed->version != read.version) {
                return true;
            }
            // A speculative read of what is confirmed now at the same version: its writer was
            // committed. Whether with the same effects only the primary can tell (its writer
            // check); re-executing here would read the same version.
            continue;
        }
        const OrderedWrite& w = *served.value();
        if (recorded == nullptr || recorded->writer_tx != w.writer_tx ||
            recorded->writer_effects != w.writer_effects || w.lookup.exists() != read.exists ||
            w.lookup.version != read.version) {
            return true;
        }
    }
    return false;
}

common::Status PreExecutor::revalidate(const std::set<OrderPosition>& candidates,
                                       const std::vector<ObjectId>& changed) {
    // Re-checked later, when the driver gives the engine time (replay_pending): changes that
    // arrive meanwhile cost one re-execution, not one each.
    m_dirty.insert(candidates.begin(), candidates.end());
    heal(changed);
    return common::Status::ok();
}

common::Result<std::size_t> PreExecutor::replay_pending(std::size_t budget) {
    ReplayCounters& counters = m_replay.counters();
    std::vector<ObjectId> changed;
    std::size_t replayed = 0;
    while (!m_dirty.empty() && replayed < budget) {
        const OrderPosition at = *m_dirty.begin();
        m_dirty.erase(m_dirty.begin());
        if (m_replay.retired(at)) continue;  // committed: the primary has decided it
        const common::Digest* tx = m_replay.at(at);
        if (tx == nullptr) continue;
        const common::Digest tx_digest = *tx;
        OrderedReplay::Own* own = m_replay.own(tx_digest);
        if (own == nullptr) continue;
        ++counters.checks;
        auto stale = contradicted(*own, at);
        if (!stale) return stale.status();
        if (!stale.value()) continue;
        if (own->replays >= m_options.replays_per_tx_max) {
            ++counters.replays_capped;
            continue;
        }
        const Transaction transaction = own->tx;
        const std::optional<LookupTable> hints = own->hints;
        OrderedView view(m_replay.writes(), m_confirmed, at);
        auto result = run_in(view, transaction, hints ? &*hints : nullptr);
        if (!result) return result.status();
        own = m_replay.own(tx_digest);
        ++own->replays;
        result->revision = own->revision + 1;
        ++counters.replays;
        ++replayed;
        m_replay.note_own(transaction, hints ? &*hints : nullptr, result.value());
        std::vector<ObjectId> more =
            m_replay.note_effects(result->effects, effects_digest(result->effects));
        std::set<OrderPosition> after;
        for (const ObjectId& id : more) m_replay.readers_after(id, at, after);
        m_dirty.insert(after.begin(), after.end());
        changed.insert(changed.end(), more.begin(), more.end());
        m_released.push_back(std::move(result).value());
    }
    heal(changed);
    return replayed;
}

// Fork healing: an overlay entry written by an ordered transaction is replaced by the ordered
// state's last write of its id (or dropped where the confirmed state has caught up), so that
// transactions not yet ordered build on the order, not on a contradicted speculative version.
void PreExecutor::heal(const std::vector<ObjectId>& changed) {
    std::set<ObjectId> ids(changed.begin(), changed.end());
    for (const ObjectId& id : ids) {
        const SpeculativeEntry* entry = m_overlay.find(id);
        if (entry == nullptr || !m_replay.is_positioned(entry->writer_tx)) continue;
        const OrderedWrite* last = m_replay.last_write(id);
        if (last == nullptr) continue;
        if (last->writer_tx == entry->writer_tx && last->writer_effects == entry->writer_effects &&
            last->lookup.version == entry->lookup.version) {
            continue;
        }
        m_overlay.put(id, last->lookup, last->writer_tx, last->writer_effects);
        ++m_replay.counters().healed;
        auto confirmed = m_confirmed.read_version(id);
        if (confirmed) m_overlay.drop_superseded(id, confirmed->version);
    }
}

void PreExecutor::fence(const ObjectId& object, const common::Digest& writer) {
    if (m_options.held_txs_max == 0 || m_seen.find(writer) != nullptr) return;
    m_fences[object] = Fence{writer, m_counters.updates_applied};
    ++m_counters.fences;
}

bool PreExecutor::fenced(const Transaction& tx) {
    bool fenced = false;
    for (const InputObject& input : tx.inputs) {
        auto found = m_fences.find(input.id);
        if (found == m_fences.end()) continue;
        if (m_counters.updates_applied - found->second.set_at_update >=
            m_options.hold_updates_max) {
            m_fences.erase(found);
            ++m_counters.fences_expired;
            continue;
        }
        fenced = true;
    }
    return fenced;
}

bool PreExecutor::note_seen(const common::Digest& tx) {
    if (m_options.held_txs_max == 0) return false;
    m_seen.add(tx, tx);
    if (m_fences.empty()) return false;
    return std::erase_if(m_fences, [&tx](const auto& entry) { return entry.second.writer == tx; }) >
           0;
}

common::Result<bool> PreExecutor::lacks_input(const Transaction& tx) {
    if (fenced(tx)) return true;
    SpeculativeView view(m_overlay, m_confirmed);
    for (const InputObject& input : tx.inputs) {
        if (input.kind != InputObject::Kind::kOwned) continue;
        auto seen = view.read_version(input.id);
        if (!seen) return seen.status();
        // Newer than declared: the transaction is stale or a replay, and aborts everywhere.
        if (seen->version < input.version) return true;
    }
    return false;
}

common::Result<bool> PreExecutor::must_hold(const Transaction& tx, bool count) {
    for (const InputObject& input : tx.inputs) {
        if (m_held_inputs.count(input.id) != 0) return true;
    }
    if (m_options.held_txs_max == 0) return false;
    if (fenced(tx)) {
        if (count) ++m_counters.fenced;
        return true;
    }
    return lacks_input(tx);
}

common::Status PreExecutor::hold(const Transaction& tx, const LookupTable* hints) {
    REMORA_RETURN_IF_ERROR(validate_transaction(tx));  // refused now, as execute() would
    if (m_held.size() >= m_options.held_txs_max) {
        Held oldest = std::move(m_held.front());
        m_held.pop_front();
        for (const InputObject& input : oldest.tx.inputs) {
            m_held_inputs.erase(m_held_inputs.find(input.id));
        }
        REMORA_RETURN_IF_ERROR(run_held(oldest, false));
    }
    for (const InputObject& input : tx.inputs) m_held_inputs.insert(input.id);
    m_held.push_back(Held{tx, hints != nullptr ? std::optional<LookupTable>(*hints) : std::nullopt,
                          m_counters.updates_applied});
    ++m_counters.held;
    return common::Status::ok();
}

common::Result<std::optional<PreExecResult>> PreExecutor::execute_or_hold(
    const Transaction& tx, const LookupTable* hints) {
    auto wait = must_hold(tx, true);
    if (!wait) return wait.status();
    if (!wait.value()) {
        auto result = execute(tx, hints);
        if (!result) return result.status();
        return std::optional<PreExecResult>(std::move(result).value());
    }
    REMORA_RETURN_IF_ERROR(hold(tx, hints));
    return std::optional<PreExecResult>();
}

std::vector<common::Result<std::optional<PreExecResult>>> PreExecutor::execute_or_hold_batch(
    std::span<const Transaction> txs, std::span<const LookupTable* const> hints, bool speculate) {
    REMORA_ASSERT(hints.empty() || hints.size() == txs.size());
    using Outcome = common::Result<std::optional<PreExecResult>>;
    std::vector<Outcome> out;
    out.reserve(txs.size());
    const auto hint = [&](std::size_t i) { return hints.empty() ? nullptr : hints[i]; };
    std::size_t begin = 0;  // the run of transactions not held, [begin, end)
    const auto take = [&out](common::Result<PreExecResult> result) {
        if (!result) {
            out.emplace_back(result.status());
        } else {
            out.emplace_back(std::optional<PreExecResult>(std::move(result).value()));
        }
    };
    const auto run = [&](std::size_t end) {
        if (speculate && end - begin > 1) {
            for (auto& result :
                 execute_batch(txs.subspan(begin, end - begin),
                               hints.empty() ? hints : hints.subspan(begin, end - begin))) {
                take(std::move(result));
            }
        } else {
            for (std::size_t i = begin; i < end; ++i) take(execute(txs[i], hint(i)));
        }
        begin = end;
    };
    for (std::size_t i = 0; i < txs.size(); ++i) {
        auto wait = must_hold(txs[i], false);
        if (wait && !wait.value()) continue;  // joins the run
        run(i);
        if (wait) wait = must_hold(txs[i], true);  // on the state the one-by-one path sees
        if (!wait) {
            out.emplace_back(wait.status());
            begin = i + 1;
            continue;
        }
        if (!wait.value()) continue;  // begins the next run
        common::Status held = hold(txs[i], hint(i));
        if (!held) {
            out.emplace_back(held);
        } else {
            out.emplace_back(std::optional<PreExecResult>());
        }
        begin = i + 1;
    }
    run(txs.size());
    return out;
}

common::Status PreExecutor::run_held(const Held& held, bool ready) {
    auto result = execute(held.tx, held.hints ? &*held.hints : nullptr);
    if (!result) return result.status();
    ++(ready ? m_counters.released_ready : m_counters.released_unready);
    m_released.push_back(std::move(result).value());
    return common::Status::ok();
}

// Runs, in arrival order, every held transaction whose inputs are here now and that follows no
// still-held transaction declaring one of its inputs, and those past hold_updates_max.
bool PreExecutor::declares_held_input(const Effects& effects) const {
    if (m_held_inputs.empty()) return false;
    for (const auto* list : {&effects.written, &effects.created}) {
        for (const Object& object : *list) {
            if (m_held_inputs.count(object.id) != 0) return true;
        }
    }
    return false;
}

common::Status PreExecutor::release_ready() {
    std::deque<Held> still;
    std::multiset<ObjectId> blocked;
    for (Held& held : m_held) {
        bool wait = false;
        for (const InputObject& input : held.tx.inputs) {
            if (blocked.count(input.id) != 0) wait = true;
        }
        const bool expired =
            m_counters.updates_applied - held.held_at_update >= m_options.hold_updates_max;
        bool lacking = false;
        if (!wait) {
            auto lacks = lacks_input(held.tx);
            if (!lacks) return lacks.status();
            lacking = lacks.value();
        }
        if ((wait || lacking) && !expired) {
            for (const InputObject& input : held.tx.inputs) blocked.insert(input.id);
            still.push_back(std::move(held));
            continue;
        }
        REMORA_RETURN_IF_ERROR(run_held(held, !wait && !lacking));
    }
    m_held = std::move(still);
    m_held_inputs = std::move(blocked);
    return common::Status::ok();
}

common::Result<std::size_t> PreExecutor::apply_peer_effects(const Effects& effects,
                                                            const common::Digest& claimed_digest) {
    // A peer's message: malformed effects are refused whole, before anything is taken.
    REMORA_RETURN_IF_ERROR(validate_effects(effects).with_context("forwarded effects"));
    // Nothing that crossed a process boundary is trusted for a digest: the overlay's writer
    // digest is computed here, from the contents taken. A forward whose contents do not match
    // what its sender claimed is damaged or forged; it is refused whole.
    const common::Digest effects_digest = executor::effects_digest(effects);
    if (effects_digest != claimed_digest) {
        ++m_counters.peer_forwards_refused;
        return common::Status{
            common::Code::kCorruption,
            "forwarded effects of " + effects.tx_digest.hex() + " do not match their digest"};
    }
    const bool lifted = note_seen(effects.tx_digest);
    if (!effects.status.is_success()) {
        // An abort writes nothing, but it may replace effects that did (a superseding result).
        if (m_options.ordered_replay) {
            std::vector<ObjectId> changed = m_replay.note_effects(effects, effects_digest);
            if (auto position = m_replay.position(effects.tx_digest)) {
                std::set<OrderPosition> candidates;
                for (const ObjectId& id : changed) {
                    m_replay.readers_after(id, *position, candidates);
                }
                REMORA_RETURN_IF_ERROR(revalidate(candidates, changed));
            }
        }
        if (lifted) REMORA_RETURN_IF_ERROR(release_ready());
        return std::size_t{0};
    }
    SpeculativeView view(m_overlay, m_confirmed);
    std::size_t applied = 0;
    auto newer = [&](const ObjectId& id, Version version) -> common::Result<bool> {
        auto seen = view.read_version(id);
        if (!seen) return seen.status();
        return seen->version < version;
    };
    for (const auto* list : {&effects.written, &effects.created}) {
        for (const Object& object : *list) {
            auto is_newer = newer(object.id, object.version);
            if (!is_newer) return is_newer.status();
            if (!is_newer.value()) continue;
            m_overlay.put(object.id, ObjectLookup{object, object.version}, effects.tx_digest,
                          effects_digest);
            ++applied;
        }
    }
    m_counters.peer_objects += applied;
    if (m_options.ordered_replay) {
        // A peer's (new) effects of an ordered transaction: own results after it that read what
        // it writes are re-checked (a superseding result, when the order says so). Noted before
        // held transactions run, which may execute at their positions.
        std::vector<ObjectId> changed = m_replay.note_effects(effects, effects_digest);
        if (auto position = m_replay.position(effects.tx_digest)) {
            std::set<OrderPosition> candidates;
            for (const ObjectId& id : changed) m_replay.readers_after(id, *position, candidates);
            REMORA_RETURN_IF_ERROR(revalidate(candidates, changed));
        }
    }
    // Only a held transaction that declares an object this forward wrote can become ready (a
    // forward changes no other object, and no hold expires on a forward): release_ready()
    // rebuilds the whole hold queue, so it is skipped when none does.
    if (lifted || (applied > 0 && declares_held_input(effects))) {
        REMORA_RETURN_IF_ERROR(release_ready());
    }
    return applied;
}

std::vector<PreExecResult> PreExecutor::take_released() { return std::exchange(m_released, {}); }

common::Result<StateUpdateAck> PreExecutor::apply_state_update(const StateUpdate& update) {
    if (update.pre_executor != m_id) {
        return invalid("meant for pre-executor " + std::to_string(update.pre_executor) +
                       ", this is " + std::to_string(m_id));
    }
    REMORA_RETURN_IF_ERROR(check_update(update));
    storage::CommitInput input;
    input.index = m_store->status().applied_commit + 1;
    for (const Object& object : update.objects) {
        auto info = m_store->latest_info(object.id);
        if (!info) return info.status();
        if (info.value() && info.value()->version >= object.version) continue;
        input.writes.push_back({object.id, object.version, encode_object(object)});
    }
    for (const DeletedObject& deleted : update.tombstones) {
        auto info = m_store->latest_info(deleted.id);
        if (!info) return info.status();
        // A tombstone is taken whatever the store holds below it: it may stand for an object
        // created and deleted inside one primary commit, whose versions are used up.
        if (info.value() && info.value()->version >= deleted.version) continue;
        input.writes.push_back({deleted.id, deleted.version, std::nullopt});
    }
    const bool advances = update.kind == StateUpdateKind::kCatchUp && update.complete;
    const common::CommitIndex caught_up =
        advances ? std::max(m_caught_up_commit, update.to_commit) : m_caught_up_commit;
    if (!input.writes.empty() || caught_up != m_caught_up_commit) {
        input.body = encode_update_marker(caught_up);
        REMORA_RETURN_IF_ERROR(m_store->commit(input));
    }
    m_caught_up_commit = caught_up;
    for (const Object& object : update.objects) {
        m_counters.overlay_dropped += m_overlay.drop_superseded(object.id, object.version);
    }
    for (const DeletedObject& deleted : update.tombstones) {
        m_counters.overlay_dropped += m_overlay.drop_superseded(deleted.id, deleted.version);
    }
    ++m_counters.updates_applied;
    m_counters.update_objects_written += input.writes.size();
    REMORA_RETURN_IF_ERROR(release_ready());
    if (m_options.ordered_replay) m_replay.retire_through(update.to_commit);
    if (m_options.ordered_replay && !input.writes.empty()) {
        // The confirmed state moved: own ordered results that read these ids are re-checked
        // (a speculative version the primary contradicted heals here).
        std::set<OrderPosition> candidates;
        std::vector<ObjectId> changed;
        for (const auto& write : input.writes) {
            m_replay.readers(write.id, candidates);
            changed.push_back(write.id);
        }
        REMORA_RETURN_IF_ERROR(revalidate(candidates, changed));
    }
    return StateUpdateAck{m_id, m_caught_up_commit};
}

PreExecutorCounters PreExecutor::counters() const {
    PreExecutorCounters counters = m_counters;
    counters.overlay_evictions = m_overlay.evictions();
    counters.overlay_entries = m_overlay.size();
    counters.held_now = m_held.size();
    if (m_options.ordered_replay) counters.replay = m_replay.counters();
    if (m_parallel) counters.parallel = m_parallel->counters();
    return counters;
}

}  // namespace remora::executor::protocol
