// `remora-node init --role primary|pre-executor --dir DIR [--id N]`: a commented configuration
// for one node (DIR/remora-node.toml) and its credentials (DIR/tls), so that
// `remora-node --config DIR/remora-node.toml` starts it (docs/tools/remora-node.md, "init").

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "net/tls.h"
#include "tools/node/node_commands.h"
#include "tools/node/node_flags.h"

namespace remora::tools::node {
namespace {

using cli::ArgKind;
using common::Code;
using common::Status;
using remora::node::NodeConfig;
using remora::node::Role;

constexpr std::uint16_t kExampleClusterPort = 7000;
constexpr std::uint16_t kExampleIngressPort = 7001;
constexpr auto kCredentialValidity = std::chrono::seconds(365LL * 24 * 3600);

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Writes `text` to a new file `path` (never over an existing one), fsynced.
Status write_new_file(const std::string& path, const std::string& text) {
    if (exists(path)) {
        return {Code::kAlreadyExists, path + " exists: init never overwrites (remove it first)"};
    }
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        out << text;
        out.flush();
        if (!out) return {Code::kIoError, "cannot write " + temp};
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) return {Code::kIoError, "cannot rename " + temp + " to " + path + ": " + ec.message()};
    return Status::ok();
}

struct Credentials {
    std::string state;  // "created", "existing", "missing"
    std::string todo;   // for "missing": what the operator does
};

// The node's credentials in `tls_dir`: kept when present; made with the CA found there, or a
// new cluster CA for a primary. A pre-executor never gets a CA of its own (it would be another
// cluster): without one, `todo` says where its credentials come from.
common::Result<Credentials> ensure_credentials(const std::string& tls_dir, const std::string& name,
                                               Role role) {
    const net::TlsFiles files = net::cluster_files(tls_dir, name);
    if (exists(files.cert) && exists(files.key) && exists(files.ca_cert)) {
        return Credentials{"existing", ""};
    }
    const std::vector<std::string> names{name};
    if (exists(files.ca_cert) && exists(tls_dir + "/ca.key")) {
        REMORA_RETURN_IF_ERROR(
            net::add_node_credentials(tls_dir, names, net::validity_from_now(kCredentialValidity)));
        return Credentials{"created", ""};
    }
    if (role == Role::kPrimary && !exists(files.ca_cert)) {
        REMORA_RETURN_IF_ERROR(net::write_cluster_credentials(tls_dir, names, kCredentialValidity));
        return Credentials{"created", ""};
    }
    return Credentials{"missing",
                       "no cluster CA in " + tls_dir +
                           ": on the machine holding the cluster CA (the primary's "
                           "tls directory), run `remora-node keygen --dir THAT_DIR --names " +
                           name +
                           "`, then copy "
                           "ca.pem, " +
                           name + ".pem and " + name + ".key from there into " + tls_dir +
                           " (keep the .key mode 0600)"};
}

class InitCommand final : public cli::Command {
public:
    const cli::CommandSpec& spec() const override { return m_spec; }

    Status check(const cli::Invocation& in) const override {
        const std::string role = *in.text_option("role");
        if (role != "primary" && role != "pre-executor") {
            return cli::usage_error("--role must be primary or pre-executor, got '" + role + "'");
        }
        const auto id = in.unsigned_option("id");
        if (role == "pre-executor" && (!id || *id == 0 || *id > UINT32_MAX)) {
            return cli::usage_error("a pre-executor needs --id N with N in 1..4294967295");
        }
        if (role == "primary" && id) return cli::usage_error("--id is for a pre-executor");
        return Status::ok();
    }

    common::Result<cli::Report> run(cli::Context& context) const override {
        const cli::Invocation& in = context.invocation;
        std::error_code ec;
        std::filesystem::create_directories(*in.text_option("dir"), ec);
        if (ec)
            return Status{Code::kIoError,
                          "cannot create " + *in.text_option("dir") + ": " + ec.message()};
        const std::string dir =
            std::filesystem::absolute(*in.text_option("dir")).lexically_normal().string();

        NodeConfig config;
        config.role = *in.text_option("role") == "primary" ? Role::kPrimary : Role::kPreExecutor;
        config.dir = dir;
        config.tls.dir = dir + "/tls";
        if (config.role == Role::kPrimary) {
            config.net.cluster_port = kExampleClusterPort;
            config.net.ingress_port = kExampleIngressPort;
            config.tls.name = "primary";
        } else {
            config.pre_executor.id = static_cast<std::uint32_t>(*in.unsigned_option("id"));
            config.net.primary = "127.0.0.1:" + std::to_string(kExampleClusterPort);
            config.tls.name = "pre-executor-" + std::to_string(config.pre_executor.id);
        }
        const std::string config_path = dir + "/remora-node.toml";
        if (exists(config_path)) {
            return Status{Code::kAlreadyExists,
                          config_path + " exists: init never overwrites (remove it first)"};
        }
        auto credentials = ensure_credentials(config.tls.dir, config.tls.name, config.role);
        if (!credentials) return credentials.status();
        REMORA_RETURN_IF_ERROR(write_new_file(config_path, node_config_example(config)));

        cli::Report report;
        report.json = {{"command", "init"},
                       {"config", config_path},
                       {"role", config.role == Role::kPrimary ? "primary" : "pre-executor"},
                       {"tls_dir", config.tls.dir},
                       {"credentials", credentials->state}};
        cli::add_field(report.text, "configuration", config_path);
        cli::add_field(
            report.text, "credentials",
            config.tls.dir + "/" + config.tls.name + ".pem (" + credentials->state + ")");
        if (!credentials->todo.empty()) {
            report.json["todo"] = credentials->todo;
            cli::add_field(report.text, "to do", credentials->todo);
        }
        cli::add_field(report.text, "start it with", "remora-node --config " + config_path);
        return report;
    }

private:
    cli::CommandSpec m_spec{
        .name = "init",
        .summary = "write a commented configuration and the credentials of one node",
        .details =
            "Creates DIR and writes DIR/remora-node.toml: every key with a one-line comment "
            "(meaning, allowed values, unit, default), node.dir set to DIR, tls.dir to DIR/tls, "
            "and for a primary the cluster port 7000 and client port 7001 (a pre-executor's "
            "net.primary is 127.0.0.1:7000: edit it). Credentials go to DIR/tls when missing: a "
            "primary gets a new cluster CA there unless one exists; a pre-executor is signed by "
            "the CA found in DIR/tls, and without one init says how to get its credentials from "
            "the machine holding the CA (exit 0). Never overwrites a file.",
        .options =
            {
                {"role", ArgKind::kText, "ROLE", "primary or pre-executor", true},
                {"dir", ArgKind::kPath, "DIR", "the node's directory", true},
                {"id", ArgKind::kUnsigned, "N", "a pre-executor's id, 1..", false},
            },
    };
};

}  // namespace

std::unique_ptr<cli::Command> make_init_command() { return std::make_unique<InitCommand>(); }

}  // namespace remora::tools::node
