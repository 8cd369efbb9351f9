#pragma once
// Hand-built FlatBuffers for the rejection tests: every field is raw (any byte length, any
// enum number, absent or present), so a test can build a buffer the verifier accepts but whose
// values break a semantic bound, which the library's own encoders never produce.

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/object_generated.h"
#include "executor/transaction_generated.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::executor::testing {

using common::Bytes;
using OptionalBytes = std::optional<Bytes>;

struct RawObject {
    OptionalBytes id;
    std::uint64_t version = 0;
    std::uint8_t owner_kind = 0;
    OptionalBytes owner;
    OptionalBytes type_tag;
    OptionalBytes contents;
};
RawObject raw_object(const Object& object);
flatbuffers::Offset<fb::Object> build_raw(flatbuffers::FlatBufferBuilder& fbb, const RawObject& o);

struct RawAuthenticator {
    OptionalBytes public_key;
    OptionalBytes signature;
};
struct RawInput {
    OptionalBytes id;
    std::uint8_t kind = 0;
    std::uint64_t version = 0;
};
struct RawValue {
    std::uint8_t kind = 0;
    std::uint64_t u64 = 0;
    OptionalBytes bytes;
};
struct RawTransaction {
    OptionalBytes sender;
    std::uint64_t nonce = 0;
    std::vector<RawAuthenticator> authenticators;
    std::vector<RawInput> inputs;
    std::uint64_t gas_budget = 0;
    std::uint8_t program_kind = 0;
    OptionalBytes package_id;
    std::optional<std::string> entry_point;
    OptionalBytes bytecode;
    std::vector<RawValue> arguments;
};
RawTransaction raw_transaction(const Transaction& tx);
flatbuffers::Offset<fb::Transaction> build_raw(flatbuffers::FlatBufferBuilder& fbb,
                                               const RawTransaction& tx);

// The finished buffer with its file identifier.
template <typename T>
Bytes finish(flatbuffers::FlatBufferBuilder& fbb, flatbuffers::Offset<T> root,
             const char* identifier) {
    fbb.Finish(root, identifier);
    return Bytes(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}
Bytes encode_raw(const RawObject& object);
Bytes encode_raw(const RawTransaction& tx);

// Absent -> null offset, present -> a byte vector.
flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> raw_bytes(
    flatbuffers::FlatBufferBuilder& fbb, const OptionalBytes& bytes);

// Checks that decoding failed as corruption with a message containing `expected`.
template <typename T>
void check_rejected(const common::Result<T>& result, const std::string& expected) {
    REQUIRE_FALSE(result.is_ok());
    INFO(result.status().to_string());
    CHECK(result.status().code() == common::Code::kCorruption);
    CHECK(result.status().message().find(expected) != std::string::npos);
}

// One rejection case: a mutation of a valid raw encoding and a part of the expected error.
template <typename Raw>
struct Case {
    const char* name;
    std::function<void(Raw&)> mutate;
    std::string message;
};

}  // namespace remora::executor::testing
