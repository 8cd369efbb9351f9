#include "tests/executor/vm_fake_host.h"

#include "common/hash.h"

namespace remora::testing {
namespace {

namespace host_error = executor::vm::host_error;
using executor::vm::HostError;
using executor::vm::HostOk;

}  // namespace

// Every override first consults fail_next so that tests can make any call fail.
#define REMORA_FAKE_FAIL(name)           \
    calls.emplace_back(name);            \
    if (fail_next) {                     \
        std::uint32_t code = *fail_next; \
        fail_next.reset();               \
        return HostError{code};          \
    }

common::ObjectId FakeHost::id_from_byte(std::uint8_t b) {
    ObjectId id;
    id.bytes.fill(b);
    return id;
}

common::ObjectId FakeHost::add_input(Bytes contents) {
    ObjectId id = id_from_byte(static_cast<std::uint8_t>(inputs.size() + 1));
    inputs.push_back(id);
    objects[id] = std::move(contents);
    return id;
}

FakeHost::HostResult<FakeHost::Bytes> FakeHost::input_read(std::uint64_t index) {
    REMORA_FAKE_FAIL("input_read");
    if (index >= inputs.size()) return HostError{host_error::kNotFound};
    auto it = objects.find(inputs[index]);
    if (it == objects.end()) return HostError{host_error::kNotFound};
    return it->second;
}

FakeHost::HostResult<common::ObjectId> FakeHost::input_id(std::uint64_t index) {
    REMORA_FAKE_FAIL("input_id");
    if (index >= inputs.size()) return HostError{host_error::kNotFound};
    return inputs[index];
}

FakeHost::HostResult<FakeHost::Bytes> FakeHost::object_read(const ObjectId& id) {
    REMORA_FAKE_FAIL("object_read");
    if (oversized_read) return Bytes(*oversized_read, 'x');
    auto it = objects.find(id);
    if (it == objects.end()) return HostError{host_error::kNotFound};
    return it->second;
}

FakeHost::HostStatus FakeHost::object_write(const ObjectId& id, ByteView contents) {
    REMORA_FAKE_FAIL("object_write");
    if (objects.count(id) == 0) return HostError{host_error::kNotFound};
    objects[id] = Bytes(contents);
    return HostOk{};
}

FakeHost::HostResult<common::ObjectId> FakeHost::object_create(ByteView type_tag,
                                                               ByteView contents) {
    REMORA_FAKE_FAIL("object_create");
    Bytes seed;
    common::put_be64(seed, ++created);
    ObjectId id = common::blake2b_256({seed, type_tag});
    objects[id] = Bytes(contents);
    owners[id] = sender;
    return id;
}

FakeHost::HostStatus FakeHost::object_delete(const ObjectId& id) {
    REMORA_FAKE_FAIL("object_delete");
    if (objects.erase(id) == 0) return HostError{host_error::kNotFound};
    owners.erase(id);
    return HostOk{};
}

FakeHost::HostStatus FakeHost::object_transfer(const ObjectId& id,
                                               const executor::vm::Address& recipient) {
    REMORA_FAKE_FAIL("object_transfer");
    if (objects.count(id) == 0) return HostError{host_error::kNotFound};
    owners[id] = recipient;
    return HostOk{};
}

FakeHost::HostResult<FakeHost::Bytes> FakeHost::child_get(const ObjectId& parent, ByteView key) {
    REMORA_FAKE_FAIL("child_get");
    auto it = children.find({parent, Bytes(key)});
    if (it == children.end()) return HostError{host_error::kNotFound};
    return it->second;
}

FakeHost::HostStatus FakeHost::child_set(const ObjectId& parent, ByteView key, ByteView contents) {
    REMORA_FAKE_FAIL("child_set");
    children[{parent, Bytes(key)}] = Bytes(contents);
    return HostOk{};
}

FakeHost::HostResult<bool> FakeHost::child_exists(const ObjectId& parent, ByteView key) {
    REMORA_FAKE_FAIL("child_exists");
    return children.count({parent, Bytes(key)}) != 0;
}

FakeHost::HostStatus FakeHost::child_remove(const ObjectId& parent, ByteView key) {
    REMORA_FAKE_FAIL("child_remove");
    if (children.erase({parent, Bytes(key)}) == 0) return HostError{host_error::kNotFound};
    return HostOk{};
}

FakeHost::HostResult<executor::vm::Value> FakeHost::precompile(
    executor::vm::HostFunction function, std::span<const executor::vm::Value> args) {
    REMORA_FAKE_FAIL("precompile");
    return HostInterface::precompile(function, args);
}

FakeHost::HostStatus FakeHost::emit_event(ByteView type_tag, ByteView data) {
    REMORA_FAKE_FAIL("emit_event");
    events.emplace_back(Bytes(type_tag), Bytes(data));
    return HostOk{};
}

FakeHost::HostResult<executor::vm::Address> FakeHost::tx_sender() {
    REMORA_FAKE_FAIL("tx_sender");
    return sender;
}

}  // namespace remora::testing
