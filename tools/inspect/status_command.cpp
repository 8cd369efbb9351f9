// `status` (the default command): the store's persisted metadata and its snapshots.

#include "recovery/snapshot.h"
#include "tools/inspect/command.h"
#include "tools/inspect/snapshot_view.h"

namespace remora::tools::inspect {
namespace {

class StatusCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const storage::StoreStatus& status = context.store->status();
        // A damaged snapshot must not hide the store's own status: report both, and let the
        // damage decide the exit code (65 for a corrupt manifest).
        auto snapshots = recovery::list_snapshots(recovery::snapshots_dir(context.store->dir()));

        Report report;
        report.json = {
            {"command", "status"},
            {"db", context.store->dir()},
            {"format_version", status.format_version},
            {"shard_count", status.shard_count},
            {"applied_commit", status.applied_commit},
            {"state_digest", status.state_digest.hex()},
            {"live_objects", status.live_objects},
            {"retention_watermark", status.retention_watermark},
        };
        Json list = Json::array();
        if (snapshots) {
            for (const auto& info : *snapshots) list.push_back(snapshot_json(info, false));
        } else {
            report.json["snapshots_error"] = snapshots.status().message();
            report.verdict = snapshots.status().with_context("listing snapshots");
        }
        report.json["snapshots"] = std::move(list);

        std::string& text = report.text;
        add_field(text, "database", context.store->dir());
        add_field(text, "format version", status.format_version);
        add_field(text, "shards", status.shard_count);
        add_field(text, "applied commit", status.applied_commit);
        add_field(text, "state digest", status.state_digest.hex());
        add_field(text, "live objects", status.live_objects);
        add_field(text, "retention watermark", status.retention_watermark);
        if (snapshots) {
            add_field(text, "snapshots", snapshots->size());
            for (const auto& info : *snapshots) text += "  " + snapshot_line(info) + "\n";
        } else {
            add_field(text, "snapshots", "UNREADABLE: " + snapshots.status().message());
        }
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "status",
        .summary = "format version, shards, applied commit, digest, snapshots",
        .details =
            "Shows the store's persisted metadata and the complete snapshots under "
            "DIR/snapshots. This is the default command. A damaged snapshot is reported "
            "beside the store's status and makes the exit code 65.",
    };
};

}  // namespace

std::unique_ptr<Command> make_status_command() { return std::make_unique<StatusCommand>(); }

}  // namespace remora::tools::inspect
