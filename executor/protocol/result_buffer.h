#pragma once
// The primary's buffer of pre-executed results waiting for their transactions to be ordered,
// keyed by transaction digest (docs/design.md §3). Bounded three ways: transactions buffered (the
// oldest is dropped when full), results per transaction (one per pre-executor, the newest
// replacing an older one), and age (a transaction not ordered within `ttl_commits` commits of
// its first result expires). A transaction's entry also remembers where the driver routed it, so
// a missing result can be charged to that pre-executor.
//
// Invariant: entries are ordered by first arrival, and their arrival commits never decrease
// in that order, so expiry and eviction only ever look at the oldest entries.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "executor/protocol/messages.h"

namespace remora::executor::protocol {

struct BufferedTx {
    std::vector<PreExecResult> results;  // arrival order, at most one per pre-executor
    std::optional<PreExecutorId> routed_to;
    CommitIndex arrived_after = 0;  // the primary's applied commit at the first arrival
    std::uint64_t sequence = 0;
};

enum class BufferOutcome : std::uint8_t {
    kBuffered,        // the first result of this pre-executor for the transaction
    kReplaced,        // replaced this pre-executor's earlier result for the transaction
    kOutdated,        // this pre-executor already sent a newer revision: dropped
    kTooManyResults,  // limits::kResultsPerTxMax other pre-executors already sent one: dropped
};

struct ResultBufferCounters {
    std::uint64_t dropped_full = 0;  // results dropped with the oldest entry of a full buffer
    std::uint64_t expired = 0;       // results whose transaction was not ordered in time
};

class ResultBuffer {
public:
    // REQUIRES: txs_max >= 1, ttl_commits >= 1.
    ResultBuffer(std::size_t txs_max, std::uint64_t ttl_commits);

    // REQUIRES: validate_pre_exec_result(result) is ok. `now`: the primary's applied commit.
    BufferOutcome add(PreExecResult result, CommitIndex now);
    void note_routed(const Digest& tx, PreExecutorId id, CommitIndex now);

    const BufferedTx* find(const Digest& tx) const;
    // Removes and returns the entry of `tx` (when it is ordered).
    std::optional<BufferedTx> take(const Digest& tx);
    // Drops entries that arrived `ttl_commits` or more commits before `now`.
    void expire(CommitIndex now);

    std::size_t size() const { return m_entries.size(); }
    const ResultBufferCounters& counters() const { return m_counters; }

private:
    BufferedTx& entry_for(const Digest& tx, CommitIndex now);
    // The oldest live entry, dropping the order's stale slots in front of it; end() when empty.
    std::map<Digest, BufferedTx>::iterator oldest();

    std::size_t m_txs_max;
    std::uint64_t m_ttl_commits;
    std::map<Digest, BufferedTx> m_entries;
    // Nodes of taken entries, reused by the next new entries: each ordered transaction would
    // otherwise cost a node's allocation and release (at most kSpareNodesMax are kept).
    std::vector<std::map<Digest, BufferedTx>::node_type> m_spare;
    // (sequence, digest) of every entry in arrival order, oldest first. A taken entry leaves a
    // stale slot (no entry of that digest with that sequence) that is dropped when it reaches
    // the front, or when stale slots outnumber the live ones (so it stays O(entries)).
    std::deque<std::pair<std::uint64_t, Digest>> m_order;
    std::uint64_t m_next_sequence = 0;
    ResultBufferCounters m_counters;
};

}  // namespace remora::executor::protocol
