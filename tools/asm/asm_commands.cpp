#include "tools/asm/asm_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "executor/vm/assembler.h"
#include "executor/vm/disassembler.h"
#include "executor/vm/interpreter.h"
#include "executor/vm/limits.h"
#include "executor/vm/package_codec.h"
#include "executor/vm/verifier.h"
#include "tools/asm/null_host.h"
#include "tools/cli/command.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/json_output.h"

namespace remora::tools::asm_tool {
namespace {

namespace vm = executor::vm;
using common::Bytes;
using common::Code;
using common::Result;
using common::Status;
using Json = nlohmann::json;

bool is_source(const std::string& path) {
    return path.size() >= 5 && path.compare(path.size() - 5, 5, ".rasm") == 0;
}

// I/O problems exit 1; anything wrong with the input's contents exits 65.
int exit_code(const Status& status) {
    return status.code() == Code::kIoError ? kExitFailure : kExitVerificationFailed;
}

// Messages can quote the input (an assembler token, a path): at most this many bytes of one are
// shown, control bytes and invalid UTF-8 escaped, so random bytes never reach the terminal.
constexpr std::size_t kMessageShownBytesMax = 400;

// A failed report with the exit code the command decided; the message excerpted.
cli::Report failure(const Status& status, int code) {
    cli::Report report;
    report.verdict = Status(status.code(), excerpt(status.message(), kMessageShownBytesMax));
    report.exit_code = code;
    return report;
}

Result<Bytes> read_file(const std::string& path, std::size_t max_bytes) {
    std::error_code ec;
    std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return Status(Code::kIoError, path + ": " + ec.message());
    if (size > max_bytes) {
        return Status(Code::kCorruption, path + ": " + std::to_string(size) + " bytes, limit " +
                                             std::to_string(max_bytes));
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return Status(Code::kIoError, path + ": read failed");
    return text.str();
}

Status io_error(const std::string& path, const std::string& what, int error) {
    return Status(Code::kIoError, path + ": " + what + ": " + std::strerror(error));
}

// Writes through a temporary file beside OUT and a rename, so OUT is either absent, old or
// complete, and nothing else is left behind on any failure.
Status write_file(const std::string& path, const std::string& bytes) {
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) {
        return Status(Code::kIoError, path + ": cannot write the output: it is a directory");
    }
    // A unique name (mkstemp), so that a file the user keeps as OUT.tmp is never overwritten.
    std::string pattern = path + ".tmp-XXXXXX";
    std::vector<char> tmp(pattern.begin(), pattern.end());
    tmp.push_back('\0');
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) return io_error(path, "cannot create the output", errno);
    std::string tmp_path(tmp.data());
    auto give_up = [&](const char* what, int error) {
        ::close(fd);
        ::unlink(tmp_path.c_str());
        return io_error(path, what, error);
    };
    // mkstemp creates 0600; an output file gets the usual permissions.
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0) return give_up("cannot set permissions", errno);
    for (std::size_t done = 0; done < bytes.size();) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return give_up("write failed", errno);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return give_up("sync failed", errno);
    if (::close(fd) != 0) {
        int error = errno;
        ::unlink(tmp_path.c_str());
        return io_error(path, "write failed", error);
    }
    if (::rename(tmp_path.c_str(), path.c_str()) != 0) {
        int error = errno;
        ::unlink(tmp_path.c_str());
        return io_error(path, "cannot replace the output", error);
    }
    return Status::ok();
}

// Reads IN as source (assembled) or as an encoded package (decoded), by its name.
Result<vm::Package> load(const std::string& path, bool as_source) {
    std::size_t max =
        as_source ? vm::limits::kAssemblySourceBytesMax : vm::limits::kPackageBytesMax;
    Result<Bytes> bytes = read_file(path, max);
    if (!bytes) return bytes.status();
    Result<vm::Package> package = as_source ? vm::assemble(*bytes) : vm::decode_package(*bytes);
    if (!package)
        return Status(package.status().code(),
                      path + ":" + (as_source ? "" : " ") + package.status().message());
    return package;
}

Result<vm::VerifiedPackage> load_verified(const std::string& path, bool as_source) {
    Result<vm::Package> package = load(path, as_source);
    if (!package) return package.status();
    Result<vm::VerifiedPackage> verified = vm::verify_package(std::move(package).value());
    if (!verified)
        return Status(verified.status().code(), path + ": " + verified.status().message());
    return verified;
}

Json value_json(const vm::Value& v) { return v.is_int() ? Json(v.as_int()) : Json(v.to_string()); }

Result<cli::Report> assemble_command(const AsmArgs& inv, cli::Context& /*context*/) {
    Result<vm::Package> package = load(inv.input, true);
    if (!package) return failure(package.status(), exit_code(package.status()));
    if (!inv.no_verify) {
        Result<vm::VerifiedPackage> verified = vm::verify_package(*package);
        if (!verified) {
            Status s(verified.status().code(), inv.input + ": " + verified.status().message());
            return failure(s, kExitVerificationFailed);
        }
    }
    Bytes encoded = vm::encode_package(*package);
    Status written = write_file(*inv.output, encoded);
    if (!written.is_ok()) return failure(written, kExitFailure);
    Json report = {{"command", "assemble"},
                   {"input", inv.input},
                   {"output", *inv.output},
                   {"bytes", encoded.size()},
                   {"functions", package->functions.size()},
                   {"constants", package->constants.size()},
                   {"verified", !inv.no_verify}};
    return cli::Report{report,
                       "wrote " + *inv.output + ": " + std::to_string(encoded.size()) + " bytes, " +
                           std::to_string(package->functions.size()) + " functions, " +
                           std::to_string(package->constants.size()) + " constants\n",
                       {},
                       {}};
}

Result<cli::Report> disassemble_command(const AsmArgs& inv, cli::Context& /*context*/) {
    Result<vm::Package> package = load(inv.input, is_source(inv.input));
    if (!package) return failure(package.status(), exit_code(package.status()));
    std::string text = vm::disassemble(*package);
    if (inv.output) {
        Status written = write_file(*inv.output, text);
        if (!written.is_ok()) return failure(written, kExitFailure);
    }
    Json report = {{"command", "disassemble"}, {"input", inv.input}};
    if (inv.output) {
        report["output"] = *inv.output;
    } else {
        report["text"] = text;
    }
    return cli::Report{report, inv.output ? "" : text, {}, {}};
}

Result<cli::Report> verify_command(const AsmArgs& inv, cli::Context& /*context*/) {
    Result<vm::VerifiedPackage> verified = load_verified(inv.input, is_source(inv.input));
    if (!verified) return failure(verified.status(), exit_code(verified.status()));
    Json functions = Json::array();
    std::string text = inv.input + ": ok, " + std::to_string(verified->function_count()) +
                       " functions, " + std::to_string(verified->package().constants.size()) +
                       " constants\n";
    for (std::size_t i = 0; i < verified->function_count(); ++i) {
        const vm::Function& f = verified->function(i);
        functions.push_back({{"name", f.name},
                             {"args", f.arg_count},
                             {"locals", f.local_count},
                             {"returns", f.return_count},
                             {"code_bytes", f.code.size()},
                             {"max_stack", verified->max_stack(i)}});
        text += "  " + f.name + " args=" + std::to_string(f.arg_count) +
                " locals=" + std::to_string(f.local_count) +
                " returns=" + std::to_string(f.return_count) +
                " code=" + std::to_string(f.code.size()) +
                "B max_stack=" + std::to_string(verified->max_stack(i)) + "\n";
    }
    Json report = {{"command", "verify"},
                   {"input", inv.input},
                   {"ok", true},
                   {"constants", verified->package().constants.size()},
                   {"functions", functions}};
    return cli::Report{report, text, {}, {}};
}

// The entry named on the command line, or a usage error that lists the package's functions: the
// VM's invalid_entry abort alone would only say "at f0:0" on stdout.
Status check_entry(const AsmArgs& inv, const vm::VerifiedPackage& verified) {
    std::string names;
    for (std::size_t i = 0; i < verified.function_count(); ++i) {
        const vm::Function& f = verified.function(i);
        if (f.name == inv.entry) {
            if (f.arg_count == inv.args.size()) return Status::ok();
            return Status(Code::kInvalidArgument, inv.input + ": entry '" + inv.entry + "' takes " +
                                                      std::to_string(f.arg_count) + " arguments, " +
                                                      std::to_string(inv.args.size()) +
                                                      " given (--arg)");
        }
        names += (names.empty() ? "" : ", ") + f.name;
    }
    return Status(Code::kInvalidArgument,
                  inv.input + ": no function '" + inv.entry + "' (functions: " + names + ")");
}

Result<cli::Report> run_command(const AsmArgs& inv, cli::Context& /*context*/) {
    Result<vm::VerifiedPackage> verified = load_verified(inv.input, is_source(inv.input));
    if (!verified) return failure(verified.status(), exit_code(verified.status()));
    if (Status entry = check_entry(inv, *verified); !entry.is_ok()) {
        return failure(entry, kExitUsage);
    }
    NullHost host;
    vm::ExecutionOutcome outcome = vm::execute(*verified, inv.entry, inv.args, inv.gas, host);
    Json returns = Json::array();
    for (const vm::Value& v : outcome.returns) returns.push_back(value_json(v));
    Json events = Json::array();
    std::string text = outcome.to_string() + " steps=" + std::to_string(outcome.steps) + "\n";
    for (const auto& [tag, data] : host.events) {
        events.push_back({{"type", tag}, {"data", "0x" + common::to_hex(data)}});
        text += "event " + tag + " 0x" + common::to_hex(data) + "\n";
    }
    Json report = {{"command", "run"},
                   {"input", inv.input},
                   {"entry", inv.entry},
                   {"status", vm::exec_status_name(outcome.status)},
                   {"abort_code", outcome.abort_code},
                   {"gas_used", outcome.gas_used},
                   {"steps", outcome.steps},
                   {"returns", returns},
                   {"events", events}};
    if (!outcome.is_ok()) {
        report["abort_function"] = outcome.abort_function;
        report["abort_pc"] = outcome.abort_pc;
    }
    // An aborted program is a result, not an error: its report, and exit 1.
    return cli::Report{report, text, {}, outcome.is_ok() ? kExitOk : kExitFailure};
}

}  // namespace

int run_asm(std::span<const std::string> args) {
    std::vector<std::unique_ptr<cli::Command>> commands;
    using AsmCommand = cli::TypedCommand<AsmArgs>;
    commands.push_back(std::make_unique<AsmCommand>(assemble_spec(), asm_args, assemble_command));
    commands.push_back(
        std::make_unique<AsmCommand>(disassemble_spec(), asm_args, disassemble_command));
    commands.push_back(std::make_unique<AsmCommand>(verify_spec(), asm_args, verify_command));
    commands.push_back(std::make_unique<AsmCommand>(run_spec(), asm_args, run_command));
    return cli::run_tool(asm_tool(), commands, args);
}

}  // namespace remora::tools::asm_tool
