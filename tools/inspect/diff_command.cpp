// `diff --other DIR2`: where two stores part. Compares the commit records both hold, from
// commit 1, and then the newest versions of the objects that either store wrote from the first
// difference on (before it the records, writes included, are equal).

#include <algorithm>
#include <cstdio>
#include <set>

#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

using common::Code;
using common::CommitIndex;

// Objects listed in full; the count covers them all.
constexpr std::size_t kDiffObjectsShownMax = 20;

std::vector<storage::ObjectRef> writes_by_id(std::vector<storage::ObjectRef> writes) {
    std::sort(writes.begin(), writes.end(),
              [](const storage::ObjectRef& a, const storage::ObjectRef& b) { return a.id < b.id; });
    return writes;
}

// What differs between two records of the same commit; empty when they are equal. Writes are
// compared by id, so stores with other shard counts compare equal when they wrote the same.
std::string record_difference(const storage::CommitRecord& a, const storage::CommitRecord& b) {
    if (a.state_digest != b.state_digest) {
        return "state digest " + a.state_digest.hex() + " vs " + b.state_digest.hex();
    }
    if (a.live_objects != b.live_objects) {
        return "live objects " + std::to_string(a.live_objects) + " vs " +
               std::to_string(b.live_objects);
    }
    if (writes_by_id(a.writes) != writes_by_id(b.writes)) {
        return "writes (" + std::to_string(a.writes.size()) + " vs " +
               std::to_string(b.writes.size()) + " objects)";
    }
    if (a.transactions != b.transactions) {
        return "indexed transactions " + std::to_string(a.transactions) + " vs " +
               std::to_string(b.transactions);
    }
    if (a.body != b.body) {
        return "commit body (" + std::to_string(a.body.size()) + " vs " +
               std::to_string(b.body.size()) + " bytes)";
    }
    return {};
}

Status collect_written(storage::Store& store, CommitIndex from, std::set<common::ObjectId>& ids) {
    for (CommitIndex c = from; c <= store.status().applied_commit; ++c) {
        auto record = store.read_commit(c);
        if (!record) {
            return record.status().with_context(store.dir() + ": reading commit " +
                                                std::to_string(c));
        }
        for (const storage::ObjectRef& w : record->writes) ids.insert(w.id);
    }
    return Status::ok();
}

Json side_json(const std::optional<storage::ObjectVersion>& v) {
    return v ? version_json(*v) : Json(nullptr);
}

std::string side_text(const std::optional<storage::ObjectVersion>& v) {
    if (!v) return "absent";
    return "version " + std::to_string(v->version) +
           (v->tombstone ? " tombstone" : " " + std::to_string(v->payload.size()) + " bytes");
}

class DiffCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const std::string other_dir = *context.invocation.text_option("other");
        auto opened = storage::Store::open(other_dir, storage::OpenMode::kReadOnly);
        if (!opened) return opened.status();
        storage::Store& a = *context.store;
        storage::Store& b = **opened;
        const CommitIndex applied_a = a.status().applied_commit;
        const CommitIndex applied_b = b.status().applied_commit;
        const CommitIndex common_commits = std::min(applied_a, applied_b);
        if (context.progress) {
            std::fprintf(stderr, "remora-inspect: comparing %llu commits...\n",
                         static_cast<unsigned long long>(common_commits));
        }

        std::optional<CommitIndex> parted;
        std::string difference;
        for (CommitIndex c = 1; c <= common_commits && !parted; ++c) {
            auto ra = a.read_commit(c);
            if (!ra)
                return ra.status().with_context(a.dir() + ": reading commit " + std::to_string(c));
            auto rb = b.read_commit(c);
            if (!rb)
                return rb.status().with_context(b.dir() + ": reading commit " + std::to_string(c));
            difference = record_difference(*ra, *rb);
            if (!difference.empty()) parted = c;
        }

        // Objects can differ only where a store wrote after the commits both agree on.
        const CommitIndex from = parted ? *parted : common_commits + 1;
        std::set<common::ObjectId> candidates;
        REMORA_RETURN_IF_ERROR(collect_written(a, from, candidates));
        REMORA_RETURN_IF_ERROR(collect_written(b, from, candidates));
        Json objects = Json::array();
        std::string object_lines;
        std::uint64_t differing = 0;
        for (const common::ObjectId& id : candidates) {
            auto va = a.get_latest(id);
            if (!va) return va.status().with_context(a.dir() + ": reading object " + id.hex());
            auto vb = b.get_latest(id);
            if (!vb) return vb.status().with_context(b.dir() + ": reading object " + id.hex());
            if (*va == *vb) continue;
            if (++differing > kDiffObjectsShownMax) continue;
            objects.push_back(
                {{"id", id.hex()}, {"db", side_json(*va)}, {"other", side_json(*vb)}});
            object_lines +=
                "  " + id.hex() + "  " + side_text(*va) + "  |  " + side_text(*vb) + "\n";
        }

        Report report;
        std::string& text = report.text;
        add_field(text, "db", a.dir() + " (applied commit " + std::to_string(applied_a) + ")");
        add_field(text, "other", b.dir() + " (applied commit " + std::to_string(applied_b) + ")");
        if (parted) {
            add_field(text, "first difference",
                      "commit " + std::to_string(*parted) + ": " + difference);
        } else if (applied_a == applied_b) {
            add_field(text, "first difference", "none: the commit records are equal");
        } else {
            add_field(text, "first difference",
                      "none in the " + std::to_string(common_commits) +
                          " commits both hold; one store is behind");
        }
        add_field(text, "objects differing", differing);
        text += object_lines;
        if (differing > kDiffObjectsShownMax) {
            text += "  ... and " + std::to_string(differing - kDiffObjectsShownMax) + " more\n";
        }
        report.json = {{"command", "diff"},
                       {"db", a.dir()},
                       {"other", b.dir()},
                       {"applied_commit", applied_a},
                       {"other_applied_commit", applied_b},
                       {"common_commits", common_commits},
                       {"diverged", parted.has_value()},
                       {"first_difference", parted ? Json(*parted) : Json(nullptr)},
                       {"difference", difference},
                       {"objects_differing", differing},
                       {"objects", std::move(objects)}};
        if (parted) {
            report.verdict =
                Status(Code::kVerificationFailed,
                       "the stores part at commit " + std::to_string(*parted) + ": " + difference);
        }
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "diff",
        .summary = "the first commit and the objects where two stores part",
        .details =
            "Opens DIR and DIR2 read-only and compares the commit records both hold, from "
            "commit 1 (state digest, live objects, writes, transaction count, body): the first "
            "that differs is where they part. Then lists the objects whose newest versions "
            "differ (the first 20, with the count), among those either store wrote from that "
            "commit on. Exit 65 when the stores part; 0 when they are equal or one is only "
            "behind the other (its commits are a prefix).",
        .options = {{"other", ArgKind::kPath, "DIR2", "the store to compare with", true}},
    };
};

}  // namespace

std::unique_ptr<Command> make_diff_command() { return std::make_unique<DiffCommand>(); }

}  // namespace remora::tools::inspect
