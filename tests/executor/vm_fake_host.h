#pragma once
// An in-memory HostInterface for VM tests: objects in a std::map, dynamic children keyed by
// (parent, key), a log of events and of every call. Deterministic; ids of created objects are
// BLAKE2b-256 of a counter.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "executor/vm/host.h"

namespace remora::testing {

class FakeHost : public executor::vm::HostInterface {
public:
    using Bytes = common::Bytes;
    using ByteView = common::ByteView;
    using ObjectId = common::ObjectId;
    template <typename T>
    using HostResult = executor::vm::HostResult<T>;
    using HostStatus = executor::vm::HostStatus;

    // Declares an input object (also stored as an object).
    ObjectId add_input(Bytes contents);
    static ObjectId id_from_byte(std::uint8_t b);

    HostResult<Bytes> input_read(std::uint64_t index) override;
    HostResult<ObjectId> input_id(std::uint64_t index) override;
    HostResult<Bytes> object_read(const ObjectId& id) override;
    HostStatus object_write(const ObjectId& id, ByteView contents) override;
    HostResult<ObjectId> object_create(ByteView type_tag, ByteView contents) override;
    HostStatus object_delete(const ObjectId& id) override;
    HostStatus object_transfer(const ObjectId& id, const executor::vm::Address& recipient) override;
    HostResult<Bytes> child_get(const ObjectId& parent, ByteView key) override;
    HostStatus child_set(const ObjectId& parent, ByteView key, ByteView contents) override;
    HostResult<bool> child_exists(const ObjectId& parent, ByteView key) override;
    HostStatus child_remove(const ObjectId& parent, ByteView key) override;
    HostResult<executor::vm::Value> precompile(executor::vm::HostFunction function,
                                               std::span<const executor::vm::Value> args) override;
    HostStatus emit_event(ByteView type_tag, ByteView data) override;
    HostResult<executor::vm::Address> tx_sender() override;

    std::vector<ObjectId> inputs;
    std::map<ObjectId, Bytes> objects;
    std::map<ObjectId, executor::vm::Address> owners;
    std::map<std::pair<ObjectId, Bytes>, Bytes> children;
    std::vector<std::pair<Bytes, Bytes>> events;
    std::vector<std::string> calls;  // "name" per call, in order
    executor::vm::Address sender = id_from_byte(0xAA);
    std::uint64_t created = 0;
    // When set, the next host call fails with this code.
    std::optional<std::uint32_t> fail_next;
    // When set, object_read returns this many bytes (to test oversized host results).
    std::optional<std::size_t> oversized_read;
};

}  // namespace remora::testing
