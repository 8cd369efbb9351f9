#include "executor/vm/package_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>

#include "executor/package_generated.h"
#include "executor/vm/limits.h"
#include "executor/vm/verifier.h"

namespace remora::executor::vm {
namespace {

using common::Code;
using common::Status;

// Bounds for the FlatBuffers Verifier: a package is a root, two vectors of small tables.
constexpr flatbuffers::uoffset_t kVerifierDepthMax = 8;
constexpr flatbuffers::uoffset_t kVerifierTablesMax =
    1 + limits::kFunctionsMax + limits::kConstantsMax + 16;

// Largest scalar a VmPackage holds is 4 bytes; 8 also covers any future 64-bit field.
constexpr std::uintptr_t kBufferAlignment = 8;

Status corrupt(const std::string& message) {
    return Status(Code::kCorruption, "package: " + message);
}

Bytes bytes_of(const flatbuffers::Vector<std::uint8_t>* v) {
    if (v == nullptr) return {};
    return Bytes(reinterpret_cast<const char*>(v->data()), v->size());
}

}  // namespace

Bytes encode_package(const Package& package) {
    flatbuffers::FlatBufferBuilder builder(1024);
    std::vector<flatbuffers::Offset<fb::VmConstant>> constants;
    constants.reserve(package.constants.size());
    for (const Bytes& c : package.constants) {
        auto data = builder.CreateVector(reinterpret_cast<const std::uint8_t*>(c.data()), c.size());
        constants.push_back(fb::CreateVmConstant(builder, data));
    }
    std::vector<flatbuffers::Offset<fb::VmFunction>> functions;
    functions.reserve(package.functions.size());
    for (const Function& f : package.functions) {
        auto name = builder.CreateString(f.name);
        auto code = builder.CreateVector(reinterpret_cast<const std::uint8_t*>(f.code.data()),
                                         f.code.size());
        functions.push_back(
            fb::CreateVmFunction(builder, name, f.arg_count, f.local_count, f.return_count, code));
    }
    auto constants_vec = builder.CreateVector(constants);
    auto functions_vec = builder.CreateVector(functions);
    builder.Finish(
        fb::CreateVmPackage(builder, kPackageFormatVersion, constants_vec, functions_vec),
        fb::VmPackageIdentifier());
    return Bytes(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

common::Result<Package> decode_package(common::ByteView bytes) {
    if (bytes.size() > limits::kPackageBytesMax) {
        return corrupt(std::to_string(bytes.size()) + " bytes, limit " +
                       std::to_string(limits::kPackageBytesMax));
    }
    // FlatBuffers reads scalars in place: a view into a larger message (inline bytecode inside
    // a transaction) may be misaligned, so such input is copied to an aligned buffer first.
    Bytes aligned;
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % kBufferAlignment != 0) {
        aligned.assign(bytes);
        bytes = aligned;
    }
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    if (bytes.size() < 8 || !fb::VmPackageBufferHasIdentifier(data)) {
        return corrupt("not a VM package (missing identifier \"RXVM\")");
    }
    flatbuffers::Verifier verifier(data, bytes.size(), kVerifierDepthMax, kVerifierTablesMax);
    if (!fb::VerifyVmPackageBuffer(verifier)) return corrupt("FlatBuffers verification failed");
    const fb::VmPackage* root = fb::GetVmPackage(data);
    if (root->format_version() != kPackageFormatVersion) {
        return Status(Code::kFormatVersion,
                      "package: format version " + std::to_string(root->format_version()) +
                          ", this build reads " + std::to_string(kPackageFormatVersion));
    }
    // Counts are checked before anything is copied.
    if (root->constants() != nullptr && root->constants()->size() > limits::kConstantsMax) {
        return corrupt("too many constants");
    }
    if (root->functions() != nullptr && root->functions()->size() > limits::kFunctionsMax) {
        return corrupt("too many functions");
    }
    Package package;
    if (root->constants() != nullptr) {
        for (const fb::VmConstant* c : *root->constants()) {
            package.constants.push_back(bytes_of(c->data()));
        }
    }
    if (root->functions() != nullptr) {
        for (const fb::VmFunction* f : *root->functions()) {
            Function fn;
            if (f->name() != nullptr) fn.name = f->name()->str();
            fn.arg_count = f->arg_count();
            fn.local_count = f->local_count();
            fn.return_count = f->return_count();
            fn.code = bytes_of(f->code());
            package.functions.push_back(std::move(fn));
        }
    }
    REMORA_RETURN_IF_ERROR(check_package_shape(package));
    return package;
}

common::Result<VerifiedPackage> load_package(common::ByteView bytes) {
    common::Result<Package> package = decode_package(bytes);
    if (!package) return package.status();
    return verify_package(std::move(package).value());
}

}  // namespace remora::executor::vm
