// `digest [--recompute]`: the stored state digest, optionally checked by a full scan.

#include <cstdio>

#include "tools/inspect/command.h"

namespace remora::tools::inspect {
namespace {

class DigestCommand final : public Command {
public:
    const CommandSpec& spec() const override { return m_spec; }
    StoreAccess access() const override { return StoreAccess::kReadOnly; }

    Result<Report> inspect(Context& context) const override {
        const storage::StoreStatus& status = context.store->status();
        Report report;
        report.json = {{"command", "digest"},
                       {"applied_commit", status.applied_commit},
                       {"state_digest", status.state_digest.hex()},
                       {"live_objects", status.live_objects}};
        std::string& text = report.text;
        add_field(text, "applied commit", status.applied_commit);
        add_field(text, "state digest", status.state_digest.hex());
        add_field(text, "live objects", status.live_objects);
        if (!context.invocation.has_option("recompute")) return report;

        if (context.progress) {
            std::fputs("remora-inspect: recomputing the digest over the live object set...\n",
                       stderr);
        }
        auto recomputed = context.store->recompute_digest();
        if (!recomputed) return recomputed.status().with_context("recomputing the digest");
        const bool match = recomputed->state_digest == status.state_digest &&
                           recomputed->live_objects == status.live_objects;
        report.json["recomputed_digest"] = recomputed->state_digest.hex();
        report.json["recomputed_live_objects"] = recomputed->live_objects;
        report.json["match"] = match;
        add_field(text, "recomputed digest", recomputed->state_digest.hex());
        add_field(text, "recomputed live", recomputed->live_objects);
        add_field(text, "match", match ? "yes" : "NO");
        if (!match) {
            report.verdict =
                Status(common::Code::kVerificationFailed,
                       "state digest mismatch: stored " + status.state_digest.hex() + " (" +
                           std::to_string(status.live_objects) + " live objects), recomputed " +
                           recomputed->state_digest.hex() + " (" +
                           std::to_string(recomputed->live_objects) + " live objects)");
        }
        return report;
    }

private:
    CommandSpec m_spec{
        .name = "digest",
        .summary = "the stored state digest; --recompute checks it by a full scan",
        .details =
            "Shows the state digest and live-object count stored with the last commit. "
            "With --recompute, also recomputes both from the live object set "
            "(docs/storage_format.md, \"State digest\") and compares: a mismatch exits "
            "65 and prints both values.",
        .options = {{"recompute", ArgKind::kFlag, "", "recompute from a full scan and compare"}},
    };
};

}  // namespace

std::unique_ptr<Command> make_digest_command() { return std::make_unique<DigestCommand>(); }

}  // namespace remora::tools::inspect
