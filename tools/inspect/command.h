#pragma once
// One subcommand of remora-inspect = one small class (after RocksDB's ldb tools) over the shared
// tools/cli Command: its spec (name, help, arguments), the access it needs to the store, and
// inspect(). The store is opened here, as the command's access says, before inspect() runs.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "tools/cli/command.h"
#include "tools/inspect/report.h"

namespace remora::tools::inspect {

using cli::ArgKind;
using cli::CommandSpec;
using cli::Invocation;
using common::Result;
using common::Status;

enum class StoreAccess {
    kNone,       // works on files named by its arguments; the store is not opened
    kReadOnly,   // the default: works beside a running node
    kReadWrite,  // takes the database lock: fails with exit 75 beside a running node
};

struct Context {
    const Invocation& invocation;
    storage::Store* store = nullptr;  // non-null unless the command's access is kNone
    bool progress = false;            // stderr is a terminal: long work may say what it does

    // The --db directory, when given (every command but `snapshot verify|restore` requires it).
    std::optional<std::string> db_dir() const { return invocation.text_option("db"); }
};

class Command : public cli::Command {
public:
    virtual StoreAccess access() const = 0;
    // Errors are returned; a report may still carry a failed verdict (see Report).
    virtual Result<Report> inspect(Context& context) const = 0;

    // Opens the store as access() says, then inspect().
    Result<Report> run(cli::Context& context) const final;
};

// The tool: its name, --db and the default command (docs/tools/remora-inspect.md).
const cli::ToolSpec& inspect_tool();

// Every command, in the order the tool's help lists them.
std::vector<std::unique_ptr<cli::Command>> make_commands();

std::unique_ptr<Command> make_status_command();
std::unique_ptr<Command> make_stats_command();
std::unique_ptr<Command> make_get_command();
std::unique_ptr<Command> make_history_command();
std::unique_ptr<Command> make_commit_command();
std::unique_ptr<Command> make_tx_command();
std::unique_ptr<Command> make_digest_command();
std::unique_ptr<Command> make_diff_command();
std::unique_ptr<Command> make_replay_verify_command();
std::unique_ptr<Command> make_prune_command();
std::unique_ptr<Command> make_compact_command();
std::unique_ptr<Command> make_snapshot_list_command();
std::unique_ptr<Command> make_snapshot_create_command();
std::unique_ptr<Command> make_snapshot_verify_command();
std::unique_ptr<Command> make_snapshot_restore_command();

}  // namespace remora::tools::inspect
