// `commit N`: one persisted commit record.

#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

class CommitCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const common::CommitIndex index = context.invocation.unsigned_at(0);
        auto record = context.store->read_commit(index);
        if (!record) return record.status().with_context("reading commit " + std::to_string(index));

        Report report;
        Json writes = Json::array();
        std::string& text = report.text;
        add_field(text, "commit", record->index);
        add_field(text, "state digest", record->state_digest.hex());
        add_field(text, "live objects", record->live_objects);
        add_field(text, "transactions", record->transactions);
        add_field(text, "body size", record->body.size());
        add_field(text, "writes", record->writes.size());
        for (const storage::ObjectRef& write : record->writes) {
            writes.push_back({{"id", write.id.hex()},
                              {"version", write.version},
                              {"tombstone", write.tombstone}});
            text += "  " + write.id.hex() + "  version " + std::to_string(write.version) +
                    (write.tombstone ? "  tombstone\n" : "\n");
        }
        report.json = {{"command", "commit"},
                       {"index", record->index},
                       {"state_digest", record->state_digest.hex()},
                       {"live_objects", record->live_objects},
                       {"transactions", record->transactions},
                       {"body_size", record->body.size()},
                       {"writes", std::move(writes)}};
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "commit",
        .summary = "one commit record: digest, live objects, transactions, writes",
        .details =
            "Shows the persisted record of commit N: the state digest and live-object "
            "count after it, its transaction count, the size of its executor body and "
            "every object it wrote (id, version, tombstone). Exit 1 when N is not a "
            "stored commit.",
        .positionals = {{"N", ArgKind::kUnsigned, "commit index (1 = first commit)"}},
    };
};

}  // namespace

std::unique_ptr<Command> make_commit_command() { return std::make_unique<CommitCommand>(); }

}  // namespace remora::tools::inspect
