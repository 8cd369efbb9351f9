#pragma once
// The executor's record of a commit (the body of the store's commit record): the ordered
// transactions exactly as executed, each with the effects it produced. Genesis is commit 1, or
// commits 1..G when it is cut into parts (executor/exec/genesis_source.h): they carry no
// transactions, and together the whole initial state so that replays need nothing else.

#include <span>
#include <vector>

#include "common/status.h"
#include "executor/sequential/identity.h"
#include "executor/tx/effects.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

// Format 2 records the executor identity the commit was executed under; a format-1 body
// (written before identities existed) decodes as executed under rules version 1.
inline constexpr std::uint32_t kCommitBodyFormatVersion = 2;
inline constexpr std::uint32_t kCommitBodyFormatV1 = 1;

struct CommittedTx {
    Transaction transaction;
    Effects effects;
};

struct CommitBody {
    bool genesis = false;
    std::string genesis_workload;         // informational
    std::vector<Object> genesis_objects;  // genesis only: the whole initial state
    std::vector<CommittedTx> transactions;
    ExecutorIdentity identity = executor_identity();  // what the commit was executed under
};

common::Bytes encode_commit_body(const CommitBody& body);
// The same bytes as encode_commit_body of a non-genesis body holding transactions[i] with
// effects[i] executed under `identity`, without copying them into one. REQUIRES: equal sizes.
common::Bytes encode_commit_body(std::span<const Transaction* const> transactions,
                                 std::span<const Effects> effects,
                                 const ExecutorIdentity& identity);
// Verifies the buffer and every nested transaction and effects; kCorruption names the entry.
// A format-1 body gets identity executor_identity(kRulesV1); a format-2 body names a rules
// version this build may not know (replay checks it); other formats are kFormatVersion.
common::Result<CommitBody> decode_commit_body(common::ByteView bytes);

}  // namespace remora::executor
