// `snapshot list | create | verify PATH | restore PATH --into DIR`.

#include <cstdio>
#include <filesystem>

#include "recovery/snapshot.h"
#include "tools/cli/progress.h"
#include "tools/inspect/command.h"
#include "tools/inspect/snapshot_view.h"

namespace remora::tools::inspect {
namespace {

using common::Code;

// PATH as given when it exists; otherwise a bare name ("snapshot-000...") is looked up under
// the store's snapshot directory when --db was given.
std::string resolve_snapshot_path(const Invocation& invocation, const std::string& path) {
    std::error_code ec;
    const std::optional<std::string> db = invocation.text_option("db");
    if (std::filesystem::exists(path, ec) || !db) return path;
    if (path.find('/') != std::string::npos) return path;
    std::string candidate = recovery::snapshots_dir(*db) + "/" + path;
    return std::filesystem::exists(candidate, ec) ? candidate : path;
}

void say(const Context& context, const std::string& what) {
    if (context.progress) std::fprintf(stderr, "remora-inspect: %s...\n", what.c_str());
}

class SnapshotListCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    // Lists files only, so that it works when the store itself cannot be opened.
    StoreAccess access() const override { return StoreAccess::kNone; }

    Result<Report> inspect(Context& context) const override {
        const std::string db = *context.db_dir();
        std::error_code ec;
        if (!std::filesystem::is_directory(db, ec)) {
            return Status(Code::kNotFound, db + " is not a directory");
        }
        const std::string dir = recovery::snapshots_dir(db);
        auto snapshots = recovery::list_snapshots(dir);
        if (!snapshots) return snapshots.status().with_context("listing snapshots in " + dir);

        Report report;
        Json list = Json::array();
        add_field(report.text, "snapshot directory", dir);
        add_field(report.text, "snapshots", snapshots->size());
        for (const auto& info : *snapshots) {
            list.push_back(snapshot_json(info, false));
            report.text += "  " + snapshot_line(info) + "\n";
        }
        report.json = {{"command", "snapshot list"}, {"dir", dir}, {"snapshots", std::move(list)}};
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "snapshot list",
        .summary = "complete snapshots under DIR/snapshots, oldest first",
        .details =
            "Lists the complete snapshots in DIR/snapshots with their commit, digest and "
            "size. Reads the manifests only: the store is not opened, so this works even "
            "when the store cannot be.",
    };
};

class SnapshotCreateCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadWrite; }

    Result<Report> inspect(Context& context) const override {
        say(context, "creating a snapshot");
        cli::Progress progress(context.progress, "remora-inspect snapshot create",
                               "files checksummed");
        auto info = recovery::create_snapshot(*context.store, "", progress.callback());
        progress.finish();
        if (!info) return info.status().with_context("creating a snapshot");
        Report report;
        report.json = {{"command", "snapshot create"}, {"snapshot", snapshot_json(*info, false)}};
        report.text = "created snapshot\n";
        add_snapshot_fields(report.text, *info, false);
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "snapshot create",
        .summary = "checkpoint the store now (needs the database lock)",
        .details =
            "Takes a snapshot of the store at its applied commit into DIR/snapshots. "
            "This opens the store read-write, so it fails with exit 75 while a node runs "
            "on DIR: stop the node first, or let the node's own snapshot schedule do it.",
    };
};

class SnapshotVerifyCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kNone; }

    Result<Report> inspect(Context& context) const override {
        const std::string path =
            resolve_snapshot_path(context.invocation, context.invocation.positionals[0]);
        say(context, "verifying " + path);
        auto info = recovery::verify_snapshot(path);
        if (!info) return info.status().with_context("snapshot " + path);
        Report report;
        report.json = {{"command", "snapshot verify"},
                       {"verified", true},
                       {"snapshot", snapshot_json(*info, true)}};
        report.text =
            "verified: every file's size and checksum, the format versions, and the "
            "recomputed digest match the manifest\n";
        add_snapshot_fields(report.text, *info, true);
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "snapshot verify",
        .summary = "check a snapshot's files, formats and digest",
        .details =
            "Checks every file's size and XXH3 checksum against the manifest, that no "
            "file is missing or extra, the format versions, and recomputes the state "
            "digest from the checkpoint. Exit 65 on any failure, naming the file or the "
            "digest. PATH may be a bare snapshot name when --db DIR is given.",
        .positionals = {{"PATH", ArgKind::kPath, "the snapshot directory"}},
        .optional_globals = {"db"},
    };
};

class SnapshotRestoreCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kNone; }

    Result<Report> inspect(Context& context) const override {
        const std::string path =
            resolve_snapshot_path(context.invocation, context.invocation.positionals[0]);
        const std::string into = *context.invocation.text_option("into");
        say(context, "restoring " + path + " into " + into);
        cli::Progress progress(context.progress, "remora-inspect snapshot restore", "",
                               cli::Progress::Unit::kBytes);
        auto info = recovery::restore_snapshot(path, into, progress.callback());
        progress.finish();
        if (!info) return info.status().with_context("restoring snapshot " + path);
        Report report;
        report.json = {{"command", "snapshot restore"},
                       {"restored_into", into},
                       {"snapshot", snapshot_json(*info, false)}};
        report.text = "restored into " + into + " (snapshot verified before, digest after)\n";
        add_snapshot_fields(report.text, *info, false);
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "snapshot restore",
        .summary = "verify a snapshot and restore it into a new store directory",
        .details =
            "Verifies the snapshot, copies it into --into DIR (which must be absent or "
            "empty) and checks the restored store's digest. The store named by --db is "
            "not opened (--db is only used to resolve a bare snapshot name).",
        .positionals = {{"PATH", ArgKind::kPath, "the snapshot directory"}},
        .options = {{"into", ArgKind::kPath, "DIR", "target store directory (absent or empty)",
                     true}},
        .optional_globals = {"db"},
    };
};

}  // namespace

std::unique_ptr<Command> make_snapshot_list_command() {
    return std::make_unique<SnapshotListCommand>();
}
std::unique_ptr<Command> make_snapshot_create_command() {
    return std::make_unique<SnapshotCreateCommand>();
}
std::unique_ptr<Command> make_snapshot_verify_command() {
    return std::make_unique<SnapshotVerifyCommand>();
}
std::unique_ptr<Command> make_snapshot_restore_command() {
    return std::make_unique<SnapshotRestoreCommand>();
}

}  // namespace remora::tools::inspect
