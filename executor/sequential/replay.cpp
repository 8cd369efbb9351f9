#include "executor/sequential/replay.h"

#include "executor/sequential/commit_body.h"
#include "executor/sequential/sequential.h"
#include "executor/tx/effects.h"

namespace remora::executor {
namespace {

using common::Code;
using common::Status;

Status mismatch(ReplayReport& report, common::CommitIndex index, std::string detail) {
    report.match = false;
    report.first_mismatch = index;
    report.detail = std::move(detail);
    return {};
}

}  // namespace

common::Result<ReplayReport> replay_verify(storage::Store& source, const std::string& scratch_dir,
                                           const common::ProgressFn& progress) {
    ReplayReport report;
    report.recorded_digest = source.status().state_digest;
    common::CommitIndex last = source.status().applied_commit;
    if (last == 0) return Status{Code::kNotFound, source.dir() + " has no commits to replay"};

    storage::StoreOptions options;
    options.create_if_missing = true;
    options.shard_count = source.status().shard_count;
    options.sync = false;  // a scratch copy: durability buys nothing here
    auto scratch = storage::Store::open(scratch_dir, storage::OpenMode::kReadWrite, options);
    if (!scratch) return scratch.status().with_context("scratch store");
    if (scratch.value()->status().applied_commit != 0) {
        return Status{Code::kAlreadyExists, "scratch directory " + scratch_dir + " is not empty"};
    }
    SequentialExecutor executor(*scratch.value());
    bool in_genesis = true;

    for (common::CommitIndex index = 1; index <= last; ++index) {
        auto record = source.read_commit(index);
        if (!record) return record.status();
        auto body = decode_commit_body(record->body);
        if (!body) return body.status().with_context("commit " + std::to_string(index));
        // Genesis is commits 1..G, one per part (executor/exec/genesis_source.h); every later
        // commit holds transactions.
        if (index == 1 && !body->genesis) {
            return Status{Code::kCorruption, "commit 1 is not a genesis commit"};
        }
        if (body->genesis) {
            if (in_genesis) {
                REMORA_RETURN_IF_ERROR(
                    executor.commit_genesis_part(body->genesis_objects, body->genesis_workload));
            } else {
                return Status{Code::kCorruption,
                              "commit " + std::to_string(index) +
                                  " is a genesis part after a commit of transactions"};
            }
        } else {
            in_genesis = false;
            if (!rules_version_known(body->identity.rules_version) ||
                executor_identity(body->identity.rules_version) != body->identity) {
                const std::string mine =
                    rules_version_known(body->identity.rules_version)
                        ? describe_identity(executor_identity(body->identity.rules_version))
                        : describe_identity(executor_identity());
                return Status{Code::kFormatVersion,
                              "commit " + std::to_string(index) + " was executed under " +
                                  describe_identity(body->identity) +
                                  ", which this build does not implement (this build: " + mine +
                                  "); replay it with the build that wrote it"};
            }
            std::vector<Transaction> txs;
            txs.reserve(body->transactions.size());
            for (const CommittedTx& entry : body->transactions) txs.push_back(entry.transaction);
            auto outcome = executor.execute_commit(txs, {}, body->identity);
            if (!outcome)
                return outcome.status().with_context("replaying commit " + std::to_string(index));
            report.transactions += txs.size();
            for (std::size_t i = 0; i < txs.size(); ++i) {
                if (canonical_effects_bytes(outcome->effects[i]) !=
                    canonical_effects_bytes(body->transactions[i].effects)) {
                    REMORA_RETURN_IF_ERROR(mismatch(report, index,
                                                    "transaction " + std::to_string(i) + " (" +
                                                        outcome->effects[i].tx_digest.hex() +
                                                        ") produced other effects"));
                    break;
                }
            }
        }
        report.commits = index;
        report.replayed_digest = scratch.value()->status().state_digest;
        if (report.match && report.replayed_digest != record->state_digest) {
            REMORA_RETURN_IF_ERROR(mismatch(report, index,
                                            "state digest after commit " + std::to_string(index) +
                                                " is " + report.replayed_digest.hex() +
                                                ", recorded " + record->state_digest.hex()));
        }
        if (!report.match) break;
        if (progress) progress(index, last);
    }
    return report;
}

}  // namespace remora::executor
