#pragma once
// The pre-executor engine (docs/design.md §3): executes transactions before consensus orders them,
// against its own, possibly stale, copy of the state, and reports effects plus lookup table to
// the primary. A state machine: no sockets or clock, and no threads but the pool that
// execute_batch() speculates on (exec_threads > 1; every call returns with the pool idle); the
// driver delivers transactions and state updates and carries results away.
//
// State: a storage::Store of its own (on disk or in memory) holding only primary-confirmed
// state: genesis (or a primary snapshot) and the objects of the state updates it applied, so
// every (id, version) in it is one the primary's history holds with the same contents. Over it
// a bounded speculative overlay of its own writes (lazy update). Reads see the overlay first.
//
// Invariants: the store's object versions only increase; caught_up_commit() advances only on
// complete state updates; the overlay stays within its bounds. A crash loses nothing the
// protocol needs: the driver discards the engine and builds a new one from genesis or a
// snapshot (its results then miss until it is caught up; the primary's output never depends on
// them).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "executor/exec/execute.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/messages.h"
#include "executor/protocol/ordered_replay.h"
#include "executor/protocol/parallel_reexec.h"
#include "executor/protocol/recent_txs.h"
#include "executor/protocol/speculative_overlay.h"
#include "executor/sequential/store_state.h"
#include "executor/tx/transaction.h"
#include "storage/store.h"

namespace remora::executor::protocol {

struct PreExecutorOptions {
    std::size_t overlay_entries_max = limits::kOverlayEntriesDefault;  // >= 1
    std::size_t overlay_bytes_max = limits::kOverlayBytesDefault;      // >= 1
    // execute_or_hold(): at most this many held transactions (the oldest runs when a new one
    // would pass the bound); 0 never holds.
    std::size_t held_txs_max = limits::kHeldTxsDefault;
    // A held transaction runs anyway once this many state updates were applied since it was
    // held (>= 1).
    std::uint32_t hold_updates_max = limits::kHoldUpdatesDefault;
    // Convergence (docs/remora_protocol.md, "Convergence: the tentative order"): remember
    // effects and own results, place them by learn_order(), and re-execute own results whose
    // reads the order contradicts. Off: learn_order() only counts.
    bool ordered_replay = false;
    std::uint32_t replays_per_tx_max = limits::kReplaysPerTxDefault;  // superseding results
    std::size_t ordered_txs_max = limits::kOrderedTxsDefault;         // >= 1
    // execute_batch(): threads that speculate a batch (the caller's among them), 1..256; 1
    // executes batches one transaction at a time.
    std::size_t exec_threads = 1;
    // Tests only: != 0 speculates batches in seeded random schedules (ParallelReexec).
    std::uint64_t exec_schedule_seed = 0;
};

struct PreExecutorCounters {
    std::uint64_t executed = 0;           // results produced
    std::uint64_t speculative_reads = 0;  // reads served by the overlay
    std::uint64_t overlay_evictions = 0;
    std::uint64_t overlay_entries = 0;  // now
    std::uint64_t updates_applied = 0;
    std::uint64_t update_objects_written = 0;  // objects and tombstones newer than the store's
    std::uint64_t overlay_dropped = 0;         // overlay entries superseded by updates
    std::uint64_t held = 0;                    // transactions execute_or_hold() held
    std::uint64_t released_ready = 0;          // held ones that ran once their inputs had arrived
    std::uint64_t released_unready = 0;        // held ones that ran anyway (a bound)
    std::uint64_t held_now = 0;
    std::uint64_t fences = 0;                 // handoff fences set (fence())
    std::uint64_t fenced = 0;                 // transactions held by a fence
    std::uint64_t fences_expired = 0;         // fences dropped by the hold_updates_max bound
    std::uint64_t peer_objects = 0;           // objects apply_peer_effects() put in the overlay
    std::uint64_t peer_forwards_refused = 0;  // forwards whose contents missed their digest
    ReplayCounters replay;                    // the tentative order (ordered_replay.h)
    // execute_batch() with exec_threads > 1: batches speculated, and what came of their
    // speculations (validated ones were taken as results, the rest executed in turn).
    std::uint64_t batches = 0;
    ParallelReexecCounters parallel;

    bool operator==(const PreExecutorCounters&) const = default;
};

class PreExecutor {
public:
    // Bootstraps an empty read-write `store` with `genesis` as commits 1..G, exactly as the
    // primary's genesis (SequentialExecutor::commit_genesis). Caught up to commit G (1 unless
    // genesis is larger than one part).
    static common::Result<std::unique_ptr<PreExecutor>> from_genesis(
        PreExecutorId id, std::unique_ptr<storage::Store> store, std::span<const Object> genesis,
        const std::string& workload, const PreExecutorOptions& options = {});

    // Takes over a read-write `store` that holds primary-confirmed state: a restored primary
    // snapshot (caught up to its applied commit), or a store this engine wrote (caught up to
    // the commit its last state update named).
    static common::Result<std::unique_ptr<PreExecutor>> from_store(
        PreExecutorId id, std::unique_ptr<storage::Store> store,
        const PreExecutorOptions& options = {});

    PreExecutor(const PreExecutor&) = delete;
    PreExecutor& operator=(const PreExecutor&) = delete;

    // Executes `tx` (an ExecuteTransaction's executable) against overlay + store, in arrival
    // order: authenticators are verified, the full lookup table recorded. A successful
    // transaction's writes go to the overlay. Errors: the store failed, or `tx` breaks
    // validate_transaction; nothing changes then.
    // `hints`: a lookup table for `tx` whose Verified authenticators need not be checked again
    // (ExecutionOptions::hints): a driver that verifies signatures on worker threads while
    // execution stays in arrival order passes their outcome here. nullptr verifies here.
    common::Result<PreExecResult> execute(const Transaction& tx,
                                          const LookupTable* hints = nullptr);

    // As execute() on each of `txs` in order, and with the same outcomes: results[i] is what
    // execute(txs[i], hints[i]) would return after the earlier ones, and the overlay, the
    // ordered-replay state and the counters (but `batches` and `parallel`) end as they would.
    // With exec_threads > 1 the batch is first speculated on a pool against the view as it is
    // now (confirmed store plus overlay, which nothing changes meanwhile); then, in order, a
    // transaction's speculative result is taken only when every read it made finds the same
    // (exists, version) in the view at its turn and every speculative write it read was taken
    // (ParallelReexec's validation rule), and is executed in turn otherwise
    // (docs/remora_protocol.md, "Parallel execution in the pre-executor"). `hints`: empty, or
    // one table (or nullptr) per transaction, as execute()'s. Holding and fences are not applied
    // (execute_or_hold() and execute_or_hold_batch() do).
    std::vector<common::Result<PreExecResult>> execute_batch(
        std::span<const Transaction> txs, std::span<const LookupTable* const> hints = {});

    // As execute(), unless `tx` must wait: it declares an owned input that this pre-executor
    // holds at an older version or not at all (a transaction routed elsewhere produced it, and
    // no state update has brought it yet), or it declares an input of a transaction already
    // held. Executing it then would record an abort the primary will not see and fork the
    // pre-executor's speculative history of the objects it shares with later transactions
    // (docs/remora_protocol.md, "Held transactions"). A held transaction gives nullopt; it runs,
    // in arrival order, when apply_state_update() brings its inputs, or anyway after
    // hold_updates_max updates or when held_txs_max newer ones push it out. take_released()
    // returns the results of those that ran.
    common::Result<std::optional<PreExecResult>> execute_or_hold(
        const Transaction& tx, const LookupTable* hints = nullptr);

    // As execute_or_hold() on each of `txs` in order: results[i] is nullopt for a transaction
    // held. The transactions not held run as execute_batch() runs (`speculate`) or one at a
    // time through execute(). Whether a transaction waits is decided on the state before the
    // run of not-held transactions ahead of it executes; when that says "wait", the run is
    // executed first and the decision made again, so a transaction waits exactly when the
    // one-by-one path would have held it (a run only brings inputs and lifts fences, never
    // takes them away; docs/remora_protocol.md, "Held transactions"). `hints` as
    // execute_batch()'s.
    std::vector<common::Result<std::optional<PreExecResult>>> execute_or_hold_batch(
        std::span<const Transaction> txs, std::span<const LookupTable* const> hints,
        bool speculate);
    // Peer forwarding: another pre-executor's speculative effects (`claimed_digest` as that
    // pre-executor says it computed it). Their written and created objects enter the overlay where
    // their version is higher than what this pre-executor has (an aborted transaction changes
    // nothing; deletions are not taken: a missing object only costs a miss); then held
    // transactions they make ready run (take_released()). Like its own speculative writes,
    // what it reads from them is adopted only if their writer commits with exactly these
    // effects, so a wrong or forged forward costs misses, never a wrong adoption. Returns how
    // many objects entered the overlay; kInvalidArgument (nothing taken) for effects that
    // break validate_effects, kCorruption (nothing taken) when the effects' digest, computed
    // here, is not `claimed_digest`: the overlay never holds a digest it did not compute.
    common::Result<std::size_t> apply_peer_effects(const Effects& effects,
                                                   const common::Digest& claimed_digest);

    // A handoff fence (docs/remora_protocol.md, "The handoff fence"): the group of `object` moved
    // here from another pre-executor, whose last transaction on it is `writer`. Until this
    // pre-executor has seen `writer`'s effects (its own execution or a forward),
    // execute_or_hold() holds every transaction that declares `object`, so the moved group's
    // chain continues from where the old pre-executor's ends instead of forking from an older
    // version. The fence lifts when the effects come (the held transactions then run, in
    // arrival order) or, to bound the wait, after hold_updates_max state updates. No effect
    // when the writer's effects were seen already or holding is off (held_txs_max 0). Any
    // fence, right or wrong, only delays results: adopting still takes the adopt rule.
    void fence(const ObjectId& object, const common::Digest& writer);

    // The sequencer's order of a batch it cut (ordered_replay.h). With ordered_replay, own
    // results whose reads that order contradicts are re-executed at their position and their
    // replacements (a higher revision) queued for take_released(); later transactions execute at
    // their position. Errors: the store failed. A digest named twice keeps its last position.
    common::Status learn_order(const TentativeOrder& order);

    // Re-checks, in order, the own results that orders, forwards and updates marked since the
    // last call, re-executing those the ordered state contradicts, at most `budget` of them;
    // their replacements go to take_released(). Returns how many were re-executed. A driver
    // calls it when the pre-executor has nothing else to do (changes that arrive meanwhile then
    // cost one re-execution, not one each).
    common::Result<std::size_t> replay_pending(std::size_t budget);
    bool replays_pending() const { return !m_dirty.empty(); }

    // The results of held transactions that ran since the last call, and the replacements of
    // re-executed ones, in the order they were produced.
    std::vector<PreExecResult> take_released();
    std::size_t held() const { return m_held.size(); }

    // Applies a state update for this pre-executor: writes the objects and tombstones newer
    // than the store's (older or repeated ones are harmless and skipped) as one store commit,
    // drops overlay entries the update supersedes (version <= the confirmed one), and, when the
    // update is a complete catch-up, advances caught_up_commit() to its to_commit (a routed
    // update never does); then runs the held transactions it made ready (take_released()).
    // Returns the ack to send. kInvalidArgument when the update names another pre-executor or
    // is inconsistent (an unknown kind, a complete routed update).
    common::Result<StateUpdateAck> apply_state_update(const StateUpdate& update);

    PreExecutorId id() const { return m_id; }
    common::CommitIndex caught_up_commit() const { return m_caught_up_commit; }
    PreExecutorCounters counters() const;
    storage::Store& store() { return *m_store; }
    const SpeculativeOverlay& overlay() const { return m_overlay; }

private:
    PreExecutor(PreExecutorId id, std::unique_ptr<storage::Store> store,
                common::CommitIndex caught_up, const PreExecutorOptions& options);

    struct Held {
        Transaction tx;
        std::optional<LookupTable> hints;
        std::uint64_t held_at_update = 0;  // m_counters.updates_applied when it was held
    };
    // True when an owned input of `tx` is missing or older than declared here, or a fence
    // stands on one of its inputs.
    common::Result<bool> lacks_input(const Transaction& tx);
    // Whether execute_or_hold() holds `tx` now; `count` counts a fence that holds it.
    common::Result<bool> must_hold(const Transaction& tx, bool count);
    // Holds `tx` (making room by running the oldest held one at the bound).
    common::Status hold(const Transaction& tx, const LookupTable* hints);
    // Whether a fence stands on an input of `tx` (expired fences are dropped here).
    bool fenced(const Transaction& tx);
    // `tx`'s effects are here: the fences waiting for them lift. True when one did.
    bool note_seen(const common::Digest& tx);
    common::Status run_held(const Held& held, bool ready);
    common::Status release_ready();
    // True when `effects` write or create an object that a held transaction declares.
    bool declares_held_input(const Effects& effects) const;
    // Ordered replay: marks the own results at `candidates` for replay_pending(), and heals the
    // overlay where the order changed it.
    common::Status revalidate(const std::set<OrderPosition>& candidates,
                              const std::vector<ObjectId>& changed);
    common::Result<bool> contradicted(const OrderedReplay::Own& own, const OrderPosition& at);
    void heal(const std::vector<ObjectId>& changed);
    template <typename View>
    common::Result<PreExecResult> run_in(View& view, const Transaction& tx,
                                         const LookupTable* hints);
    // execute_batch() of a run in which no transaction's order is known: speculated, then
    // taken in order; appends one result per transaction to `results`.
    void execute_run(std::span<const Transaction> txs, std::span<const LookupTable* const> hints,
                     std::vector<common::Result<PreExecResult>>& results);
    // A result of `executed` whose overlay reads were `speculative` (counted as executed).
    PreExecResult make_result(ExecutionResult executed,
                              const std::vector<SpeculativeRead>& speculative);
    // What execute() does once `tx` has executed into `result`: the overlay, fences and the
    // tentative order's bookkeeping.
    common::Status finish(const Transaction& tx, const LookupTable* hints,
                          const common::Digest& tx_digest,
                          const std::optional<OrderPosition>& position, PreExecResult& result);

    PreExecutorId m_id;
    PreExecutorOptions m_options;
    std::deque<Held> m_held;
    std::multiset<ObjectId> m_held_inputs;  // declared inputs of m_held
    std::vector<PreExecResult> m_released;
    struct Fence {
        common::Digest writer;
        std::uint64_t set_at_update = 0;  // m_counters.updates_applied when it was set
    };
    std::map<ObjectId, Fence> m_fences;
    RecentTxs m_seen;  // transactions whose effects this pre-executor has seen (fences)
    std::unique_ptr<storage::Store> m_store;
    StoreState m_confirmed;
    SpeculativeOverlay m_overlay;
    OrderedReplay m_replay;
    std::unique_ptr<ParallelReexec> m_parallel;  // exec_threads > 1
    std::set<OrderPosition> m_dirty;             // own ordered results to re-check (replay_pending)
    common::CommitIndex m_caught_up_commit;
    PreExecutorCounters m_counters;
};

// The body of a store commit that applied a state update: the domain tag
// "remora/pre-executor/update/v1" then BE64(to_commit). Lets from_store() find how far a
// pre-executor's own store is caught up.
common::Bytes encode_update_marker(common::CommitIndex to_commit);
// nullopt when `body` is not such a marker (e.g. a primary commit body).
std::optional<common::CommitIndex> decode_update_marker(common::ByteView body);

}  // namespace remora::executor::protocol
