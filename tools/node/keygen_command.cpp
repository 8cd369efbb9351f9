// `remora-node keygen --dir DIR [--pre-executors N] [--names A,B] [--days D] [--renew]`: the
// cluster CA and the nodes' credentials for mutual TLS, or their renewal
// (docs/tools/remora-node.md, "keygen").

#include <sys/stat.h>

#include "net/tls.h"
#include "tools/node/node_commands.h"

namespace remora::tools::node {
namespace {

using cli::ArgKind;
using common::Status;

std::vector<std::string> split_names(const std::string& text) {
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        names.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return names;
}

class KeygenCommand final : public cli::Command {
public:
    const cli::CommandSpec& spec() const override { return m_spec; }

    Status check(const cli::Invocation& invocation) const override {
        if (auto n = invocation.unsigned_option("pre-executors"); n && *n > 1000) {
            return cli::usage_error("--pre-executors is at most 1000");
        }
        if (auto days = invocation.unsigned_option("days"); days && (*days == 0 || *days > 36500)) {
            return cli::usage_error("--days must be in 1..36500");
        }
        return Status::ok();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        const cli::Invocation& in = context.invocation;
        const std::string dir = *in.text_option("dir");
        std::vector<std::string> names;
        if (auto given = in.text_option("names")) {
            names = split_names(*given);
        } else {
            names.emplace_back("primary");
            const std::uint64_t count = in.unsigned_option("pre-executors").value_or(4);
            for (std::uint64_t i = 1; i <= count; ++i) {
                names.push_back("pre-executor-" + std::to_string(i));
            }
        }
        const auto days = in.unsigned_option("days").value_or(365);
        const auto validity = std::chrono::seconds(days * 24 * 3600);
        struct stat st {};
        const bool add = ::stat((dir + "/ca.pem").c_str(), &st) == 0;
        const bool renew = in.has_option("renew");
        if (renew) {
            REMORA_RETURN_IF_ERROR(
                net::renew_node_credentials(dir, names, net::validity_from_now(validity)));
        } else if (add) {
            REMORA_RETURN_IF_ERROR(
                net::add_node_credentials(dir, names, net::validity_from_now(validity)));
        } else {
            REMORA_RETURN_IF_ERROR(net::write_cluster_credentials(dir, names, validity));
        }
        cli::Report report;
        report.json = {{"command", "keygen"}, {"dir", dir},     {"ca_created", !add && !renew},
                       {"renewed", renew},    {"nodes", names}, {"days", days}};
        cli::add_field(report.text, "directory", dir);
        cli::add_field(report.text, "cluster CA",
                       add ? "existing (ca.pem)" : "created (ca.pem, ca.key)");
        for (const auto& name : names) {
            cli::add_field(report.text, renew ? "renewed" : "node",
                           name + ".pem, " + name + ".key");
        }
        cli::add_field(report.text, "valid for", std::to_string(days) + " days");
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "keygen",
        .summary = "create the cluster CA and node credentials for mutual TLS",
        .details =
            "Writes DIR/ca.pem and DIR/ca.key (the cluster CA) and, for each node, DIR/NAME.pem "
            "and DIR/NAME.key (mode 0600), Ed25519 keys, certificates whose CN is the node's "
            "name. A pre-executor's name must be pre-executor-ID: the primary checks it against "
            "the id the node claims. When DIR already holds a CA, only the named nodes are added "
            "(signed by it). Never overwrites a file, except with --renew: then the named nodes' "
            "existing files are replaced by new keys and certificates signed by the CA in DIR "
            "(each by a rename); SIGHUP makes a running node use them.",
        .options =
            {
                {"dir", ArgKind::kPath, "DIR", "where the credentials go", true},
                {"pre-executors", ArgKind::kUnsigned, "N", "names: primary and pre-executor-1..N",
                 false, "4"},
                {"names", ArgKind::kText, "A,B,...", "these names instead", false},
                {"days", ArgKind::kUnsigned, "D", "certificate validity in days", false, "365"},
                {"renew", ArgKind::kFlag, "", "replace the named nodes' existing credentials",
                 false},
            },
    };
};

}  // namespace

std::unique_ptr<cli::Command> make_keygen_command() { return std::make_unique<KeygenCommand>(); }

}  // namespace remora::tools::node
