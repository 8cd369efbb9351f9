#include "executor/protocol/messages.h"

#include <map>
#include <string>

#include "executor/protocol/limits.h"
#include "executor/tx/ids.h"
#include "executor/tx/object_codec.h"

namespace remora::executor::protocol {
namespace {

common::Status invalid(const std::string& message) {
    return {common::Code::kInvalidArgument, "pre-executor result: " + message};
}

// Every changed object must carry the version the table's reads give (ids.h).
common::Status check_version_rule(const PreExecResult& result) {
    const Effects& effects = result.effects;
    if (effects.written.empty() && effects.created.empty() && effects.deleted.empty()) {
        return common::Status::ok();
    }
    if (!effects.status.is_success()) return invalid("aborted effects change objects");
    auto version = output_version(result.table);
    if (!version) return invalid("the table's reads give no output version");
    Version changed = !effects.written.empty()   ? effects.written.front().version
                      : !effects.created.empty() ? effects.created.front().version
                                                 : effects.deleted.front().version;
    if (changed != version.value()) {
        return invalid("effects at version " + std::to_string(changed) +
                       ", but the table's reads give " + std::to_string(version.value()));
    }
    return common::Status::ok();
}

common::Status check_speculative_reads(const PreExecResult& result) {
    // Most results read nothing speculatively: no map of the reads for them.
    if (result.speculative_reads.empty()) return common::Status::ok();
    if (result.speculative_reads.size() > result.table.reads.size()) {
        return invalid("more speculative reads than reads");
    }
    std::map<ObjectId, Version> reads;
    for (const ObjectRead& read : result.table.reads) reads.emplace(read.id, read.version);
    for (std::size_t i = 0; i < result.speculative_reads.size(); ++i) {
        const SpeculativeRead& read = result.speculative_reads[i];
        std::string field = "speculative_reads[" + std::to_string(i) + "]";
        if (i > 0 && !(result.speculative_reads[i - 1].id < read.id)) {
            return invalid(field + ": ids must be strictly ascending");
        }
        auto it = reads.find(read.id);
        if (it == reads.end()) return invalid(field + ": " + read.id.hex() + " is no read");
        if (it->second != read.version) {
            return invalid(field + ": version " + std::to_string(read.version) +
                           " differs from the table's " + std::to_string(it->second));
        }
    }
    return common::Status::ok();
}

}  // namespace

common::Status validate_pre_exec_result(const PreExecResult& result) {
    if (result.effects.tx_digest != result.tx_digest) {
        return invalid("effects.tx_digest differs from tx_digest");
    }
    if (result.table.tx_digest != result.tx_digest) {
        return invalid("table.tx_digest differs from tx_digest");
    }
    REMORA_RETURN_IF_ERROR(validate_effects(result.effects).with_context("pre-executor result"));
    REMORA_RETURN_IF_ERROR(validate_lookup_table(result.table).with_context("pre-executor result"));
    REMORA_RETURN_IF_ERROR(check_version_rule(result));
    return check_speculative_reads(result);
}

std::uint64_t state_update_bytes(const StateUpdate& update) {
    std::uint64_t bytes = limits::kStateUpdateHeaderBytes;
    for (const Object& object : update.objects) bytes += encode_object(object).size();
    bytes += update.tombstones.size() * limits::kStateUpdateTombstoneBytes;
    return bytes;
}

}  // namespace remora::executor::protocol
