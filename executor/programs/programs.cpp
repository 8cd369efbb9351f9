#include "executor/programs/programs.h"

#include "executor/vm/assembler.h"
#include "executor/vm/package_codec.h"
#include "executor/vm/verifier.h"

namespace remora::executor::programs {

std::string_view program_name(ProgramId id) {
    switch (id) {
        case ProgramId::kCoin:
            return "coin";
        case ProgramId::kCounter:
            return "counter";
        case ProgramId::kNft:
            return "nft";
        case ProgramId::kAmm:
            return "amm";
        case ProgramId::kCompute:
            return "compute";
        case ProgramId::kTouch:
            return "touch";
        case ProgramId::kRandom:
            return "random";
    }
    REMORA_ASSERT(false && "unknown program id");
    return {};
}

std::string_view program_source(ProgramId id) {
    std::string_view name = program_name(id);
    for (const auto& program : detail::embedded_programs()) {
        if (program.name == name) return program.source;
    }
    // Every ProgramId has a .rasm file in executor/programs/; a missing one is a broken build.
    REMORA_ASSERT(false && "standard program not embedded");
    return {};
}

common::Result<vm::VerifiedPackage> load_program(ProgramId id) {
    auto package = vm::assemble(program_source(id));
    if (!package.is_ok()) {
        return package.status().with_context("assembling " + std::string(program_name(id)));
    }
    auto verified = vm::verify_package(std::move(package).value());
    if (!verified.is_ok()) {
        return verified.status().with_context("verifying " + std::string(program_name(id)));
    }
    return verified;
}

common::Bytes program_package_bytes(ProgramId id) {
    auto verified = load_program(id);
    REMORA_ASSERT(verified.is_ok());
    return vm::encode_package(verified->package());
}

}  // namespace remora::executor::programs
