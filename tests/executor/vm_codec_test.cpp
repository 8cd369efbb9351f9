// The package binary format: round trip, and bad bytes give a Status, never a crash.

#include <flatbuffers/flatbuffers.h>
#include <catch2/catch.hpp>
#include <string>

#include "executor/package_generated.h"
#include "executor/vm/assembler.h"
#include "executor/vm/limits.h"
#include "executor/vm/package_codec.h"
#include "tests/executor/vm_support.h"

namespace {

namespace vm = remora::executor::vm;
namespace fb = remora::executor::fb;
using remora::common::Code;

vm::Package factorial() {
    auto package = vm::assemble(remora::testing::read_program("examples/factorial.rasm"));
    REQUIRE(package.is_ok());
    return std::move(package).value();
}

TEST_CASE("package codec: encode then decode gives the same package", "[vm][codec]") {
    vm::Package package = factorial();
    package.constants = {"", "abc", std::string(1000, '\x7f')};
    std::string bytes = vm::encode_package(package);
    CHECK(bytes.substr(4, 4) == "RXVM");
    auto decoded = vm::decode_package(bytes);
    REQUIRE(decoded.is_ok());
    CHECK(*decoded == package);
    CHECK(vm::encode_package(*decoded) == bytes);  // deterministic
    auto loaded = vm::load_package(bytes);
    REQUIRE(loaded.is_ok());
    CHECK(loaded->package() == package);
}

TEST_CASE("package codec: bad bytes are rejected with a clear status", "[vm][codec]") {
    std::string good = vm::encode_package(factorial());
    struct Bad {
        std::string name;
        std::string bytes;
        Code code;
        std::string message;
    };
    std::string wrong_id = good;
    wrong_id[5] = 'Y';
    std::string truncated = good.substr(0, good.size() / 2);
    std::string huge(remora::executor::vm::limits::kPackageBytesMax + 1, '\0');
    std::string garbage = "RXVM" + std::string(100, '\x55');
    garbage.replace(0, 8, std::string("\x08\x00\x00\x00RXVM", 8));
    const Bad cases[] = {
        {"empty", "", Code::kCorruption, "not a VM package"},
        {"too short", "abc", Code::kCorruption, "not a VM package"},
        {"wrong identifier", wrong_id, Code::kCorruption, "not a VM package"},
        {"truncated", truncated, Code::kCorruption, "FlatBuffers verification failed"},
        {"garbage after identifier", garbage, Code::kCorruption, "FlatBuffers verification failed"},
        {"too large", huge, Code::kCorruption, "limit 1048576"},
    };
    for (const Bad& bad : cases) {
        INFO(bad.name);
        auto decoded = vm::decode_package(bad.bytes);
        REQUIRE_FALSE(decoded.is_ok());
        CHECK(decoded.status().code() == bad.code);
        CHECK_THAT(decoded.status().message(), Catch::Contains(bad.message));
    }
}

TEST_CASE("package codec: format version and missing fields", "[vm][codec]") {
    flatbuffers::FlatBufferBuilder builder;
    auto name = builder.CreateString("f");
    const std::uint8_t ret[] = {0x31};
    auto code = builder.CreateVector(ret, 1);
    auto fn = fb::CreateVmFunction(builder, name, 0, 0, 0, code);
    auto functions = builder.CreateVector(&fn, 1);
    builder.Finish(fb::CreateVmPackage(builder, 2, 0, functions), fb::VmPackageIdentifier());
    std::string v2(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
    auto decoded = vm::decode_package(v2);
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == Code::kFormatVersion);

    // Version 1 with no name: decodes structurally, fails the shape rules.
    builder.Clear();
    code = builder.CreateVector(ret, 1);
    fn = fb::CreateVmFunction(builder, 0, 0, 0, 0, code);
    functions = builder.CreateVector(&fn, 1);
    builder.Finish(fb::CreateVmPackage(builder, vm::kPackageFormatVersion, 0, functions),
                   fb::VmPackageIdentifier());
    std::string nameless(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                         builder.GetSize());
    auto shape = vm::decode_package(nameless);
    REQUIRE_FALSE(shape.is_ok());
    CHECK(shape.status().code() == Code::kVerificationFailed);
    CHECK_THAT(shape.status().message(), Catch::Contains("invalid name"));
}

TEST_CASE("package codec: load_package runs the bytecode verifier", "[vm][codec]") {
    auto package = vm::assemble(".func f returns=1\nret\n");
    REQUIRE(package.is_ok());
    std::string bytes = vm::encode_package(*package);
    CHECK(vm::decode_package(bytes).is_ok());
    auto loaded = vm::load_package(bytes);
    REQUIRE_FALSE(loaded.is_ok());
    CHECK(loaded.status().code() == Code::kVerificationFailed);
    CHECK_THAT(loaded.status().message(), Catch::Contains("ret with stack height 0"));
}

}  // namespace
