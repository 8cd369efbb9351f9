// Shape checks of a package: counts, sizes and names (verifier.h).

#include <set>
#include <string>

#include "executor/vm/limits.h"
#include "executor/vm/verifier.h"

namespace remora::executor::vm {
namespace {

using common::Code;
using common::Status;

Status shape_error(const std::string& message) {
    return Status(Code::kVerificationFailed, "package: " + message);
}

Status check_function_shape(const Function& f, std::size_t index) {
    std::string where = "function #" + std::to_string(index);
    if (!is_valid_function_name(f.name)) {
        return shape_error(where + ": invalid name (1.." +
                           std::to_string(limits::kFunctionNameBytesMax) +
                           " of [A-Za-z0-9_], not starting with a digit)");
    }
    where = "function '" + f.name + "'";
    if (f.arg_count > limits::kArgsMax) {
        return shape_error(where + ": " + std::to_string(f.arg_count) + " arguments, limit " +
                           std::to_string(limits::kArgsMax));
    }
    if (f.return_count > limits::kReturnsMax) {
        return shape_error(where + ": " + std::to_string(f.return_count) + " returns, limit " +
                           std::to_string(limits::kReturnsMax));
    }
    if (f.slot_count() > limits::kLocalsMax) {
        return shape_error(where + ": " + std::to_string(f.slot_count()) +
                           " argument and local slots, limit " +
                           std::to_string(limits::kLocalsMax));
    }
    if (f.code.empty()) return shape_error(where + ": empty code");
    if (f.code.size() > limits::kFunctionCodeBytesMax) {
        return shape_error(where + ": " + std::to_string(f.code.size()) + " code bytes, limit " +
                           std::to_string(limits::kFunctionCodeBytesMax));
    }
    return Status::ok();
}

}  // namespace

Status check_package_shape(const Package& package) {
    if (package.functions.empty()) return shape_error("no functions");
    if (package.functions.size() > limits::kFunctionsMax) {
        return shape_error(std::to_string(package.functions.size()) + " functions, limit " +
                           std::to_string(limits::kFunctionsMax));
    }
    if (package.constants.size() > limits::kConstantsMax) {
        return shape_error(std::to_string(package.constants.size()) + " constants, limit " +
                           std::to_string(limits::kConstantsMax));
    }
    std::size_t constant_bytes = 0;
    for (std::size_t i = 0; i < package.constants.size(); ++i) {
        if (package.constants[i].size() > limits::kBytesLengthMax) {
            return shape_error("constant #" + std::to_string(i) + " is " +
                               std::to_string(package.constants[i].size()) + " bytes, limit " +
                               std::to_string(limits::kBytesLengthMax));
        }
        constant_bytes += package.constants[i].size();
    }
    if (constant_bytes > limits::kConstantsBytesMax) {
        return shape_error("constants total " + std::to_string(constant_bytes) + " bytes, limit " +
                           std::to_string(limits::kConstantsBytesMax));
    }
    std::set<std::string> names;
    std::size_t code_bytes = 0;
    for (std::size_t i = 0; i < package.functions.size(); ++i) {
        const Function& f = package.functions[i];
        REMORA_RETURN_IF_ERROR(check_function_shape(f, i));
        if (!names.insert(f.name).second) {
            return shape_error("duplicate function name '" + f.name + "'");
        }
        code_bytes += f.code.size();
    }
    if (code_bytes > limits::kPackageCodeBytesMax) {
        return shape_error("code totals " + std::to_string(code_bytes) + " bytes, limit " +
                           std::to_string(limits::kPackageCodeBytesMax));
    }
    return Status::ok();
}

}  // namespace remora::executor::vm
