#pragma once
// One subcommand of remora-inspect = one small class (after RocksDB's ldb tools): its spec (name,
// help, arguments), the access it needs to the store, and run().

#include <memory>
#include <vector>

#include "storage/store.h"
#include "tools/inspect/args.h"
#include "tools/inspect/report.h"

namespace remora::tools::inspect {

enum class StoreAccess {
    kNone,       // works on files named by its arguments; the store is not opened
    kReadOnly,   // the default: works beside a running node
    kReadWrite,  // takes the database lock: fails with exit 75 beside a running node
};

struct Context {
    const Invocation& invocation;
    storage::Store* store = nullptr;  // non-null unless the command's access is kNone
    bool progress = false;            // stderr is a terminal: long work may say what it does
};

class Command {
public:
    virtual ~Command() = default;
    virtual const CommandSpec& spec() const = 0;
    virtual StoreAccess access() const = 0;
    // Errors are returned; a report may still carry a failed verdict (see Report).
    virtual Result<Report> run(Context& context) const = 0;
};

// Every command, in the order the tool's help lists them.
std::vector<std::unique_ptr<Command>> make_commands();

std::unique_ptr<Command> make_status_command();
std::unique_ptr<Command> make_stats_command();
std::unique_ptr<Command> make_get_command();
std::unique_ptr<Command> make_history_command();
std::unique_ptr<Command> make_commit_command();
std::unique_ptr<Command> make_digest_command();
std::unique_ptr<Command> make_replay_verify_command();
std::unique_ptr<Command> make_snapshot_list_command();
std::unique_ptr<Command> make_snapshot_create_command();
std::unique_ptr<Command> make_snapshot_verify_command();
std::unique_ptr<Command> make_snapshot_restore_command();

}  // namespace remora::tools::inspect
