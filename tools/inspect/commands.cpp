#include "tools/inspect/command.h"

namespace remora::tools::inspect {

std::vector<std::unique_ptr<cli::Command>> make_commands() {
    std::vector<std::unique_ptr<cli::Command>> commands;
    commands.push_back(make_status_command());
    commands.push_back(make_stats_command());
    commands.push_back(make_get_command());
    commands.push_back(make_history_command());
    commands.push_back(make_commit_command());
    commands.push_back(make_tx_command());
    commands.push_back(make_digest_command());
    commands.push_back(make_diff_command());
    commands.push_back(make_replay_verify_command());
    commands.push_back(make_prune_command());
    commands.push_back(make_compact_command());
    commands.push_back(make_snapshot_list_command());
    commands.push_back(make_snapshot_create_command());
    commands.push_back(make_snapshot_verify_command());
    commands.push_back(make_snapshot_restore_command());
    return commands;
}

}  // namespace remora::tools::inspect
