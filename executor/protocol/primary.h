#pragma once
// The primary engine (docs/design.md §3): owns the authoritative store, buffers pre-executed
// results, and for each ordered commit adopts or re-executes every transaction in order, then
// persists the commit exactly as the sequential reference does (CommitBuilder). A state
// machine: no sockets or clock; the driver feeds results and commits and carries messages away.
// Its only threads are the pool that re-executes misses in parallel (reexec_threads > 1,
// parallel_reexec.h), busy only inside process_commit(), and one digest thread that hashes the
// effects no later result of the same commit needed (StartedCommit), busy from the end of a
// commit's decisions until the next start_commit() or finish_commit() collects them.
//
// Invariant (the one that matters most): whatever the pre-executors sent or failed to send,
// process_commit() gives the effects, the store commit and the state digest that
// SequentialExecutor::execute_commit gives for the same transactions on the same store.
//
// Waiting for late results is the driver's policy, not the engine's: before calling
// process_commit() a driver may look at missing_results() and wait a bounded time for them.
// The engine never waits; a transaction without a result is re-executed in full.
//
// After an error from process_commit() (a store failure) the engine must be discarded; a new
// one built on the same store resumes from the last persisted commit (buffered results are
// lost, which only costs misses).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/messages.h"
#include "executor/protocol/miss_stats.h"
#include "executor/protocol/parallel_reexec.h"
#include "executor/protocol/recent_txs.h"
#include "executor/protocol/result_buffer.h"
#include "executor/protocol/state_update_builder.h"
#include "executor/sequential/commit_builder.h"
#include "executor/tx/anoma.h"
#include "storage/helper_thread.h"
#include "storage/store.h"

namespace remora::executor::protocol {

// Which pre-executors get a routed update of an object a commit changed (never the one whose
// adopted result produced that version: it has it).
enum class RoutedUpdates : std::uint8_t {
    kOff,
    // The update router's expected reader (the load balancer's affinity owner): exact where
    // transactions are routed by the object itself or by its owner (shared objects; owned
    // coins on `transfer`). An owned, child or immutable object whose writer the primary
    // re-executed goes to every pre-executor (no pre-executor forwarded that version).
    kAffinity,
    // Shared objects as kAffinity; owned, child and immutable objects to every pre-executor,
    // for workloads whose owners' next transactions are routed by some shared object (`amm`).
    // Costs up to (pre-executors - 1) copies of each such object.
    kBroadcast,
};

// "off", "affinity", "broadcast"; nullopt for anything else.
std::optional<RoutedUpdates> parse_routed_updates(std::string_view text);
const char* routed_updates_name(RoutedUpdates mode);

struct PrimaryOptions {
    std::size_t buffered_txs_max = limits::kBufferedTxsDefault;           // 1..kBufferedTxsMax
    std::uint64_t result_ttl_commits = limits::kResultTtlCommitsDefault;  // >= 1
    std::size_t recent_txs_max = limits::kRecentTxsDefault;               // 1..kRecentTxsMax
    std::size_t miss_window_txs = limits::kMissWindowTxsDefault;          // 1..kMissWindowTxsMax
    // State misses in a pre-executor's window that make the primary push it a state update;
    // 0 disables state updates.
    std::size_t miss_threshold = limits::kMissThresholdDefault;
    StateUpdateBounds state_update;
    // Recent commits whose write lists stay in memory; 0 reads every one from the store.
    std::size_t write_log_commits = limits::kWriteLogCommitsDefault;
    // After each commit, push pre-executors the objects the commit changed that they are
    // expected to read next and did not produce themselves (routed updates). Needs
    // set_update_router(); without a router only kBroadcast's non-shared objects are routed.
    RoutedUpdates routed_updates = RoutedUpdates::kAffinity;
    // The structural checks before adopting (adopt_check.h, consistent_result). Off only to
    // measure what they cost (remora-bench remora --adopt-checks ab).
    bool adopt_checks = true;
    // Threads that re-execute a commit's misses (1..kReexecThreadsMax; the calling thread is
    // one): above 1, the transactions without a buffered result are executed speculatively in
    // parallel before the commit is decided, and each speculative result is validated in order
    // (parallel_reexec.h). The outcome is the same whatever the count.
    std::size_t reexec_threads = limits::kReexecThreadsDefault;
    // Tests only: nonzero randomises the speculation's schedule (ParallelReexec).
    std::uint64_t reexec_schedule_seed = 0;
};

// Where the next transaction reading `object` is expected to go (LoadBalancer::expected_reader),
// or nullopt for nowhere in particular.
using UpdateRouter = std::function<std::optional<PreExecutorId>(const Object&)>;

// kInvalidArgument naming the first option outside its range.
common::Status validate_primary_options(const PrimaryOptions& options);

// How one ordered transaction was decided.
struct TxDecision {
    std::uint32_t index = 0;  // in the commit
    common::Digest tx_digest;
    bool adopted = false;
    std::optional<MissCause> miss;  // set exactly when not adopted and not ruled out
    // Decided by the commit-level rules without executing: a duplicate or an expired
    // transaction (CommitBuilder::ruled_outcome). Neither adopted nor a miss.
    bool ruled_out = false;
    // Adopted: whose result. Missed: the pre-executor charged (the first result's, or where the
    // driver routed the transaction); nullopt when none is known.
    std::optional<PreExecutorId> pre_executor;
};

// Everything one processed commit produces.
struct PrimaryCommit {
    CommitOutcome outcome;                    // as SequentialExecutor::execute_commit returns it
    std::vector<TxDecision> decisions;        // one per transaction, in order
    std::vector<ExecutorFinished> finished;   // to the curator, one per transaction
    std::vector<ExecutionSummary> summaries;  // to the issuer, one per transaction
    // To push, in this order: catch-up updates for the pre-executors past the miss threshold
    // (ascending ids), then routed updates (ascending ids).
    std::vector<StateUpdate> state_updates;
};

enum class Submitted : std::uint8_t {
    kBuffered,          // waiting for its transaction to be ordered
    kReplaced,          // replaced this pre-executor's earlier result for the transaction
    kOutdated,          // this pre-executor's newer revision is buffered: dropped
    kAlreadyCommitted,  // its transaction is committed: dropped (a late result)
    kTooManyResults,    // limits::kResultsPerTxMax other results are buffered: dropped
};

struct PreExecutorStats {
    PreExecutorId id = 0;
    CommitIndex acknowledged_commit = 0;
    std::uint64_t adopted = 0;
    MissCounts misses;             // all time
    std::uint64_t window_txs = 0;  // in the current window
    std::uint64_t window_hits = 0;
    MissCounts window_misses;
    std::uint64_t state_updates = 0;  // catch-up updates pushed to it
    std::uint64_t state_update_bytes = 0;
    std::uint64_t routed_updates = 0;  // routed updates pushed to it
    std::uint64_t routed_update_bytes = 0;
};

// A snapshot of the primary's counters, for metrics and benchmarks.
struct PrimaryCounters {
    std::uint64_t commits = 0;
    std::uint64_t transactions = 0;
    std::uint64_t adopted = 0;
    std::uint64_t reexecuted = 0;
    std::uint64_t ruled_out = 0;  // duplicates and expired ones (TxDecision::ruled_out)
    MissCounts misses;            // per transaction: the cause that made it re-executed
    std::uint64_t results_submitted = 0;
    std::uint64_t results_rejected = 0;  // malformed or from an unknown pre-executor
    std::uint64_t results_late = 0;      // for transactions already committed
    std::uint64_t results_replaced = 0;
    std::uint64_t results_outdated = 0;  // an older revision than the one buffered
    std::uint64_t results_too_many = 0;
    std::uint64_t results_dropped_full = 0;
    std::uint64_t results_expired = 0;
    // Taken with their transaction but never checked: another result was adopted first.
    std::uint64_t results_unused = 0;
    std::uint64_t results_buffered_now = 0;    // transactions in the buffer now
    std::uint64_t authenticators_skipped = 0;  // by re-execution with hints
    std::uint64_t precompiles_replayed = 0;
    std::uint64_t state_updates = 0;
    std::uint64_t state_update_objects = 0;  // objects + tombstones
    std::uint64_t state_update_bytes = 0;
    std::uint64_t state_updates_incomplete = 0;
    std::uint64_t routed_updates = 0;
    std::uint64_t routed_update_objects = 0;
    std::uint64_t routed_update_bytes = 0;
    // Parallel re-execution (reexec_threads > 1): misses executed speculatively, speculative
    // results taken, and those found invalid (re-executed in order).
    std::uint64_t reexec_speculated = 0;
    std::uint64_t reexec_validated = 0;
    std::uint64_t reexec_conflicts = 0;
    std::vector<PreExecutorStats> pre_executors;  // ascending ids
};

class Primary {
public:
    // REQUIRES: `store` is open read-write, holds the genesis commit, outlives the engine and
    // is written by nobody else; validate_primary_options(options) is ok (asserted).
    Primary(storage::Store& store, const PrimaryOptions& options = {});
    ~Primary();
    Primary(const Primary&) = delete;
    Primary& operator=(const Primary&) = delete;

    // A pre-executor joins, caught up to `caught_up_commit` (1 from genesis, or its snapshot's
    // commit). kAlreadyExists, or kInvalidArgument past limits::kPreExecutorsMax.
    common::Status add_pre_executor(PreExecutorId id, CommitIndex caught_up_commit);
    // A pre-executor leaves (or crashed). Its buffered results stay: they are still correct
    // to adopt if they pass the check. kNotFound when unknown.
    common::Status remove_pre_executor(PreExecutorId id);

    // The driver routed `tx` to `id`: a missing result for it is then charged to `id`.
    void note_routed(const common::Digest& tx, PreExecutorId id);

    // Buffers a result. kInvalidArgument for a malformed result (validate_pre_exec_result) or an
    // unknown pre-executor; nothing is kept then. Its caught_up_commit acknowledges state.
    common::Result<Submitted> submit(PreExecResult result);

    // A pre-executor acknowledges the state it applied. kNotFound for an unknown pre-executor,
    // kInvalidArgument for a commit the primary has not reached.
    common::Status acknowledge(const StateUpdateAck& ack);

    // The positions in `ordered` of the transactions that have no buffered result (computes
    // each digest: one BLAKE2b per transaction).
    std::vector<std::size_t> missing_results(std::span<const Transaction> ordered) const;
    // The same for transactions whose digests the driver already holds (no hashing): how many
    // of `digests` have no buffered result. For a driver that polls while it waits.
    std::size_t missing_result_count(std::span<const common::Digest> digests) const;

    // Decides, executes and persists the next commit. The outcome equals
    // SequentialExecutor::execute_commit's on the same store. Errors: store failures, or
    // kInvalidArgument for a transaction that breaks validate_transaction (as the reference).
    // REQUIRES (else kInvalidArgument): no commit started by start_commit() is unfinished.
    // `digests`, when not empty, holds transaction_digest(ordered[i]) for each i, computed by
    // the driver in this process (e.g. when it admitted the transaction): the engine then does
    // not hash the transactions again. kInvalidArgument when its size differs from ordered's.
    // A driver must never pass digests it did not compute from these transactions itself.
    common::Result<PrimaryCommit> process_commit(std::span<const Transaction> ordered,
                                                 std::span<const common::Digest> digests = {});

    // process_commit() in two halves, for a store with StoreOptions::pipeline_depth >= 1:
    // start_commit() decides, builds and hands the next commit to the store, which may still
    // be writing it when it returns, so the driver can start the next one meanwhile;
    // finish_commit() waits until the oldest started commit is durable and only then returns
    // what process_commit() returns for it (nothing is acknowledged or pushed before). The
    // outputs are those of process_commit() on the same inputs, byte for byte. Errors as
    // process_commit(); after any, discard the engine.
    common::Status start_commit(std::span<const Transaction> ordered,
                                std::span<const common::Digest> digests = {});
    // kInvalidArgument when no commit is started.
    common::Result<PrimaryCommit> finish_commit();
    std::size_t commits_started() const { return m_started.size(); }

    // A state update for `id` now, whatever its misses (e.g. to catch up a new pre-executor).
    common::Result<StateUpdate> make_state_update(PreExecutorId id);

    // Called by process_commit() after each transaction is decided (adopted, or re-executed
    // and added to the commit), before the next one starts; the commit is persisted after the
    // last call. A driver that reads its own clock in it can attribute the time between calls
    // to adoption or re-execution. The engine itself reads no clock.
    // Enables routed updates (PrimaryOptions::routed_updates). The router must be
    // deterministic for the commits to push the same updates on every run.
    void set_update_router(UpdateRouter router) { m_router = std::move(router); }

    void set_decision_observer(std::function<void(const TxDecision&)> observer) {
        m_observer = std::move(observer);
    }

    PrimaryCounters counters() const;
    storage::Store& store() { return m_store; }

    // Turns the structural adopt checks on or off from the next decision on (an A/B
    // measurement of their cost alternates them per commit; PrimaryOptions::adopt_checks).
    void set_adopt_checks(bool on) { m_options.adopt_checks = on; }

private:
    struct Peer {
        Peer(CommitIndex acknowledged, std::size_t window_txs)
            : acknowledged_commit(acknowledged), window(window_txs) {}
        CommitIndex acknowledged_commit = 0;
        MissWindow window;
        std::uint64_t adopted = 0;
        MissCounts misses;
        std::uint64_t state_updates = 0;
        std::uint64_t state_update_bytes = 0;
        std::uint64_t routed_updates = 0;
        std::uint64_t routed_update_bytes = 0;
    };

    // A started commit with what its messages need. Effects digests: decide() computes one only
    // where the commit itself needs it (a later result of the commit read this transaction's writes
    // speculatively) or where it is known (a speculated re-execution); the others are computed on
    // m_digester while the commit is built and written, and collected by collect_digests(), which
    // also builds the commit's messages.
    struct StartedCommit {
        PrimaryCommit commit;
        std::vector<common::Digest> effects_digests;  // one per transaction
        std::vector<bool> known;                      // effects_digests[i] is computed
        // The RecentTxs entry of a transaction whose digest is pending (kNoEntry: none, e.g. a
        // ruled-out transaction).
        std::vector<std::uint64_t> recent_sequence;
        std::vector<std::uint32_t> deferred;  // positions whose digest the job computes
    };
    static constexpr std::uint64_t kNoEntry = ~std::uint64_t{0};

    // Hashes the deferred effects; reads them only, writes only its own digests.
    class DigestJob final : public storage::HelperThread::Job {
    public:
        void set(std::vector<const Effects*> effects);
        void run() override;
        bool done() const { return m_done; }
        const std::vector<common::Digest>& digests() const { return m_digests; }

    private:
        std::vector<const Effects*> m_effects;
        std::vector<common::Digest> m_digests;
        bool m_done = false;
    };

    // Decides transaction `index` (whose digest is `tx_digest`) and adds its effects to
    // `builder`; records its effects digest in `started` or leaves it pending there.
    common::Result<TxDecision> decide(const Transaction& tx, const common::Digest& tx_digest,
                                      std::uint32_t index, CommitBuilder& builder,
                                      StartedCommit& started);
    // Computes now the digest of a transaction of the commit being decided whose digest is
    // pending, when `writer` is one (a later result read its writes).
    void resolve_writer(const common::Digest& writer, const CommitBuilder& builder,
                        StartedCommit& started);
    // Waits for the last started commit's deferred digests (computing them here if the job
    // never ran), gives them to RecentTxs and builds that commit's messages. Nothing when done.
    void collect_digests();
    // Withdraws or waits out a posted job (an error path: its effects are about to go).
    void abandon_digests();
    // Re-executes a miss: its valid speculative result when there is one, else in place.
    common::Result<Effects> reexecute(const Transaction& tx, std::uint32_t index,
                                      const LookupTable* hints, std::size_t hints_id,
                                      StateReader& view,
                                      std::optional<common::Digest>& effects_digest);
    // Speculates the commit's certain misses on the parallel pool.
    void speculate_misses(std::span<const Transaction> ordered,
                          std::span<const common::Digest> digests, StateReader& view);
    void record(const TxDecision& decision, const std::vector<PreExecResult>& results,
                const std::vector<std::optional<MissCause>>& verdicts,
                std::optional<PreExecutorId> routed_to);
    common::Status push_state_updates(PrimaryCommit& commit);
    void push_routed_updates(PrimaryCommit& commit);
    void account_update(Peer& peer, const StateUpdate& update);

    storage::Store& m_store;
    PrimaryOptions m_options;
    ResultBuffer m_results;
    RecentTxs m_recent;
    WriteLog m_write_log;
    std::map<PreExecutorId, Peer> m_peers;
    std::function<void(const TxDecision&)> m_observer;
    UpdateRouter m_router;
    PrimaryCounters m_counters;  // pre_executors and buffer figures are filled in counters()
    std::unique_ptr<ParallelReexec> m_parallel;  // reexec_threads > 1 only
    std::deque<StartedCommit> m_started;         // by start_commit(), oldest first, not yet durable
    // Deferred effects digests: the thread (nullptr when none could be had: collect_digests()
    // computes them), the one job, and whether m_started.back() still awaits collect_digests().
    std::unique_ptr<storage::HelperThread> m_digester;
    DigestJob m_digest_job;
    bool m_digest_job_posted = false;
    bool m_collect_pending = false;
    std::uint64_t m_epoch = 0;  // numbers start_commit() calls, for RecentTxs' pending entries
};

}  // namespace remora::executor::protocol
