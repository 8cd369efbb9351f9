// `tx DIGEST`: where and how one transaction executed, from the transaction index and the
// executor's commit body (executor/sequential/commit_body.h). Who pre-executed it (adopted or
// re-executed, by which pre-executor) is not consensus data and is not in the store, so it is
// not shown (docs/tools/remora-inspect.md, `tx`).

#include <string>

#include "executor/sequential/commit_body.h"
#include "executor/tx/object_codec.h"
#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

using common::Code;

std::string owner_text(const executor::Owner& owner) {
    if (const auto* a = std::get_if<executor::OwnedByAddress>(&owner)) {
        return "address:" + a->address.hex();
    }
    if (const auto* p = std::get_if<executor::OwnedByParent>(&owner)) {
        return "parent:" + p->parent.hex();
    }
    return std::holds_alternative<executor::SharedOwner>(owner) ? "shared" : "immutable";
}

// A written or created object as `get` prints its version (the store's payload is the
// object's encoding), plus its owner and type tag decoded.
Json object_json(const executor::Object& object) {
    storage::ObjectVersion v{object.id, object.version, false, executor::encode_object(object)};
    Json json = version_json(v);
    json["id"] = object.id.hex();
    json["owner"] = owner_text(object.owner);
    json["type_tag_hex"] = common::to_hex(object.type_tag);
    return json;
}

Json deleted_json(const executor::DeletedObject& deleted) {
    Json json = version_json({deleted.id, deleted.version, true, {}});
    json["id"] = deleted.id.hex();
    return json;
}

void add_objects(std::string& text, const char* label, const Json& list) {
    add_field(text, label, list.size());
    for (const Json& o : list) {
        text += "  " + o["id"].get<std::string>() + "  version " +
                std::to_string(o["version"].get<std::uint64_t>());
        if (o["tombstone"].get<bool>()) {
            text += "  tombstone\n";
        } else {
            text += "  " + std::to_string(o["payload_size"].get<std::uint64_t>()) + " bytes  " +
                    o["owner"].get<std::string>() + "\n";
        }
    }
}

class TxCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const common::Digest digest = context.invocation.object_id_at(0);
        auto location = context.store->find_transaction(digest);
        if (!location) return location.status();
        const auto [index, position] = *location;
        const std::string where = "transaction " + digest.hex() + " (commit " +
                                  std::to_string(index) + ", position " + std::to_string(position) +
                                  ")";
        auto record = context.store->read_commit(index);
        if (!record) return record.status().with_context("reading commit of " + where);
        auto body = executor::decode_commit_body(record->body);
        if (!body) {
            return body.status().with_context("the body of commit " + std::to_string(index) +
                                              ", which indexes " + where +
                                              ", is not an executor record");
        }
        if (position >= body->transactions.size()) {
            return Status(Code::kCorruption,
                          where + ": commit " + std::to_string(index) + " holds only " +
                              std::to_string(body->transactions.size()) + " transactions");
        }
        const executor::CommittedTx& committed = body->transactions[position];
        if (executor::transaction_digest(committed.transaction) != digest ||
            committed.effects.tx_digest != digest) {
            return Status(Code::kCorruption, where +
                                                 ": the commit body holds another "
                                                 "transaction at that position");
        }
        const executor::Effects& effects = committed.effects;
        const executor::ExecutionStatus& status = effects.status;

        Json written = Json::array(), created = Json::array(), deleted = Json::array();
        for (const executor::Object& o : effects.written) written.push_back(object_json(o));
        for (const executor::Object& o : effects.created) created.push_back(object_json(o));
        for (const executor::DeletedObject& d : effects.deleted) deleted.push_back(deleted_json(d));
        const std::string code_name = executor::abort_code_name(status.code);
        const std::string effects_digest = executor::effects_digest(effects).hex();

        Report report;
        std::string& text = report.text;
        add_field(text, "transaction", digest.hex());
        add_field(text, "commit", index);
        add_field(text, "position",
                  std::to_string(position) + " of " + std::to_string(body->transactions.size()));
        add_field(text, "rules version", body->identity.rules_version);
        add_field(text, "sender", committed.transaction.sender.hex());
        if (status.is_success()) {
            add_field(text, "status", "success");
        } else {
            std::string line = "aborted: " + code_name + " (code " +
                               std::to_string(static_cast<unsigned>(status.code)) + ")";
            if (status.abort_value != 0) line += ", value " + std::to_string(status.abort_value);
            add_field(text, "status", line);
            add_field(text, "detail", status.detail);
        }
        add_field(text, "gas used",
                  std::to_string(effects.gas_used) + " of budget " +
                      std::to_string(committed.transaction.gas_budget));
        add_field(text, "effects digest", effects_digest);
        add_field(text, "events", effects.events.size());
        add_objects(text, "written", written);
        add_objects(text, "created", created);
        add_objects(text, "deleted", deleted);
        report.json = {{"command", "tx"},
                       {"digest", digest.hex()},
                       {"commit", index},
                       {"position", position},
                       {"commit_transactions", body->transactions.size()},
                       {"rules_version", body->identity.rules_version},
                       {"sender", committed.transaction.sender.hex()},
                       {"success", status.is_success()},
                       {"status",
                        {{"code", static_cast<unsigned>(status.code)},
                         {"name", code_name},
                         {"abort_value", status.abort_value},
                         {"detail", status.detail}}},
                       {"gas_used", effects.gas_used},
                       {"gas_budget", committed.transaction.gas_budget},
                       {"effects_digest", effects_digest},
                       {"events", effects.events.size()},
                       {"written", std::move(written)},
                       {"created", std::move(created)},
                       {"deleted", std::move(deleted)}};
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "tx",
        .summary = "where and how a transaction executed: commit, status, gas, effects",
        .details =
            "Finds the transaction in the store's transaction index and shows its commit and "
            "position, its status (abort code, value and detail), gas used, effects digest "
            "and every object its effects wrote, created or deleted, with versions (as `get` "
            "prints them). Exit 1 (NotFound) when the store has not executed DIGEST "
            "(transactions refused before execution, such as a bad signature, a duplicate or "
            "an expired one, are not indexed). Whether a pre-executor's result was adopted is "
            "not recorded in the store and is not shown.",
        .positionals = {{"DIGEST", ArgKind::kObjectId, "transaction digest, 64 hex digits"}},
    };
};

}  // namespace

std::unique_ptr<Command> make_tx_command() { return std::make_unique<TxCommand>(); }

}  // namespace remora::tools::inspect
