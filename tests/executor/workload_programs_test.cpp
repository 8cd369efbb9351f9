// The standard programs (executor/programs/*.rasm): embedded, assembled and verified, with the
// entry points the workloads call.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "executor/exec/package_object.h"
#include "executor/programs/programs.h"
#include "executor/vm/package_codec.h"
#include "executor/workload/genesis.h"

namespace {

namespace programs = remora::executor::programs;
using programs::ProgramId;

std::string read_source_file(std::string_view name) {
    std::string path =
        std::string(REMORA_SOURCE_DIR) + "/executor/programs/" + std::string(name) + ".rasm";
    std::ifstream in(path);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Entry {
    ProgramId program;
    const char* name;
    int args;
    int returns;
};

// The entry points docs/workloads.md documents and the generators call.
const Entry kEntries[] = {
    {ProgramId::kCoin, "split_transfer", 2, 0},
    {ProgramId::kCoin, "transfer", 1, 0},
    {ProgramId::kCoin, "merge", 0, 0},
    {ProgramId::kCoin, "mint", 1, 1},
    {ProgramId::kCounter, "increment", 1, 1},
    {ProgramId::kNft, "mint", 1, 1},
    {ProgramId::kNft, "owner", 1, 1},
    {ProgramId::kNft, "transfer_item", 2, 0},
    {ProgramId::kAmm, "swap", 3, 1},
    {ProgramId::kCompute, "work", 2, 1},
    {ProgramId::kCompute, "attest", 3, 1},
    {ProgramId::kTouch, "touch", 2, 0},
    {ProgramId::kRandom, "run", 3, 0},
};

TEST_CASE("programs: every standard program assembles and verifies", "[workload][programs]") {
    for (ProgramId id : programs::kAllPrograms) {
        INFO(programs::program_name(id));
        auto loaded = programs::load_program(id);
        INFO(loaded.status().to_string());
        REQUIRE(loaded.is_ok());
        // What genesis publishes decodes and verifies again.
        auto bytes = programs::program_package_bytes(id);
        auto reloaded = remora::executor::vm::load_package(bytes);
        REQUIRE(reloaded.is_ok());
        CHECK(reloaded->package() == loaded->package());
    }
}

TEST_CASE("programs: the embedded sources are the files of the tree", "[workload][programs]") {
    for (ProgramId id : programs::kAllPrograms) {
        INFO(programs::program_name(id));
        CHECK(programs::program_source(id) == read_source_file(programs::program_name(id)));
    }
    // One embedded program per .rasm file, none missing, none extra.
    CHECK(programs::detail::embedded_programs().size() == programs::kAllPrograms.size());
}

TEST_CASE("programs: entry points have the documented shapes", "[workload][programs]") {
    for (const auto& entry : kEntries) {
        INFO(programs::program_name(entry.program) << "." << entry.name);
        auto loaded = programs::load_program(entry.program);
        REQUIRE(loaded.is_ok());
        auto index = loaded->package().find_function(entry.name);
        REQUIRE(index.has_value());
        const auto& function = loaded->function(*index);
        CHECK(function.arg_count == entry.args);
        CHECK(function.return_count == entry.returns);
    }
}

TEST_CASE("programs: published packages are immutable package objects", "[workload][programs]") {
    for (ProgramId id : programs::kAllPrograms) {
        auto object = remora::executor::workload::package_object(id);
        CHECK(remora::executor::is_package_object(object));
        CHECK(object.version == 1);
        CHECK(object.id == remora::executor::workload::package_object_id(id));
    }
    CHECK(remora::executor::workload::package_object_id(ProgramId::kCoin) !=
          remora::executor::workload::package_object_id(ProgramId::kCounter));
}

}  // namespace
