// `replay-verify [--scratch DIR]`: re-executes the persisted ordered commits from genesis in a
// scratch store and compares every transaction's effects and the digest after every commit.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "common/temp_dir.h"
#include "executor/sequential/replay.h"
#include "tools/cli/progress.h"
#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

// A scratch directory that is removed afterwards unless the operator named it.
class Scratch {
public:
    static Result<Scratch> make(const std::optional<std::string>& named) {
        if (named) {
            // The replay creates a new store there: never in a directory that holds anything
            // (least of all a store, which would be taken for an interrupted creation).
            std::error_code ec;
            const bool exists = std::filesystem::exists(*named, ec);
            if (exists && (!std::filesystem::is_directory(*named, ec) ||
                           !std::filesystem::is_empty(*named, ec))) {
                return Status(common::Code::kAlreadyExists,
                              "the scratch directory " + *named +
                                  " is not empty: it must be empty or absent, since "
                                  "replay-verify builds a new store there (nothing was changed)");
            }
            return Scratch(*named, std::nullopt);
        }
        auto owned = common::TempDir::create("remora-replay");
        if (!owned) return owned.status();
        std::string path = owned->path();
        return Scratch(std::move(path), std::move(owned).value());
    }
    const std::string& path() const { return m_path; }

private:
    Scratch(std::string path, std::optional<common::TempDir> owned)
        : m_path(std::move(path)), m_owned(std::move(owned)) {}
    std::string m_path;
    std::optional<common::TempDir> m_owned;  // removes a directory we made, never a named one
};

class ReplayVerifyCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        auto scratch = Scratch::make(context.invocation.text_option("scratch"));
        if (!scratch) return scratch.status();
        if (context.progress) {
            std::fprintf(stderr, "remora-inspect: replaying %llu commits in %s...\n",
                         static_cast<unsigned long long>(context.store->status().applied_commit),
                         scratch->path().c_str());
        }
        cli::Progress progress(context.progress, "remora-inspect replay-verify", "commits");
        auto replay = executor::replay_verify(*context.store, scratch->path(), progress.callback());
        progress.finish();
        if (!replay) return replay.status().with_context("replay-verify");
        const executor::ReplayReport& r = replay.value();
        Report report;
        report.json = {{"command", "replay-verify"},
                       {"commits", r.commits},
                       {"transactions", r.transactions},
                       {"match", r.match},
                       {"recorded_digest", r.recorded_digest.hex()},
                       {"replayed_digest", r.replayed_digest.hex()}};
        add_field(report.text, "commits replayed", r.commits);
        add_field(report.text, "transactions", r.transactions);
        add_field(report.text, "recorded digest", r.recorded_digest.hex());
        add_field(report.text, "replayed digest", r.replayed_digest.hex());
        add_field(report.text, "match", r.match ? "yes" : "NO");
        if (!r.match) {
            report.json["first_mismatch"] = r.first_mismatch;
            report.json["detail"] = r.detail;
            report.verdict = Status(
                common::Code::kVerificationFailed,
                "replay differs at commit " + std::to_string(r.first_mismatch) + ": " + r.detail);
        }
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "replay-verify",
        .summary = "re-execute every persisted commit from genesis and compare",
        .details =
            "Re-executes the ordered commits stored in the database, from the genesis commit, "
            "in a scratch store, comparing every transaction's effects (canonical bytes) and "
            "the state digest after every commit with the recorded ones. The first difference "
            "exits 65 and is named. The scratch store is removed afterwards unless --scratch "
            "names it (it must be absent or empty).",
        .options = {{"scratch", ArgKind::kPath, "DIR", "where to build the replayed store"}},
    };
};

}  // namespace

std::unique_ptr<Command> make_replay_verify_command() {
    return std::make_unique<ReplayVerifyCommand>();
}

}  // namespace remora::tools::inspect
