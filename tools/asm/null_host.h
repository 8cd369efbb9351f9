#pragma once
// The host of `remora-asm run`: no objects, no children. State calls fail with
// host_error::kUnavailable; precompiles run; events are collected; the sender is the zero
// address. Enough to try pure programs from the command line.

#include <utility>
#include <vector>

#include "executor/vm/host.h"

namespace remora::tools::asm_tool {

class NullHost : public executor::vm::HostInterface {
public:
    using Bytes = common::Bytes;
    using ByteView = common::ByteView;
    using ObjectId = common::ObjectId;
    template <typename T>
    using HostResult = executor::vm::HostResult<T>;
    using HostStatus = executor::vm::HostStatus;

    HostResult<Bytes> input_read(std::uint64_t) override { return unavailable(); }
    HostResult<ObjectId> input_id(std::uint64_t) override { return unavailable(); }
    HostResult<Bytes> object_read(const ObjectId&) override { return unavailable(); }
    HostStatus object_write(const ObjectId&, ByteView) override { return unavailable(); }
    HostResult<ObjectId> object_create(ByteView, ByteView) override { return unavailable(); }
    HostStatus object_delete(const ObjectId&) override { return unavailable(); }
    HostStatus object_transfer(const ObjectId&, const executor::vm::Address&) override {
        return unavailable();
    }
    HostResult<Bytes> child_get(const ObjectId&, ByteView) override { return unavailable(); }
    HostStatus child_set(const ObjectId&, ByteView, ByteView) override { return unavailable(); }
    HostResult<bool> child_exists(const ObjectId&, ByteView) override { return unavailable(); }
    HostStatus child_remove(const ObjectId&, ByteView) override { return unavailable(); }
    HostStatus emit_event(ByteView type_tag, ByteView data) override {
        events.emplace_back(Bytes(type_tag), Bytes(data));
        return executor::vm::HostOk{};
    }
    HostResult<executor::vm::Address> tx_sender() override { return executor::vm::Address{}; }

    std::vector<std::pair<Bytes, Bytes>> events;

private:
    static executor::vm::HostError unavailable() {
        return executor::vm::HostError{executor::vm::host_error::kUnavailable};
    }
};

}  // namespace remora::tools::asm_tool
