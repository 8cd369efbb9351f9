#pragma once
// Parallel re-execution of the primary's misses (docs/remora_protocol.md, "Parallel
// re-execution of misses"): a Block-STM-lite engine. Before the primary decides a commit, the
// transactions that will certainly be re-executed (no buffered result) are executed
// speculatively on a pool of threads; then, as the primary decides each one in commit order, its
// speculative result is validated against the primary's view at that point and taken only when
// it provably equals what a sequential execution would give there. Otherwise the primary
// re-executes the transaction sequentially, as it always did. A pre-executor speculates its
// batches with the same engine (PreExecutor::execute_batch), against its overlay and store; the
// argument below holds there while each id's version in its view only rises (see there).
//
// Speculation. A transaction runs against the commit's start state with the writes of the
// earlier speculated transactions that have finished layered over it (a multi-version memory:
// for each id, the newest write by a lower position). Scheduling uses the declared inputs: a
// transaction starts only after the latest earlier candidate declaring one of the same inputs
// has finished, so transactions on disjoint inputs run together and a chain on one hot object
// runs in order (and validates). Every read (read and read_version) is recorded with its
// answer's (exists, version) and its source: the start state or candidate k's speculative
// write.
//
// Validation (in commit order, on the primary's thread). A speculative result is valid when
// every recorded read finds the same (exists, version) in the primary's view, and every read
// taken from candidate k's speculative write has k's speculative result taken as its final
// effects. Why that is enough: execute_transaction is a deterministic function of the
// transaction and the objects it reads (with no hints, as a transaction without results is
// re-executed); versions of one id strictly increase along the committed sequence, so an equal
// (exists, version) is the same object when it comes from the start state or from a committed
// write; and a speculative write matches a committed one only when its writer's speculative
// effects were committed (a writer that read stale state may produce the same version with
// other contents, so the version alone does not decide).
//
// Thread safety: speculate() reads `base` from several threads but only under one mutex (the
// store's read path, its latest-version cache included, is single-threaded), memoising every
// object read so that a hot object is read and decoded once per commit. Nothing else is shared
// with the caller: the primary's thread is inside speculate() while the workers run, and
// take_valid() runs on that thread alone.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <thread>
#include <vector>

#include "common/status.h"
#include "executor/exec/state.h"
#include "executor/tx/effects.h"
#include "executor/tx/lookup_table.h"
#include "executor/tx/transaction.h"

namespace remora::executor::protocol {

// One read a speculative execution made.
struct SpeculativeReadRecord {
    static constexpr std::int64_t kStartState = -1;
    ObjectId id;
    VersionLookup seen;
    std::int64_t source = kStartState;  // or the writer's position in the commit
};

// What to speculate at one position of the commit.
struct SpeculationRequest {
    static constexpr std::size_t kNoHints = ~std::size_t{0};
    bool wanted = false;
    // The lookup table the sequential re-execution would take hints from (ExecutionOptions),
    // or nullptr; `hints_id` names it to take_valid() (the caller's index of that result).
    const LookupTable* hints = nullptr;
    std::size_t hints_id = kNoHints;
};

// A transaction's speculative execution, valid or not.
struct Speculation {
    std::size_t hints_id = SpeculationRequest::kNoHints;
    Effects effects;
    common::Digest effects_digest;
    std::vector<SpeculativeReadRecord> reads;
    LookupTable table;  // the lookup table the execution recorded (a pre-executor's result)
    std::size_t authenticators_skipped = 0;
    std::size_t precompiles_replayed = 0;
};

struct ParallelReexecCounters {
    std::uint64_t speculated = 0;  // candidates executed speculatively
    std::uint64_t validated = 0;   // speculative results taken as the final effects
    std::uint64_t conflicts = 0;   // asked for and invalid: re-executed sequentially
    std::uint64_t failed = 0;      // speculation returned an error (re-executed sequentially)
    std::uint64_t unused = 0;      // not asked for, or asked for with other hints

    bool operator==(const ParallelReexecCounters&) const = default;
};

class ParallelReexec {
public:
    // `threads` >= 2 (the caller's thread is one of them). `schedule_seed` != 0 is for tests:
    // the declared-input dependencies are dropped at random and ready transactions start in a
    // seeded random order, so speculation reads stale state often and validation must catch it.
    explicit ParallelReexec(std::size_t threads, std::uint64_t schedule_seed = 0);
    ~ParallelReexec();
    ParallelReexec(const ParallelReexec&) = delete;
    ParallelReexec& operator=(const ParallelReexec&) = delete;

    // Speculates txs[i] for every i with requests[i].wanted (with its hints), against `base`
    // (the commit's state at its start), on the pool; returns when all have finished. Forgets
    // the previous commit's speculations. REQUIRES: requests.size() == txs.size(); `txs`,
    // `base` and the hints stay alive and unchanged until the next speculate() or clear().
    void speculate(std::span<const Transaction> txs,
                   const std::vector<SpeculationRequest>& requests, StateReader& base);

    // The speculative result of position `index`, moved out, when it was made with the hints
    // `hints_id` names and is valid against `view` (the primary's view where that
    // transaction's turn has come, every earlier position decided); nullopt otherwise. Errors:
    // `view`'s read errors. REQUIRES: called at most once per position, in increasing positions.
    common::Result<std::optional<Speculation>> take_valid(
        std::size_t index, StateReader& view, std::size_t hints_id = SpeculationRequest::kNoHints);

    // Forgets the speculations (the caller's commit is done or abandoned).
    void clear();

    const ParallelReexecCounters& counters() const { return m_counters; }
    std::size_t threads() const { return m_workers.size() + 1; }

private:
    class Reader;
    struct Commit;

    void worker_loop();
    // Runs ready tasks until none is left in the current commit.
    void run_tasks(Commit& commit);
    void execute_task(Commit& commit, std::size_t task);

    std::uint64_t m_schedule_seed;
    std::vector<std::thread> m_workers;
    std::mutex m_mutex;  // guards m_commit, m_generation, m_stop and the commit's schedule
    std::condition_variable m_wake;
    std::unique_ptr<Commit> m_commit;
    std::uint64_t m_generation = 0;
    bool m_stop = false;
    ParallelReexecCounters m_counters;
};

}  // namespace remora::executor::protocol
