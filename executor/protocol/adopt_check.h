#pragma once
// The primary's merge decision for one ordered transaction and one pre-executed result
// (docs/design.md §3, "Primary merge"; docs/remora_protocol.md, "The adopt rule").
//
// A result is adopted when every read of its table (declared and dynamic, absent ones too)
// finds the same (exists, version) in the primary's current view, and every read it took from
// the pre-executor's speculative writes names a writer committed with exactly the effects the
// pre-executor assumed. Since execute_transaction is deterministic in the transaction and the
// (id, version) pairs it reads, re-executing would then give the same effects.

#include <optional>

#include "common/status.h"
#include "executor/exec/state.h"
#include "executor/protocol/messages.h"
#include "executor/protocol/miss_stats.h"
#include "executor/protocol/recent_txs.h"
#include "executor/tx/transaction.h"

namespace remora::executor::protocol {

// nullopt: adopt `result` for `tx`. Otherwise the cause of the miss, checked in this order:
// kForeignExecutor (the result names another executor identity than this build's current one),
// kInvalidResult (the table's authenticators are not the transaction's, the gas used exceeds
// the budget, or, with `structural`, the result contradicts itself: see consistent_result),
// kAuthenticatorFailed, kStaleVersion / kDynamicMismatch (the first read that differs),
// kUnconfirmedRead. Errors are the view's read errors only.
// REQUIRES: validate_pre_exec_result(result) is ok and result.tx_digest is tx's digest.
// `committed` holds the transactions committed so far, this commit's earlier ones included.
common::Result<std::optional<MissCause>> check_result(const Transaction& tx,
                                                      const PreExecResult& result,
                                                      StateReader& view, const RecentTxs& committed,
                                                      bool structural = true);

// The part of check_result that reads no state: kForeignExecutor or kInvalidResult (as
// check_result checks them), or nullopt when neither applies. The primary uses it to tell ahead
// of a commit which results cannot be adopted (and which one a re-execution takes hints from).
std::optional<MissCause> structural_verdict(const Transaction& tx, const PreExecResult& result,
                                            bool structural = true);

// Defence in depth (docs/remora_protocol.md, "Checks before adopting"): what an honest executor
// always produces, checked without reading state. Every written or deleted object was read
// present in the table, every created one was read absent; an aborted result changes nothing;
// a result whose authenticators all verified does not abort with kInvalidAuthenticator. (The
// version rule and the table's own shape are checked when the result arrives,
// validate_pre_exec_result.)
bool consistent_result(const PreExecResult& result);

}  // namespace remora::executor::protocol
