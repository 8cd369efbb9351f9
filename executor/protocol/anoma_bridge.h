#pragma once
// The protocol's values in Anoma's vocabulary (executor/tx/anoma.h): what the primary sends the
// curator and the issuer of each ordered transaction, a transaction's outputs as KVSWrites, and
// a state update as KVSReads. The conversions are one for one and lose nothing the receiver
// needs (messages.h describes the mapping).

#include <vector>

#include "executor/protocol/messages.h"
#include "executor/tx/anoma.h"

namespace remora::executor::protocol {

// The timestamp of transaction `index_in_commit` of commit `commit`.
inline TxFingerprint fingerprint(CommitIndex commit, std::uint32_t index_in_commit) {
    return TxFingerprint{commit, index_in_commit};
}

// To the curator: the outcome of one ordered transaction. `digest` is effects_digest(effects).
ExecutorFinished executor_finished(const Effects& effects, const Digest& digest,
                                   TxFingerprint timestamp);

// To the issuer: the same with the full status (abort value and detail).
ExecutionSummary execution_summary(const Effects& effects, const Digest& digest,
                                   TxFingerprint timestamp);

// The outputs of one transaction: one KVSWrite per written, created (the object) and deleted
// (no data, the tombstone's version) object, in that order, each list by ascending id. Aborted
// effects have none.
std::vector<KvsWrite> kvs_writes(const Effects& effects, TxFingerprint timestamp);

// A state update as the reads the state delivers: one KVSRead per object and per tombstone, by
// ascending id, at the timestamp {to_commit + 1, 0} (the first transaction that sees them).
std::vector<KvsRead> kvs_reads(const StateUpdate& update);

}  // namespace remora::executor::protocol
