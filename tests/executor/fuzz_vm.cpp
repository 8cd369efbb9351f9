// libFuzzer target for the VM (built with REMORA_FUZZ=ON, Clang): input bytes are either an
// encoded package or the code of a function in a fixed package. Oracles: decoding never
// crashes; a decoded package survives disassemble + assemble unchanged; a verified package
// runs every function twice with identical outcomes, within the gas budget and step limit.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "executor/vm/assembler.h"
#include "executor/vm/disassembler.h"
#include "executor/vm/interpreter.h"
#include "executor/vm/limits.h"
#include "executor/vm/package_codec.h"
#include "executor/vm/verifier.h"
#include "tests/executor/vm_fake_host.h"

namespace {

namespace vm = remora::executor::vm;

constexpr std::uint64_t kGasBudget = 20'000;

void check(bool condition) {
    if (!condition) std::abort();
}

void run_all(const vm::VerifiedPackage& package) {
    for (std::size_t i = 0; i < package.function_count(); ++i) {
        const vm::Function& f = package.function(i);
        std::vector<vm::Value> args;
        for (std::size_t a = 0; a < f.arg_count; ++a) {
            args.push_back(a % 2 == 0 ? vm::Value::integer(a + 3) : vm::Value::bytes("arg"));
        }
        remora::testing::FakeHost host_a, host_b;
        host_a.add_input("input");
        host_b.add_input("input");
        auto index = static_cast<std::uint16_t>(i);
        vm::ExecutionOutcome a = vm::execute(package, index, args, kGasBudget, host_a);
        vm::ExecutionOutcome b = vm::execute(package, index, args, kGasBudget, host_b);
        check(a == b);
        check(host_a.objects == host_b.objects && host_a.calls == host_b.calls);
        check(a.gas_used <= kGasBudget && a.steps <= vm::limits::kStepsMax);
        check(a.is_ok() ? a.returns.size() == f.return_count : a.returns.empty());
    }
}

void check_package(vm::Package package) {
    auto again = vm::assemble(vm::disassemble(package));
    check(again.is_ok() && *again == package);
    auto verified = vm::verify_package(std::move(package));
    if (verified.is_ok()) run_all(*verified);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    remora::common::ByteView bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] % 2 == 0) {
        auto decoded = vm::decode_package(bytes);
        if (decoded.is_ok()) check_package(std::move(decoded).value());
        return 0;
    }
    vm::Package package;
    package.constants = {"", "constant"};
    vm::Function f;
    f.name = "fuzzed";
    f.arg_count = 1;
    f.local_count = 2;
    f.return_count = data[0] % 3 == 0 ? 1 : 0;
    f.code = std::string(bytes);
    package.functions.push_back(std::move(f));
    if (vm::check_package_shape(package).is_ok()) check_package(std::move(package));
    return 0;
}
