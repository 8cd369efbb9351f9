#pragma once
// The messages between the Remora engines (docs/design.md §3) as plain values; their wire form
// (FlatBuffers) comes with the network work. docs/remora_protocol.md describes the protocol.
//
// How they map onto the Anoma executor interface (executor/tx/anoma.h; anoma_bridge.h holds the
// conversions, one for one):
//  - a pre-executor is sent an ExecuteTransaction and executes its `executable`;
//  - a PreExecResult carries the transaction's outputs (its effects: the KVSWrites) and the
//    lookup table, whose declared reads are the eager reads of the label (KVSReads);
//  - the primary sends one ExecutorFinished per ordered transaction to the curator (the commit
//    pipeline) and one ExecutionSummary to the issuer;
//  - a StateUpdate is the state delivering data to a pre-executor: one KVSRead per object or
//    tombstone, at the timestamp of the first transaction after `to_commit`.

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/sequential/identity.h"
#include "executor/tx/effects.h"
#include "executor/tx/lookup_table.h"

namespace remora::executor::protocol {

using common::CommitIndex;
using common::Digest;

// Names a pre-executor within one cluster (assigned by the operator or the driver).
using PreExecutorId = std::uint32_t;

// A read that a pre-executor served from its own speculative writes (not yet confirmed by the
// primary). A version number names one object only within one history: another transaction,
// ordered first by consensus, may have produced the same (id, version) with other contents. So
// the primary adopts a result with such a read only when `writer_tx` is committed with exactly
// these effects (docs/remora_protocol.md, "Why adopting is safe").
struct SpeculativeRead {
    ObjectId id;
    Version version = 0;    // as recorded in the table's read of `id`
    Digest writer_tx;       // the transaction whose effects produced what was read
    Digest writer_effects;  // effects_digest of those effects, as the pre-executor computed them

    bool operator==(const SpeculativeRead&) const = default;
};

// Pre-executor -> primary: one executed transaction (docs/design.md §3, step 4).
struct PreExecResult {
    PreExecutorId pre_executor = 0;
    Digest tx_digest;
    Effects effects;
    LookupTable table;
    // The last primary commit whose state the pre-executor's confirmed store reflects (its
    // acknowledged commit, which the primary also learns from here).
    CommitIndex caught_up_commit = 0;
    // The reads of `table` that were served from speculative writes, ascending ids.
    std::vector<SpeculativeRead> speculative_reads;
    // The identity of the executor that produced it (identity.h). The primary adopts a result,
    // or takes its table as hints, only under its own identity.
    ExecutorIdentity executor = executor_identity();
    // 0 for this pre-executor's first result of the transaction, one more for each result that
    // supersedes it (re-executed in the tentative order, docs/remora_protocol.md). The primary
    // keeps the highest revision per transaction and pre-executor.
    std::uint32_t revision = 0;

    bool operator==(const PreExecResult&) const = default;
};

// Self-consistency of a result (kInvalidArgument naming the problem): the digests of effects
// and table are tx_digest; the effects and table pass their validators; changed objects carry
// output_version(table) (the version rule); every speculative read is a read of the table at
// the same version, ids strictly ascending. It cannot tell a lie from the truth: a result that
// passes may still be stale, which the primary's adopt check decides.
common::Status validate_pre_exec_result(const PreExecResult& result);

// What a state update covers.
enum class StateUpdateKind : std::uint8_t {
    // Every object changed after the pre-executor's acknowledged commit (the miss-threshold
    // push, and the catch-up of a joining pre-executor). A complete one advances the
    // pre-executor's caught-up commit.
    kCatchUp = 0,
    // Pushed after every commit: the objects that commit changed which the load balancer will
    // route their next reader to this pre-executor for, when another node produced them (or
    // the primary re-executed them). Never complete: it names no caught-up commit.
    kRouted = 1,
};

// Primary -> pre-executor: objects the primary committed, at their versions as of to_commit.
struct StateUpdate {
    PreExecutorId pre_executor = 0;
    StateUpdateKind kind = StateUpdateKind::kCatchUp;
    CommitIndex from_commit = 0;  // changes after this commit ...
    CommitIndex to_commit = 0;    // ... up to and including this one (the primary's last)
    // kCatchUp: every object changed in (from_commit, to_commit] is here. False when a bound
    // cut the update: it then holds the most recently changed objects only, the pre-executor
    // does not advance its acknowledged commit, and the driver should rebuild it from a
    // snapshot. Always false for kRouted.
    bool complete = true;
    std::vector<Object> objects;            // newest versions as of to_commit, ascending ids
    std::vector<DeletedObject> tombstones;  // deletions as of to_commit, ascending ids
    // Estimated wire size (state_update_bytes), filled in by the primary for the benchmark.
    std::uint64_t encoded_bytes = 0;

    bool operator==(const StateUpdate&) const = default;
};

// Estimated wire size: a fixed header, each object's encoded size (encode_object) and a fixed
// size per tombstone (limits.h). Exact up to the FlatBuffers framing of the envelope.
std::uint64_t state_update_bytes(const StateUpdate& update);

// Pre-executor -> primary: the state it has applied (after a state update, or on joining).
struct StateUpdateAck {
    PreExecutorId pre_executor = 0;
    CommitIndex caught_up_commit = 0;

    bool operator==(const StateUpdateAck&) const = default;
};

}  // namespace remora::executor::protocol
