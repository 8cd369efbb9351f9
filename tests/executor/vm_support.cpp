#include "tests/executor/vm_support.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "executor/vm/assembler.h"
#include "executor/vm/verifier.h"

namespace remora::testing {

executor::vm::VerifiedPackage build_package(std::string_view source) {
    common::Result<executor::vm::Package> package = executor::vm::assemble(source);
    INFO(package.status().to_string());
    REQUIRE(package.is_ok());
    common::Result<executor::vm::VerifiedPackage> verified =
        executor::vm::verify_package(std::move(package).value());
    INFO(verified.status().to_string());
    REQUIRE(verified.is_ok());
    return std::move(verified).value();
}

executor::vm::ExecutionOutcome run_program(std::string_view source, std::string_view entry,
                                           std::vector<executor::vm::Value> args, std::uint64_t gas,
                                           FakeHost* host) {
    executor::vm::VerifiedPackage package = build_package(source);
    FakeHost local;
    return executor::vm::execute(package, entry, args, gas, host != nullptr ? *host : local);
}

std::string read_program(const std::string& relative) {
    std::string path = std::string(REMORA_SOURCE_DIR) + "/executor/programs/" + relative;
    std::ifstream in(path, std::ios::binary);
    INFO(path);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace remora::testing
