#include "executor/tx/lookup_table.h"

#include <algorithm>
#include <string>

#include "executor/tx/field_path.h"
#include "executor/tx/limits.h"

namespace remora::executor {
namespace {

common::Status invalid(const std::string& message) {
    return {common::Code::kInvalidArgument, "lookup_table." + message};
}

std::string over(std::size_t n, std::size_t limit, const char* what) {
    return std::to_string(n) + " " + what + " exceed the limit of " + std::to_string(limit);
}

common::Status validate_reads(const std::vector<ObjectRead>& reads) {
    if (reads.size() > limits::kLookupReadsMax) {
        return invalid("reads: " + over(reads.size(), limits::kLookupReadsMax, "reads"));
    }
    std::vector<ObjectId> ids;
    ids.reserve(reads.size());
    const FieldPath list("reads");
    for (std::size_t i = 0; i < reads.size(); ++i) {
        const ObjectRead& read = reads[i];
        const FieldPath field(list, i);
        if (read.kind != ObjectRead::Kind::kDeclared && read.kind != ObjectRead::Kind::kDynamic) {
            return invalid(field.str() + ".kind: unknown read kind " +
                           std::to_string(static_cast<int>(read.kind)));
        }
        if (read.version > limits::kVersionMax || (read.exists && read.version == 0)) {
            return invalid(field.str() + ".version: " + std::to_string(read.version) +
                           " is outside " + (read.exists ? "1.." : "0..") +
                           std::to_string(limits::kVersionMax));
        }
        ids.push_back(read.id);
    }
    std::sort(ids.begin(), ids.end());
    auto dup = std::adjacent_find(ids.begin(), ids.end());
    if (dup != ids.end()) return invalid("reads: object " + dup->hex() + " is recorded twice");
    return common::Status::ok();
}

common::Status validate_calls(const std::vector<PrecompileCall>& calls) {
    if (calls.size() > limits::kPrecompileCallsMax) {
        return invalid("precompile_calls: " +
                       over(calls.size(), limits::kPrecompileCallsMax, "calls"));
    }
    for (std::size_t i = 0; i < calls.size(); ++i) {
        if (calls[i].output.size() > limits::kPrecompileOutputBytesMax) {
            return invalid(
                "precompile_calls[" + std::to_string(i) + "].output: " +
                over(calls[i].output.size(), limits::kPrecompileOutputBytesMax, "bytes"));
        }
    }
    return common::Status::ok();
}

}  // namespace

common::Status validate_lookup_table(const LookupTable& table) {
    REMORA_RETURN_IF_ERROR(validate_reads(table.reads));
    if (table.authenticators.size() > limits::kAuthenticatorsMax) {
        return invalid("authenticators: " +
                       over(table.authenticators.size(), limits::kAuthenticatorsMax, "checks"));
    }
    for (std::size_t i = 0; i < table.authenticators.size(); ++i) {
        auto status = table.authenticators[i].status;
        if (status != AuthenticatorStatus::kVerified && status != AuthenticatorStatus::kFailed) {
            return invalid("authenticators[" + std::to_string(i) + "].status: unknown status " +
                           std::to_string(static_cast<int>(status)));
        }
    }
    REMORA_RETURN_IF_ERROR(validate_calls(table.precompile_calls));
    const auto& dynamic = table.dynamic_objects;
    if (dynamic.size() > limits::kDynamicObjectsMax) {
        return invalid("dynamic_objects: " +
                       over(dynamic.size(), limits::kDynamicObjectsMax, "ids"));
    }
    for (std::size_t i = 1; i < dynamic.size(); ++i) {
        if (!(dynamic[i - 1] < dynamic[i])) {
            return invalid("dynamic_objects[" + std::to_string(i) +
                           "]: ids must be strictly ascending");
        }
    }
    return common::Status::ok();
}

}  // namespace remora::executor
