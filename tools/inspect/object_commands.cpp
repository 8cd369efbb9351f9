// `get ID [--version V]` and `history ID`: one object's versions.

#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

using common::Code;

// Payload bytes shown per version by `history` in text form (JSON always has them all).
constexpr std::size_t kHistoryPreviewBytesMax = 32;

class GetCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const common::ObjectId id = context.invocation.object_id_at(0);
        const std::optional<std::uint64_t> bound = context.invocation.unsigned_option("version");
        auto found =
            bound ? context.store->get_at_or_below(id, *bound) : context.store->get_latest(id);
        if (!found) return found.status().with_context("reading object " + id.hex());
        if (!found->has_value()) {
            std::string below = bound ? " at or below version " + std::to_string(*bound) : "";
            return Status(Code::kNotFound, "object " + id.hex() + " not found" + below);
        }
        const storage::ObjectVersion& v = **found;

        Report report;
        report.json = version_json(v);
        report.json["command"] = "get";
        report.json["id"] = id.hex();
        report.json["shard"] = context.store->shard_of(id);
        report.json["requested_version"] = bound ? Json(*bound) : Json(nullptr);
        std::string& text = report.text;
        add_field(text, "id", id.hex());
        add_field(text, "shard", context.store->shard_of(id));
        add_field(text, "version", v.version);
        add_field(text, "tombstone", v.tombstone ? "yes (deleted at this version)" : "no");
        add_field(text, "payload size", v.payload.size());
        add_field(text, "payload", common::to_hex(v.payload));
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "get",
        .summary = "one version of an object (the newest, or the newest <= V)",
        .details =
            "Shows the object's newest version, or with --version V its newest version "
            "at or below V: version number, whether it is a tombstone, payload size and "
            "payload in hex. Exit 1 when the object has no such version.",
        .positionals = {{"ID", ArgKind::kObjectId, "object id, 64 hex digits"}},
        .options = {{"version", ArgKind::kUnsigned, "V", "newest version <= V"}},
    };
};

class HistoryCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const common::ObjectId id = context.invocation.object_id_at(0);
        auto versions = context.store->history(id);
        if (!versions) return versions.status().with_context("reading history of " + id.hex());
        if (versions->empty()) return Status(Code::kNotFound, "object " + id.hex() + " not found");

        Report report;
        Json list = Json::array();
        std::string& text = report.text;
        add_field(text, "id", id.hex());
        add_field(text, "shard", context.store->shard_of(id));
        add_field(text, "versions", versions->size());
        for (const storage::ObjectVersion& v : *versions) {
            list.push_back(version_json(v));
            text += "  version " + std::to_string(v.version);
            if (v.tombstone) {
                text += "  tombstone\n";
            } else {
                text += "  " + std::to_string(v.payload.size()) + " bytes  " +
                        payload_preview(v.payload, kHistoryPreviewBytesMax) + "\n";
            }
        }
        report.json = {{"command", "history"},
                       {"id", id.hex()},
                       {"shard", context.store->shard_of(id)},
                       {"versions", std::move(list)}};
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "history",
        .summary = "every stored version of an object, tombstones included",
        .details =
            "Lists the object's stored versions, oldest first (versions pruned below the "
            "retention watermark are gone). Text shows the first 32 payload bytes of each "
            "version; --json carries every payload in full. Exit 1 for an unknown object.",
        .positionals = {{"ID", ArgKind::kObjectId, "object id, 64 hex digits"}},
    };
};

}  // namespace

std::unique_ptr<Command> make_get_command() { return std::make_unique<GetCommand>(); }
std::unique_ptr<Command> make_history_command() { return std::make_unique<HistoryCommand>(); }

}  // namespace remora::tools::inspect
