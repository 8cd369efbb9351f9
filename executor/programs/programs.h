#pragma once
// The standard programs: the assembler sources in executor/programs/*.rasm, embedded into the
// library at build time (programs.cmake), that the workloads publish at genesis and call
// (docs/workloads.md lists their entry points, arguments, object layouts and abort codes).

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/vm/package.h"

namespace remora::executor::programs {

enum class ProgramId : std::uint8_t { kCoin, kCounter, kNft, kAmm, kCompute, kTouch, kRandom };

// The programs the synthetic genesis publishes (docs/workloads.md §2). `random` is not among
// them: its workload publishes it beside these, so that adding it changed no other workload's
// genesis.
inline constexpr std::array<ProgramId, 6> kGenesisPrograms = {
    ProgramId::kCoin, ProgramId::kCounter, ProgramId::kNft,
    ProgramId::kAmm,  ProgramId::kCompute, ProgramId::kTouch};

// Every standard program: one per .rasm file.
inline constexpr std::array<ProgramId, 7> kAllPrograms = {
    ProgramId::kCoin,    ProgramId::kCounter, ProgramId::kNft,   ProgramId::kAmm,
    ProgramId::kCompute, ProgramId::kTouch,   ProgramId::kRandom};

// "coin", "counter", "nft", "amm", "compute", "touch", "random": the .rasm file's stem.
std::string_view program_name(ProgramId id);

// The assembler source, as embedded at build time.
std::string_view program_source(ProgramId id);

// Assembles the source and runs the bytecode verifier. The embedded programs always pass (the
// workload tests check it); an error here means a broken build.
common::Result<vm::VerifiedPackage> load_program(ProgramId id);

// The encoded package (executor/vm/package_codec.h): the contents of the published package
// object. REQUIRES: the program assembles and verifies (asserted).
common::Bytes program_package_bytes(ProgramId id);

namespace detail {
struct EmbeddedProgram {
    std::string_view name;
    std::string_view source;
};
// Defined in the generated programs_embedded.cpp, sorted by name.
std::span<const EmbeddedProgram> embedded_programs();
}  // namespace detail

}  // namespace remora::executor::programs
