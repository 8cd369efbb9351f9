#pragma once
// The executor's record of a commit (the body of the store's commit record): the ordered
// transactions exactly as executed, each with the effects it produced. Genesis is commit 1: it
// carries no transactions, and the whole initial state so that replays need nothing else.

#include <span>
#include <vector>

#include "common/status.h"
#include "executor/tx/effects.h"
#include "executor/tx/transaction.h"

namespace remora::executor {

inline constexpr std::uint32_t kCommitBodyFormatVersion = 1;

struct CommittedTx {
    Transaction transaction;
    Effects effects;
};

struct CommitBody {
    bool genesis = false;
    std::string genesis_workload;        // informational
    std::vector<Object> genesis_objects;  // genesis only: the whole initial state
    std::vector<CommittedTx> transactions;
};

common::Bytes encode_commit_body(const CommitBody& body);
// The same bytes as encode_commit_body of a non-genesis body holding transactions[i] with
// effects[i], without copying them into one. REQUIRES: equal sizes.
common::Bytes encode_commit_body(std::span<const Transaction* const> transactions,
                                 std::span<const Effects> effects);
// Verifies the buffer and every nested transaction and effects; kCorruption names the entry.
common::Result<CommitBody> decode_commit_body(common::ByteView bytes);

}  // namespace remora::executor
