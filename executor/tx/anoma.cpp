#include "executor/tx/anoma.h"

#include "executor/tx/limits.h"

namespace remora::executor {
namespace {

common::Status invalid(const std::string& message) {
    return {common::Code::kInvalidArgument, message};
}

common::Status check_abort_code(const std::string& field, AbortCode code) {
    if (static_cast<std::uint16_t>(code) > kAbortCodeMax) {
        return invalid(field + ": unknown abort code " +
                       std::to_string(static_cast<std::uint16_t>(code)));
    }
    return common::Status::ok();
}

// KvsRead and KvsWrite share their shape: a key, a version and an optional object.
common::Status check_keyed(const std::string& name, const ObjectId& key, Version version,
                           const std::optional<Object>& data, bool absent_version_may_be_zero) {
    if (data) {
        REMORA_RETURN_IF_ERROR(validate_object(*data, name + ".data"));
        if (data->id != key) {
            return invalid(name + ".data.id: " + data->id.hex() + " differs from key " + key.hex());
        }
        if (data->version != version) {
            return invalid(name + ".version: " + std::to_string(version) +
                           " differs from data.version " + std::to_string(data->version));
        }
        return common::Status::ok();
    }
    Version low = absent_version_may_be_zero ? 0 : 1;
    if (version < low || version > limits::kVersionMax) {
        return invalid(name + ".version: " + std::to_string(version) + " is outside " +
                       std::to_string(low) + ".." + std::to_string(limits::kVersionMax));
    }
    return common::Status::ok();
}

struct Validator {
    common::Status operator()(const ExecuteTransaction& m) const {
        return validate_transaction(m.executable).with_context("ExecuteTransaction.executable");
    }
    common::Status operator()(const KvsRead& m) const {
        return check_keyed("KvsRead", m.key, m.version, m.data, true);
    }
    common::Status operator()(const KvsWrite& m) const {
        // A deletion writes a tombstone, which has a real version like any write.
        return check_keyed("KvsWrite", m.key, m.version, m.data, false);
    }
    common::Status operator()(const ExecutorFinished& m) const {
        return check_abort_code("ExecutorFinished.status", m.status);
    }
    common::Status operator()(const ExecutionSummary& m) const {
        return validate_execution_status(m.status, "ExecutionSummary.status");
    }
};

}  // namespace

const char* anoma_message_name(const AnomaMessage& message) {
    static constexpr const char* kNames[] = {"ExecuteTransaction", "KvsRead", "KvsWrite",
                                             "ExecutorFinished", "ExecutionSummary"};
    static_assert(std::size(kNames) == std::variant_size_v<AnomaMessage>);
    return kNames[message.index()];
}

common::Status validate_anoma_message(const AnomaMessage& message) {
    return std::visit(Validator{}, message);
}

}  // namespace remora::executor
