#include "executor/protocol/primary.h"

#include <algorithm>
#include <string>
#include <utility>

#include "executor/protocol/anoma_bridge.h"

namespace remora::executor::protocol {
namespace {

common::Status option_error(const std::string& name, std::uint64_t value,
                            const std::string& range) {
    return {common::Code::kInvalidArgument,
            "primary option " + name + " = " + std::to_string(value) + " is outside " + range};
}

}  // namespace

std::optional<RoutedUpdates> parse_routed_updates(std::string_view text) {
    if (text == "off") return RoutedUpdates::kOff;
    if (text == "affinity") return RoutedUpdates::kAffinity;
    if (text == "broadcast") return RoutedUpdates::kBroadcast;
    return std::nullopt;
}

const char* routed_updates_name(RoutedUpdates mode) {
    switch (mode) {
        case RoutedUpdates::kOff:
            return "off";
        case RoutedUpdates::kAffinity:
            return "affinity";
        case RoutedUpdates::kBroadcast:
            return "broadcast";
    }
    return "unknown";
}

common::Status validate_primary_options(const PrimaryOptions& o) {
    if (o.buffered_txs_max < 1 || o.buffered_txs_max > limits::kBufferedTxsMax) {
        return option_error("buffered_txs_max", o.buffered_txs_max,
                            "1.." + std::to_string(limits::kBufferedTxsMax));
    }
    if (o.result_ttl_commits < 1) return option_error("result_ttl_commits", 0, "1..");
    if (o.recent_txs_max < 1 || o.recent_txs_max > limits::kRecentTxsMax) {
        return option_error("recent_txs_max", o.recent_txs_max,
                            "1.." + std::to_string(limits::kRecentTxsMax));
    }
    if (o.miss_window_txs < 1 || o.miss_window_txs > limits::kMissWindowTxsMax) {
        return option_error("miss_window_txs", o.miss_window_txs,
                            "1.." + std::to_string(limits::kMissWindowTxsMax));
    }
    if (o.miss_threshold > o.miss_window_txs) {
        return option_error("miss_threshold", o.miss_threshold,
                            "0..miss_window_txs (" + std::to_string(o.miss_window_txs) + ")");
    }
    if (o.state_update.objects_max < 1 || o.state_update.bytes_max < 1 ||
        o.state_update.commits_max < 1) {
        return {common::Code::kInvalidArgument, "primary state update bounds must be >= 1"};
    }
    if (o.reexec_threads < 1 || o.reexec_threads > limits::kReexecThreadsMax) {
        return option_error("reexec_threads", o.reexec_threads,
                            "1.." + std::to_string(limits::kReexecThreadsMax));
    }
    return common::Status::ok();
}

Primary::Primary(storage::Store& store, const PrimaryOptions& options)
    : m_store(store),
      m_options(options),
      m_results(options.buffered_txs_max, options.result_ttl_commits),
      m_recent(options.recent_txs_max),
      m_write_log(options.write_log_commits) {
    REMORA_ASSERT(validate_primary_options(options).is_ok());
    if (options.reexec_threads > 1) {
        m_parallel =
            std::make_unique<ParallelReexec>(options.reexec_threads, options.reexec_schedule_seed);
    }
    m_digester = storage::HelperThread::start();
}

Primary::~Primary() { abandon_digests(); }

void Primary::DigestJob::set(std::vector<const Effects*> effects) {
    m_effects = std::move(effects);
    m_digests.assign(m_effects.size(), common::Digest{});
    m_done = false;
}

void Primary::DigestJob::run() {
    for (std::size_t i = 0; i < m_effects.size(); ++i) m_digests[i] = effects_digest(*m_effects[i]);
    m_done = true;
}

void Primary::abandon_digests() {
    if (m_digest_job_posted && m_digester) m_digester->settle();
    m_digest_job_posted = false;
}

void Primary::collect_digests() {
    if (!m_collect_pending) return;
    if (m_digest_job_posted && m_digester) m_digester->settle();
    m_digest_job_posted = false;
    if (!m_digest_job.done()) m_digest_job.run();
    m_collect_pending = false;
    StartedCommit& started = m_started.back();
    PrimaryCommit& commit = started.commit;
    for (std::size_t k = 0; k < started.deferred.size(); ++k) {
        const std::uint32_t i = started.deferred[k];
        started.effects_digests[i] = m_digest_job.digests()[k];
        if (started.recent_sequence[i] != kNoEntry) {
            m_recent.resolve(commit.decisions[i].tx_digest, started.recent_sequence[i],
                             started.effects_digests[i]);
        }
    }
    m_digest_job.set({});
    const std::size_t n = commit.outcome.effects.size();
    commit.finished.reserve(n);
    commit.summaries.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const TxFingerprint timestamp =
            fingerprint(commit.outcome.index, static_cast<std::uint32_t>(i));
        const Effects& effects = commit.outcome.effects[i];
        commit.finished.push_back(
            executor_finished(effects, started.effects_digests[i], timestamp));
        commit.summaries.push_back(
            execution_summary(effects, started.effects_digests[i], timestamp));
    }
}

common::Status Primary::add_pre_executor(PreExecutorId id, CommitIndex caught_up_commit) {
    if (m_peers.count(id) != 0) {
        return {common::Code::kAlreadyExists, "pre-executor " + std::to_string(id) + " is known"};
    }
    if (m_peers.size() >= limits::kPreExecutorsMax) {
        return {common::Code::kInvalidArgument,
                "more than " + std::to_string(limits::kPreExecutorsMax) + " pre-executors"};
    }
    m_peers.emplace(id, Peer(std::min(caught_up_commit, m_store.status().applied_commit),
                             m_options.miss_window_txs));
    return common::Status::ok();
}

common::Status Primary::remove_pre_executor(PreExecutorId id) {
    if (m_peers.erase(id) == 0) {
        return {common::Code::kNotFound, "pre-executor " + std::to_string(id) + " is unknown"};
    }
    return common::Status::ok();
}

void Primary::note_routed(const common::Digest& tx, PreExecutorId id) {
    if (m_recent.contains(tx)) return;  // already committed
    m_results.note_routed(tx, id, m_store.status().applied_commit);
}

common::Result<Submitted> Primary::submit(PreExecResult result) {
    ++m_counters.results_submitted;
    auto peer = m_peers.find(result.pre_executor);
    if (peer == m_peers.end()) {
        ++m_counters.results_rejected;
        return common::Status{
            common::Code::kInvalidArgument,
            "result from unknown pre-executor " + std::to_string(result.pre_executor)};
    }
    if (auto valid = validate_pre_exec_result(result); !valid.is_ok()) {
        ++m_counters.results_rejected;
        return valid;
    }
    const CommitIndex applied = m_store.status().applied_commit;
    if (result.caught_up_commit <= applied) {
        peer->second.acknowledged_commit =
            std::max(peer->second.acknowledged_commit, result.caught_up_commit);
    }
    if (m_recent.contains(result.tx_digest)) {
        ++m_counters.results_late;
        return Submitted::kAlreadyCommitted;
    }
    switch (m_results.add(std::move(result), applied)) {
        case BufferOutcome::kBuffered:
            return Submitted::kBuffered;
        case BufferOutcome::kReplaced:
            ++m_counters.results_replaced;
            return Submitted::kReplaced;
        case BufferOutcome::kOutdated:
            ++m_counters.results_outdated;
            return Submitted::kOutdated;
        case BufferOutcome::kTooManyResults:
            break;
    }
    ++m_counters.results_too_many;
    return Submitted::kTooManyResults;
}

common::Status Primary::acknowledge(const StateUpdateAck& ack) {
    auto peer = m_peers.find(ack.pre_executor);
    if (peer == m_peers.end()) {
        return {common::Code::kNotFound,
                "pre-executor " + std::to_string(ack.pre_executor) + " is unknown"};
    }
    if (ack.caught_up_commit > m_store.status().applied_commit) {
        return {common::Code::kInvalidArgument,
                "acknowledged commit " + std::to_string(ack.caught_up_commit) +
                    " is past the primary's " + std::to_string(m_store.status().applied_commit)};
    }
    peer->second.acknowledged_commit =
        std::max(peer->second.acknowledged_commit, ack.caught_up_commit);
    return common::Status::ok();
}

std::vector<std::size_t> Primary::missing_results(std::span<const Transaction> ordered) const {
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        const BufferedTx* entry = m_results.find(transaction_digest(ordered[i]));
        if (entry == nullptr || entry->results.empty()) missing.push_back(i);
    }
    return missing;
}

std::size_t Primary::missing_result_count(std::span<const common::Digest> digests) const {
    std::size_t missing = 0;
    for (const common::Digest& digest : digests) {
        const BufferedTx* entry = m_results.find(digest);
        if (entry == nullptr || entry->results.empty()) ++missing;
    }
    return missing;
}

common::Result<PrimaryCommit> Primary::process_commit(std::span<const Transaction> ordered,
                                                      std::span<const common::Digest> digests) {
    if (!m_started.empty()) {
        return common::Status{common::Code::kInvalidArgument,
                              "process_commit() while started commits are unfinished"};
    }
    REMORA_RETURN_IF_ERROR(start_commit(ordered, digests));
    return finish_commit();
}

common::Result<PrimaryCommit> Primary::finish_commit() {
    if (m_started.empty()) {
        return common::Status{common::Code::kInvalidArgument, "no started commit to finish"};
    }
    auto durable = m_store.wait_durable(m_started.front().commit.outcome.index);
    if (!durable) return durable.status();
    collect_digests();  // only m_started.back() may still await it
    PrimaryCommit commit = std::move(m_started.front().commit);
    m_started.pop_front();
    return commit;
}

common::Status Primary::start_commit(std::span<const Transaction> ordered,
                                     std::span<const common::Digest> known_digests) {
    if (!known_digests.empty() && known_digests.size() != ordered.size()) {
        return {common::Code::kInvalidArgument,
                std::to_string(known_digests.size()) + " digests for " +
                    std::to_string(ordered.size()) + " ordered transactions"};
    }
    REMORA_RETURN_IF_ERROR(CommitBuilder::require_genesis(m_store));
    // The previous commit's digests, before anything here reads RecentTxs.
    collect_digests();
    ++m_epoch;
    std::vector<common::Digest> computed;
    std::span<const common::Digest> digests = known_digests;
    if (digests.empty()) {
        computed.reserve(ordered.size());
        for (const Transaction& tx : ordered) computed.push_back(transaction_digest(tx));
        digests = computed;
    }
    CommitBuilder builder(m_store);
    builder.reserve(ordered.size());
    REMORA_RETURN_IF_ERROR(builder.prefetch_index(digests));
    if (m_parallel) speculate_misses(ordered, digests, builder.view());
    StartedCommit started;
    PrimaryCommit& commit = started.commit;
    commit.decisions.reserve(ordered.size());
    started.effects_digests.resize(ordered.size());
    started.known.assign(ordered.size(), false);
    started.recent_sequence.assign(ordered.size(), kNoEntry);
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        auto decision =
            decide(ordered[i], digests[i], static_cast<std::uint32_t>(i), builder, started);
        if (!decision) return decision.status();
        if (m_observer) m_observer(decision.value());
        commit.decisions.push_back(std::move(decision).value());
    }
    if (m_parallel) m_parallel->clear();
    // The digests nobody in this commit needed: hashed on m_digester while the commit is
    // encoded and written. The effects stay where they are (the builder's vector, moved whole
    // into the outcome) until collect_digests() or the guard below has settled the job.
    std::vector<const Effects*> deferred;
    for (std::uint32_t i = 0; i < ordered.size(); ++i) {
        if (started.known[i]) continue;
        started.deferred.push_back(i);
        deferred.push_back(&builder.added(i));
    }
    m_digest_job.set(std::move(deferred));
    if (m_digester && !started.deferred.empty()) {
        m_digester->post(m_digest_job);
        m_digest_job_posted = true;
    }
    struct AbandonOnError {
        Primary& primary;
        bool armed = true;
        ~AbandonOnError() {
            if (armed) primary.abandon_digests();
        }
    } guard{*this};
    auto outcome = builder.finish();
    if (!outcome) return outcome.status();
    commit.outcome = std::move(outcome).value();
    m_write_log.add(commit.outcome.index, builder.written());
    ++m_counters.commits;
    m_results.expire(commit.outcome.index);
    REMORA_RETURN_IF_ERROR(push_state_updates(commit));
    push_routed_updates(commit);
    m_started.push_back(std::move(started));
    m_collect_pending = true;
    guard.armed = false;
    return common::Status::ok();
}

}  // namespace remora::executor::protocol
