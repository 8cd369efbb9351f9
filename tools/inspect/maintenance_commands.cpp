// `prune` and `compact`: the store's maintenance, for an operator. Both take the database lock
// (exit 75 beside a running node).
//
// `prune` turns the operator's choice (keep the state of the oldest of the N newest snapshots'
// commit, or of a named commit, and of every later commit) into the object-version watermark
// that Store::prune takes. Versions are per object, not per commit (docs/execution.md, "The
// version rule"), so no commit index is a watermark: the watermark is chosen below every
// version that a later commit wrote (docs/storage_format.md, "Pruning: choosing the watermark").

#include <algorithm>
#include <cstdio>

#include "recovery/snapshot.h"
#include "recovery/snapshot_prune.h"
#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

using common::Code;
using common::CommitIndex;
using common::Version;

constexpr const char* kKeepSnapshots = "keep-snapshots";
constexpr const char* kKeepFromCommit = "keep-from-commit";

// The commit whose state (and every later one) the prune keeps, with the snapshots it keeps.
struct Keep {
    CommitIndex commit = 0;
    Json snapshots = Json::array();  // names of the kept snapshots (--keep-snapshots)
};

Result<Keep> resolve_keep(const Context& context) {
    const CommitIndex applied = context.store->status().applied_commit;
    Keep keep;
    if (auto commit = context.invocation.unsigned_option(kKeepFromCommit)) {
        keep.commit = *commit;
    } else {
        const std::uint64_t n = *context.invocation.unsigned_option(kKeepSnapshots);
        const std::string dir = recovery::snapshots_dir(*context.db_dir());
        auto listed = recovery::list_snapshots(dir);
        if (!listed) return listed.status().with_context("listing the snapshots");
        if (listed->empty()) {
            return Status(Code::kNotFound,
                          "no snapshot in " + dir +
                              ": nothing was pruned. Take one first (remora-inspect snapshot "
                              "create), or name the oldest commit to keep with --" +
                              kKeepFromCommit);
        }
        const std::size_t kept =
            static_cast<std::size_t>(std::min<std::uint64_t>(n, listed->size()));
        for (std::size_t i = listed->size() - kept; i < listed->size(); ++i) {
            keep.snapshots.push_back(recovery::snapshot_name((*listed)[i].manifest.commit_index));
        }
        keep.commit = (*listed)[listed->size() - kept].manifest.commit_index;
    }
    if (keep.commit == 0 || keep.commit > applied) {
        return Status(Code::kInvalidArgument,
                      "commit " + std::to_string(keep.commit) +
                          " is not a stored commit (the store holds commits 1.." +
                          std::to_string(applied) + "): nothing was pruned");
    }
    return keep;
}

class PruneCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadWrite; }

    Status check(const Invocation& invocation) const override {
        const bool snapshots = invocation.has_option(kKeepSnapshots);
        if (snapshots == invocation.has_option(kKeepFromCommit)) {
            return Status(Code::kInvalidArgument, std::string("prune needs exactly one of --") +
                                                      kKeepSnapshots + " N and --" +
                                                      kKeepFromCommit + " C");
        }
        if (snapshots && *invocation.unsigned_option(kKeepSnapshots) == 0) {
            return Status(Code::kInvalidArgument,
                          std::string("--") + kKeepSnapshots + " must be at least 1");
        }
        return Status::ok();
    }

    Result<Report> inspect(Context& context) const override {
        auto keep = resolve_keep(context);
        if (!keep) return keep.status();
        storage::Store& store = *context.store;
        if (context.progress) {
            std::fprintf(stderr,
                         "remora-inspect: reading commits %llu..%llu to choose the "
                         "watermark, then pruning...\n",
                         static_cast<unsigned long long>(keep->commit) + 1,
                         static_cast<unsigned long long>(store.status().applied_commit));
        }
        auto behind = recovery::prune_behind(store, keep->commit);
        if (!behind) return behind.status();
        const Version previous = behind->previous_watermark;
        const bool pruned = behind->pruned;
        const storage::PruneResult result = behind->result;

        Report report;
        std::string& text = report.text;
        add_field(text, "keep from commit", keep->commit);
        if (!keep->snapshots.empty()) {
            add_field(text, "snapshots kept", keep->snapshots.size());
            for (const Json& name : keep->snapshots) text += "  " + name.get<std::string>() + "\n";
        }
        add_field(text, "applied commit", store.status().applied_commit);
        add_field(text, "safe watermark", behind->safe_watermark);
        add_field(text, "previous watermark", previous);
        add_field(text, "retention watermark", result.retention_watermark);
        add_field(text, "versions deleted", result.versions_deleted);
        if (!pruned) text += "nothing to prune: the safe watermark is not above the current one\n";
        report.json = {
            {"command", "prune"},
            {"keep_from_commit", keep->commit},
            {"keep_snapshots", context.invocation.has_option(kKeepSnapshots)
                                   ? Json(*context.invocation.unsigned_option(kKeepSnapshots))
                                   : Json(nullptr)},
            {"snapshots_kept", keep->snapshots},
            {"applied_commit", store.status().applied_commit},
            {"safe_watermark", behind->safe_watermark},
            {"previous_watermark", previous},
            {"retention_watermark", result.retention_watermark},
            {"pruned", pruned},
            {"versions_deleted", result.versions_deleted}};
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "prune",
        .summary = "delete object versions no kept snapshot's commit or later one needs",
        .details =
            "Deletes the old object versions that no state from commit C on needs, where C is "
            "the commit of the oldest of the N newest snapshots in DIR/snapshots "
            "(--keep-snapshots N; fewer snapshots keep them all) or a commit you name "
            "(--keep-from-commit C). Every version that was an object's newest at some "
            "commit >= C stays stored; commit records, the transaction index and snapshots "
            "are never pruned, so replay-verify still works. The watermark is one below the "
            "lowest version any commit after C wrote (see docs/storage_format.md, "
            "\"Pruning\"). Needs the database lock: exit 75 beside a running node. Run "
            "`compact` afterwards to give the space back.",
        .options = {{kKeepSnapshots, ArgKind::kUnsigned, "N",
                     "keep what the oldest of the N newest snapshots needs (N >= 1)"},
                    {kKeepFromCommit, ArgKind::kUnsigned, "C",
                     "keep the state of commit C and of every later commit"}},
    };
};

class CompactCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadWrite; }

    Result<Report> inspect(Context& context) const override {
        if (context.progress) {
            std::fprintf(stderr, "remora-inspect: compacting every column family...\n");
        }
        auto compacted = context.store->compact();
        if (!compacted) return compacted.status().with_context("compacting");
        Report report;
        Json families = Json::array();
        std::uint64_t before = 0, after = 0;
        for (const storage::CompactedColumnFamily& f : compacted->column_families) {
            before += f.sst_file_bytes_before;
            after += f.sst_file_bytes_after;
            families.push_back({{"name", f.name},
                                {"sst_file_bytes_before", f.sst_file_bytes_before},
                                {"sst_file_bytes_after", f.sst_file_bytes_after}});
            add_field(report.text, f.name,
                      std::to_string(f.sst_file_bytes_before) + " -> " +
                          std::to_string(f.sst_file_bytes_after) + " bytes");
        }
        add_field(
            report.text, "total",
            std::to_string(before) + " -> " + std::to_string(after) + " bytes of table files");
        report.json = {{"command", "compact"},
                       {"column_families", std::move(families)},
                       {"sst_file_bytes_before", before},
                       {"sst_file_bytes_after", after}};
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "compact",
        .summary = "compact every column family; table-file bytes before and after",
        .details =
            "Flushes the memtables and compacts every column family to its last level "
            "(RocksDB CompactRange), so that what `prune` deleted leaves the disk. Reports "
            "each column family's table-file bytes (rocksdb.total-sst-files-size) before and "
            "after; data still in a memtable is in neither figure before. Changes no key or "
            "value. Needs the database lock: exit 75 beside a running node.",
    };
};

}  // namespace

std::unique_ptr<Command> make_prune_command() { return std::make_unique<PruneCommand>(); }
std::unique_ptr<Command> make_compact_command() { return std::make_unique<CompactCommand>(); }

}  // namespace remora::tools::inspect
