// Bounded random-input properties: random bytes as packages, random instruction streams and
// random mutations of the example programs. Decoding, verifying and executing never crash,
// never pass a limit, and the same input always gives the same output. The seed is fixed
// (override with REMORA_VM_PROPERTY_SEED) and printed on failure.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/random.h"
#include "executor/vm/assembler.h"
#include "executor/vm/disassembler.h"
#include "executor/vm/host_functions.h"
#include "executor/vm/interpreter.h"
#include "executor/vm/limits.h"
#include "executor/vm/opcode.h"
#include "executor/vm/package_codec.h"
#include "executor/vm/verifier.h"
#include "tests/executor/vm_support.h"

namespace {

namespace vm = remora::executor::vm;
namespace limits = remora::executor::vm::limits;
using remora::common::Bytes;
using remora::testing::FakeHost;

constexpr std::uint64_t kGasBudget = 5000;

std::uint64_t seed() {
    const char* text = std::getenv("REMORA_VM_PROPERTY_SEED");
    return text != nullptr ? std::strtoull(text, nullptr, 0) : 0x52454D4F5241ULL;
}

class Random {
public:
    explicit Random(std::uint64_t s) : m_engine(s) {}
    // The draw the fixed seed's inputs were made with.
    std::uint64_t below(std::uint64_t n) {
        return remora::common::below_modulo_or_zero(m_engine, n);
    }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }
    Bytes bytes(std::size_t max_length) {
        Bytes out(below(max_length + 1), '\0');
        for (char& c : out) c = static_cast<char>(below(256));
        return out;
    }

private:
    std::mt19937_64 m_engine;
};

std::vector<vm::Value> random_args(Random& rng, std::size_t count) {
    std::vector<vm::Value> args;
    for (std::size_t i = 0; i < count; ++i) {
        if (rng.chance(60)) {
            args.push_back(
                vm::Value::integer(rng.chance(80) ? rng.below(40) : rng.below(UINT64_MAX)));
        } else {
            args.push_back(vm::Value::bytes(rng.bytes(rng.chance(50) ? 40 : 8)));
        }
    }
    return args;
}

// Runs every function of a verified package twice with the same inputs and checks the
// properties. Returns how many executions ran.
int check_execution(const vm::VerifiedPackage& package, Random& rng,
                    std::set<vm::ExecStatus>* statuses = nullptr) {
    int runs = 0;
    for (std::size_t i = 0; i < package.function_count(); ++i) {
        const vm::Function& f = package.function(i);
        std::vector<vm::Value> args = random_args(rng, f.arg_count);
        FakeHost host_a, host_b;
        host_a.add_input("input");
        host_b.add_input("input");
        auto index = static_cast<std::uint16_t>(i);
        vm::ExecutionOutcome a = vm::execute(package, index, args, kGasBudget, host_a);
        vm::ExecutionOutcome b = vm::execute(package, index, args, kGasBudget, host_b);
        INFO(a.to_string());
        if (statuses != nullptr) statuses->insert(a.status);
        REQUIRE(a == b);
        REQUIRE(host_a.calls == host_b.calls);
        REQUIRE(host_a.objects == host_b.objects);
        REQUIRE(a.gas_used <= kGasBudget);
        REQUIRE(a.steps <= limits::kStepsMax);
        if (a.is_ok()) {
            REQUIRE(a.returns.size() == f.return_count);
        } else {
            REQUIRE(a.returns.empty());
            REQUIRE(a.status != vm::ExecStatus::kInvalidEntry);
        }
        ++runs;
    }
    return runs;
}

// decode -> (round trip through text) -> verify -> execute; returns executions run.
int check_bytes(const Bytes& bytes, Random& rng) {
    auto decoded = vm::decode_package(bytes);
    if (!decoded.is_ok()) {
        REQUIRE_FALSE(decoded.status().message().empty());
        return 0;
    }
    auto again = vm::assemble(vm::disassemble(*decoded));
    REQUIRE(again.is_ok());
    REQUIRE(*again == *decoded);
    auto verified = vm::verify_package(std::move(decoded).value());
    if (!verified.is_ok()) return 0;
    return check_execution(*verified, rng);
}

// Immediate for `op`, drawn near the valid range so that some are just out of it.
std::uint64_t random_immediate(const vm::OpInfo& op, const vm::Package& p, const vm::Function& f,
                               std::size_t count, Random& rng) {
    switch (op.operand) {
        case vm::Operand::kInt:
            return rng.chance(80) ? rng.below(10) : rng.below(UINT64_MAX);
        case vm::Operand::kConstant:
            return rng.below(p.constants.size() + 1);
        case vm::Operand::kDepth:
            return rng.below(3);
        case vm::Operand::kTarget:
            return rng.below(count * 3);
        case vm::Operand::kFunction:
            return rng.below(p.functions.size() + 1);
        case vm::Operand::kLocal:
            return rng.below(f.slot_count() + 1);
        case vm::Operand::kHost:
            return rng.below(0x40);
        case vm::Operand::kNone:
            break;
    }
    return 0;
}

// Any instruction, any immediate: mostly exercises the verifier.
void wild_code(vm::Function& f, const vm::Package& p, Random& rng) {
    std::size_t count = 1 + rng.below(24);
    for (std::size_t k = 0; k < count; ++k) {
        const vm::OpInfo& op = vm::op_at(rng.below(vm::op_count()));
        vm::encode_instruction(f.code, op.opcode, random_immediate(op, p, f, count, rng));
    }
    for (std::size_t r = 0; r < f.return_count; ++r)
        vm::encode_instruction(f.code, vm::Opcode::kPush, r);
    vm::encode_instruction(f.code, vm::Opcode::kRet);
}

// Tracks the stack height so that most streams verify: exercises the interpreter. Branches go
// back to offset 0 when the height there (0) matches; calls use the callee's real arity.
void tame_code(vm::Function& f, const vm::Package& p, const std::vector<vm::Function>& sigs,
               Random& rng) {
    std::size_t height = 0;
    std::size_t count = 1 + rng.below(40);
    for (std::size_t k = 0; k < count; ++k) {
        const vm::OpInfo& op = vm::op_at(rng.below(vm::op_count()));
        std::uint64_t imm = 0;
        std::size_t needs = op.pops, pops = op.pops, pushes = op.pushes;
        switch (op.operand) {
            case vm::Operand::kInt:
                imm = rng.chance(80) ? rng.below(10) : rng.below(UINT64_MAX);
                break;
            case vm::Operand::kConstant:
                if (p.constants.empty()) continue;
                imm = rng.below(p.constants.size());
                break;
            case vm::Operand::kDepth:
                imm = rng.below(height + 1);
                needs = imm + 1;
                break;
            case vm::Operand::kTarget:
                imm = 0;
                break;
            case vm::Operand::kFunction:
                imm = rng.below(sigs.size());
                needs = pops = sigs[imm].arg_count;
                pushes = sigs[imm].return_count;
                break;
            case vm::Operand::kLocal:
                imm = rng.below(f.slot_count() + 1);
                break;
            case vm::Operand::kHost: {
                const vm::HostSignature& sig =
                    vm::host_function_at(rng.below(vm::host_function_count()));
                imm = static_cast<std::uint64_t>(sig.function);
                needs = pops = sig.arg_count;
                pushes = sig.result_count;
                break;
            }
            case vm::Operand::kNone:
                break;
        }
        if (op.opcode == vm::Opcode::kRet) continue;
        if (op.operand == vm::Operand::kLocal && imm >= f.slot_count()) continue;
        if (op.operand == vm::Operand::kTarget && height != pops) continue;
        if (needs > height || height - pops + pushes > 200) {
            vm::encode_instruction(f.code, vm::Opcode::kPush, rng.below(5));
            ++height;
            continue;
        }
        vm::encode_instruction(f.code, op.opcode, imm);
        height = height - pops + pushes;
        if (op.terminal) height = 0;  // what follows is unreachable (targets are 0 only)
    }
    for (; height > f.return_count; --height) vm::encode_instruction(f.code, vm::Opcode::kPop);
    for (; height < f.return_count; ++height) vm::encode_instruction(f.code, vm::Opcode::kPush, 1);
    vm::encode_instruction(f.code, vm::Opcode::kRet);
}

vm::Package random_program(Random& rng) {
    vm::Package p;
    std::size_t constants = rng.below(4);
    for (std::size_t i = 0; i < constants; ++i) p.constants.push_back(rng.bytes(12));
    std::size_t functions = 1 + rng.below(3);
    for (std::size_t fi = 0; fi < functions; ++fi) {
        vm::Function f;
        f.name = "f" + std::to_string(fi);
        f.arg_count = static_cast<std::uint8_t>(rng.below(3));
        f.local_count = static_cast<std::uint8_t>(rng.below(3));
        f.return_count = static_cast<std::uint8_t>(rng.below(2));
        p.functions.push_back(std::move(f));
    }
    const std::vector<vm::Function> sigs = p.functions;
    bool tame = rng.chance(70);
    for (vm::Function& f : p.functions) {
        if (tame) {
            tame_code(f, p, sigs, rng);
        } else {
            wild_code(f, p, rng);
        }
    }
    return p;
}

void mutate(Bytes& bytes, Random& rng) {
    if (bytes.empty()) {
        bytes.push_back(static_cast<char>(rng.below(256)));
        return;
    }
    std::size_t at = rng.below(bytes.size());
    switch (rng.below(5)) {
        case 0:
            bytes[at] = static_cast<char>(bytes[at] ^ (1 << rng.below(8)));
            break;
        case 1:
            bytes[at] = static_cast<char>(rng.below(256));
            break;
        case 2:
            bytes.insert(at, 1, static_cast<char>(rng.below(256)));
            break;
        case 3:
            bytes.erase(at, 1);
            break;
        default:
            bytes.resize(at);
            break;
    }
}

std::vector<vm::Package> examples() {
    std::vector<vm::Package> out;
    for (const char* name : {"examples/factorial.rasm", "examples/spin.rasm", "examples/bytes.rasm",
                             "examples/hash_chain.rasm"}) {
        auto p = vm::assemble(remora::testing::read_program(name));
        REQUIRE(p.is_ok());
        out.push_back(std::move(p).value());
    }
    return out;
}

TEST_CASE("vm property: random bytes never crash the decoder", "[vm][property]") {
    Random rng(seed());
    INFO("seed " << seed());
    for (int i = 0; i < 3000; ++i) {
        Bytes bytes = rng.bytes(300);
        if (rng.chance(50) && bytes.size() >= 8) bytes.replace(4, 4, "RXVM");
        check_bytes(bytes, rng);
    }
}

TEST_CASE("vm property: random instruction streams", "[vm][property]") {
    Random rng(seed() + 1);
    INFO("seed " << seed() + 1);
    int verified = 0, executed = 0;
    std::set<vm::ExecStatus> statuses;
    for (int i = 0; i < 1500; ++i) {
        vm::Package p = random_program(rng);
        auto again = vm::assemble(vm::disassemble(p));
        REQUIRE(again.is_ok());
        REQUIRE(*again == p);
        auto result = vm::verify_package(p);
        if (!result.is_ok()) continue;
        ++verified;
        executed += check_execution(*result, rng, &statuses);
    }
    // The generator must exercise the interpreter, not only the verifier.
    CHECK(verified > 500);
    CHECK(executed > 1000);
    std::string seen;
    for (vm::ExecStatus s : statuses) seen += std::string(vm::exec_status_name(s)) + " ";
    INFO("statuses seen: " << seen);
    CHECK(statuses.size() >= 10);
}

TEST_CASE("vm property: mutated example packages", "[vm][property]") {
    Random rng(seed() + 2);
    INFO("seed " << seed() + 2);
    int executed = 0;
    for (const vm::Package& example : examples()) {
        Bytes encoded = vm::encode_package(example);
        for (int i = 0; i < 400; ++i) {
            Bytes bytes = encoded;
            for (std::uint64_t m = 1 + rng.below(3); m > 0; --m) mutate(bytes, rng);
            executed += check_bytes(bytes, rng);

            vm::Package code_mutant = example;
            vm::Function& f = code_mutant.functions[rng.below(code_mutant.functions.size())];
            for (std::uint64_t m = 1 + rng.below(3); m > 0; --m) mutate(f.code, rng);
            executed += check_bytes(vm::encode_package(code_mutant), rng);
        }
    }
    CHECK(executed > 50);
}

}  // namespace
