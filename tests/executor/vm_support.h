#pragma once
// Helpers shared by the VM tests: build a package from assembly, run it, read example programs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "executor/vm/interpreter.h"
#include "executor/vm/package.h"
#include "tests/executor/vm_fake_host.h"

namespace remora::testing {

inline constexpr std::uint64_t kGasPlenty = 100'000'000;

// Assembles and verifies `source`; fails the current test (REQUIRE) on any error.
executor::vm::VerifiedPackage build_package(std::string_view source);

// Assembles, verifies and runs `entry`; a fresh FakeHost unless `host` is given.
executor::vm::ExecutionOutcome run_program(std::string_view source, std::string_view entry,
                                           std::vector<executor::vm::Value> args,
                                           std::uint64_t gas = kGasPlenty,
                                           FakeHost* host = nullptr);

// The text of executor/programs/<relative>.
std::string read_program(const std::string& relative);

inline executor::vm::Value int_value(std::uint64_t v) { return executor::vm::Value::integer(v); }
inline executor::vm::Value bytes_value(std::string v) {
    return executor::vm::Value::bytes(std::move(v));
}

}  // namespace remora::testing
