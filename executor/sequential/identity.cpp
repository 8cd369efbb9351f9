#include "executor/sequential/identity.h"

#include <array>

#include "common/hash.h"
#include "common/status.h"
#include "executor/exec/rules.h"
#include "executor/programs/programs.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/opcode.h"

namespace remora::executor {
namespace {

ExecutorIdentity compute_identity(std::uint32_t rules_version) {
    common::Bytes input("remora/executor-identity/v1");
    common::put_be32(input, rules_version);
    for (std::size_t i = 0; i < vm::op_count(); ++i) {
        const vm::OpInfo& op = vm::op_at(i);
        input.push_back(static_cast<char>(op.opcode));
        common::put_be32(input, op.gas_base);
        common::put_be32(input, op.gas_per_word);
    }
    for (std::size_t i = 0; i < vm::host_function_count(); ++i) {
        const vm::HostSignature& host = vm::host_function_at(i);
        input.push_back(static_cast<char>(host.function));
        common::put_be32(input, host.gas_base);
        common::put_be32(input, host.gas_per_input_word);
        common::put_be32(input, host.gas_per_output_word);
        common::put_be32(input, host.gas_per_round);
    }
    common::put_be64(input, gas::kPerTransaction);
    common::put_be64(input, gas::kPerAuthenticator);
    common::put_be64(input, gas::kPerInput);
    if (rules_version >= kRulesV2) common::put_be64(input, kExpiryHorizonCommits);
    for (programs::ProgramId program : programs::kAllPrograms) {
        const common::Bytes package = programs::program_package_bytes(program);
        common::put_be64(input, package.size());
        input += package;
    }
    return ExecutorIdentity{rules_version, common::blake2b_256(input)};
}

}  // namespace

bool rules_version_known(std::uint32_t rules_version) {
    return rules_version == kRulesV1 || rules_version == kRulesV2;
}

const ExecutorIdentity& executor_identity(std::uint32_t rules_version) {
    REMORA_ASSERT(rules_version_known(rules_version));
    static const std::array<ExecutorIdentity, 2> identities = {compute_identity(kRulesV1),
                                                               compute_identity(kRulesV2)};
    return identities[rules_version - 1];
}

std::string describe_identity(const ExecutorIdentity& identity) {
    return "rules v" + std::to_string(identity.rules_version) + ", " +
           identity.digest.hex().substr(0, 16);
}

}  // namespace remora::executor
