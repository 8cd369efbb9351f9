#include "tools/inspect/driver.h"

#include "tools/inspect/command.h"

namespace remora::tools::inspect {

const cli::ToolSpec& inspect_tool() {
    static const cli::ToolSpec tool{
        .name = kToolName,
        .summary = "inspect a Remora database (read-only unless a command says otherwise)",
        .global_options = {{"db", ArgKind::kPath, "DIR",
                            "the store's directory (a node's data directory)", true}},
        .default_command = "status",
        .exit_codes_help =
            "Exit codes:\n"
            "  0   ok\n"
            "  1   failure (unknown object, commit or transaction, not a Remora database, I/O "
            "error)\n"
            "  2   usage error\n"
            "  65  verification failed (digest mismatch, corrupt snapshot or data, wrong format "
            "version, stores that part in diff)\n"
            "  75  database locked by a running node (snapshot create, prune, compact; read-only "
            "commands work beside it)\n",
        .docs_page = "docs/tools/remora-inspect.md",
    };
    return tool;
}

Result<Report> Command::run(cli::Context& context) const {
    std::unique_ptr<storage::Store> store;
    if (access() != StoreAccess::kNone) {
        const storage::OpenMode mode = access() == StoreAccess::kReadWrite
                                           ? storage::OpenMode::kReadWrite
                                           : storage::OpenMode::kReadOnly;
        // The store's errors already name the directory and what is wrong with it.
        auto opened = storage::Store::open(*context.invocation.text_option("db"), mode);
        if (!opened) return opened.status();
        store = std::move(*opened);
    }
    Context inspect_context{context.invocation, store.get(), context.progress};
    return inspect(inspect_context);
}

int run_inspect(std::span<const std::string> args) {
    return cli::run_tool(inspect_tool(), make_commands(), args);
}

}  // namespace remora::tools::inspect
