#include "executor/vm/host.h"

#include "common/status.h"
#include "executor/vm/precompiles.h"

namespace remora::executor::vm {
namespace {

ObjectId id_of(const Value& v) { return ObjectId::from_bytes(v.as_bytes()); }

Value id_value(const ObjectId& id) { return Value::bytes(Bytes(id.view())); }

// Adapters from typed host results to the interpreter's optional result value.
using Out = HostResult<std::optional<Value>>;

Out from(HostResult<Bytes> r) {
    if (!r.is_ok()) return HostError{r.error_code()};
    return std::optional<Value>(Value::bytes(std::move(r.value())));
}
Out from(HostResult<ObjectId> r) {
    if (!r.is_ok()) return HostError{r.error_code()};
    return std::optional<Value>(id_value(r.value()));
}
Out from(HostResult<bool> r) {
    if (!r.is_ok()) return HostError{r.error_code()};
    return std::optional<Value>(Value::integer(r.value() ? 1 : 0));
}
Out from(HostResult<Value> r) {
    if (!r.is_ok()) return HostError{r.error_code()};
    return std::optional<Value>(std::move(r.value()));
}
Out from(HostStatus r) {
    if (!r.is_ok()) return HostError{r.error_code()};
    return std::optional<Value>();
}

}  // namespace

HostResult<Value> HostInterface::precompile(HostFunction function, std::span<const Value> args) {
    return run_precompile(function, args);
}

Out dispatch_host_call(HostInterface& host, HostFunction function, std::span<const Value> args) {
    using F = HostFunction;
    switch (function) {
        case F::kInputRead:
            return from(host.input_read(args[0].as_int()));
        case F::kInputId:
            return from(host.input_id(args[0].as_int()));
        case F::kObjectRead:
            return from(host.object_read(id_of(args[0])));
        case F::kObjectWrite:
            return from(host.object_write(id_of(args[0]), args[1].as_bytes()));
        case F::kObjectCreate:
            return from(host.object_create(args[0].as_bytes(), args[1].as_bytes()));
        case F::kObjectDelete:
            return from(host.object_delete(id_of(args[0])));
        case F::kObjectTransfer:
            return from(host.object_transfer(id_of(args[0]), id_of(args[1])));
        case F::kChildGet:
            return from(host.child_get(id_of(args[0]), args[1].as_bytes()));
        case F::kChildSet:
            return from(host.child_set(id_of(args[0]), args[1].as_bytes(), args[2].as_bytes()));
        case F::kChildExists:
            return from(host.child_exists(id_of(args[0]), args[1].as_bytes()));
        case F::kChildRemove:
            return from(host.child_remove(id_of(args[0]), args[1].as_bytes()));
        case F::kBlake2b256:
        case F::kSha256:
        case F::kEd25519Verify:
        case F::kIteratedHash:
            return from(host.precompile(function, args));
        case F::kEmitEvent:
            return from(host.emit_event(args[0].as_bytes(), args[1].as_bytes()));
        case F::kTxSender:
            return from(host.tx_sender());
    }
    REMORA_ASSERT(false && "unknown host function");
    return HostError{};
}

}  // namespace remora::executor::vm
