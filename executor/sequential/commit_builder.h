#pragma once
// One commit, built and persisted the way the sequential reference persists it, whoever decides
// each transaction's effects: the sequential executor executes every transaction, the Remora
// primary adopts some pre-computed effects and re-executes the rest. Both go through this class,
// so equal effects in equal order give byte-identical store commits (the same object writes,
// commit body and transaction index).
//
// Invariant: view() is the store as of the last persisted commit with the effects added so far
// layered over it, in order: what the next transaction of the commit must see.

#include <optional>
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

#include "executor/exec/state_overlay.h"
#include "executor/sequential/commit_body.h"
#include "executor/sequential/identity.h"
#include "executor/sequential/store_state.h"
#include "storage/store.h"

namespace remora::executor {

struct CommitOutcome {
    common::CommitIndex index = 0;
    std::vector<Effects> effects;  // one per transaction, in order
    common::Digest state_digest;   // after the commit
};

class CommitBuilder {
public:
    // REQUIRES: `store` is open read-write, outlives this object, and nobody else writes it
    // before finish(); rules_version_known(identity.rules_version). The commit is built under
    // `identity`'s rules and records it in its body.
    explicit CommitBuilder(storage::Store& store,
                           const ExecutorIdentity& identity = executor_identity());
    CommitBuilder(const CommitBuilder&) = delete;
    CommitBuilder& operator=(const CommitBuilder&) = delete;

    // kInvalidArgument when the store has no genesis commit (nothing can be built on it).
    static common::Status require_genesis(const storage::Store& store);

    // The state the next transaction sees.
    StateReader& view() { return m_overlay; }
    common::CommitIndex index() const { return m_outcome.index; }
    std::size_t size() const { return m_transactions.size(); }

    // The commit-level rules (docs/execution.md, "Replays and expiry"; rules version 2 on):
    // the effects `tx` (whose digest is `digest`) gets without executing, or nullopt when it
    // must be executed. Expired: an expiry before this commit, or past kExpiryHorizonCommits
    // after it. Duplicate: its digest was executed before, in an earlier commit (the store's
    // transaction index) or earlier in this one. Both paths that build commits ask this first,
    // so they decide alike. Errors: the store's read errors.
    common::Result<std::optional<Effects>> ruled_outcome(const Transaction& tx,
                                                         const common::Digest& digest);

    // Reads the transaction index entries of `digests` (the commit's ordered transactions) with
    // one store lookup, so that ruled_outcome() of each of them asks the store nothing. Only a
    // speed-up: ruled_outcome() answers the same with or without it. Errors: the store's.
    common::Status prefetch_index(std::span<const common::Digest> digests);

    // Room for `transactions` more transactions, so that add() does not grow its vectors.
    void reserve(std::size_t transactions);

    // Appends the next transaction with its effects (already normalized, as execute_transaction
    // returns them) and layers the effects over the view. REQUIRES: finish() not called yet;
    // `tx` stays alive and unchanged until finish() returns (it is encoded then, not copied).
    void add(const Transaction& tx, Effects effects);

    // The effects added at position `i`. They stay at the same address until the outcome that
    // finish() returns is destroyed (finish() moves the vector, not its elements), so another
    // thread may read them meanwhile. REQUIRES: i < size().
    const Effects& added(std::size_t i) const { return m_outcome.effects[i]; }

    // Persists the commit as one store commit and returns its outcome. REQUIRES: called once.
    common::Result<CommitOutcome> finish();

    // After a successful finish(): what the store commit wrote (id, version, tombstone), sorted
    // by id. The Remora primary keeps these to build state updates.
    const std::vector<storage::ObjectRef>& written() const { return m_written; }

private:
    // The commit that indexed `digest` before this one (prefetched or asked now), or nullopt.
    common::Result<std::optional<common::CommitIndex>> indexed_commit(const common::Digest& digest);

    storage::Store& m_store;
    StoreState m_base;
    StateOverlay m_overlay;
    const ExecutorIdentity& m_identity;
    std::vector<const Transaction*> m_transactions;  // the callers', encoded by finish()
    // Rules version 2 on: which transactions enter the transaction index (those executed; a
    // rejected signature, a duplicate or an expired one is not), and their digests.
    std::vector<bool> m_indexed;
    std::unordered_set<common::Digest, common::KeyedHash256> m_executed_here;
    // prefetch_index()'s answers, sorted by digest.
    std::vector<std::pair<common::Digest, std::optional<common::CommitIndex>>> m_prefetched;
    CommitOutcome m_outcome;
    std::vector<storage::ObjectRef> m_written;
    bool m_finished = false;
};

// The store writes that turn `changes` (an overlay's changes, ordered by id) into stored state.
// Every change is written, deletions as tombstones, so that the store's newest version of an id
// is the highest version any commit gave it: the version rule then never issues a version twice,
// and an (id, version) pair names one content forever (docs/storage_format.md, "Tombstones").
// Under rules version 1 (kRulesV1, kept to replay old commits) a tombstone for an id that is not
// live in `base` (created and deleted inside the commit) was dropped.
common::Result<std::vector<storage::ObjectWrite>> writes_for_changes(
    std::span<const StateOverlay::Change* const> changes, StateReader& base,
    std::uint32_t rules_version = kRulesCurrent);

}  // namespace remora::executor
