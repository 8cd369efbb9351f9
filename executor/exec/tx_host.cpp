#include "executor/exec/tx_host.h"

#include <utility>
#include <variant>

#include "executor/exec/rules.h"
#include "executor/tx/ids.h"
#include "executor/tx/limits.h"

namespace remora::executor {
namespace {

using vm::host_error::kAlreadyExists;
using vm::host_error::kNotFound;
using vm::host_error::kPermissionDenied;

// Text for the failures TxObjects and PrecompileLog report by code alone.
std::string describe(std::uint32_t code) {
    switch (code) {
        case tx_host_error::kTooManyChangedObjects:
            return "more than " + std::to_string(limits::kEffectsObjectsMax) + " objects changed";
        case tx_host_error::kTooManyReads:
            return "more than " + std::to_string(limits::kLookupReadsMax) + " objects read";
        case tx_host_error::kTooManyDynamicObjects:
            return "more than " + std::to_string(limits::kDynamicObjectsMax) +
                   " dynamic objects touched";
        case tx_host_error::kTooManyPrecompileCalls:
            return "more than " + std::to_string(limits::kPrecompileCallsMax) + " precompile calls";
        case vm::host_error::kUnavailable:
            return "the state could not be read";
        default:
            return "error " + std::to_string(code);
    }
}

template <typename T>
std::uint32_t code_of(const vm::HostResult<T>& r) {
    return r.error_code();
}

}  // namespace

TxHost::TxHost(const Transaction& tx, const Digest& digest, TxObjects& objects,
               PrecompileLog& precompiles)
    : m_tx(tx), m_digest(digest), m_objects(objects), m_precompiles(precompiles) {}

vm::HostError TxHost::fail(std::uint32_t code, std::string why) {
    m_last_error = std::move(why);
    return vm::HostError{code};
}

vm::HostResult<Slot*> TxHost::named(const ObjectId& id, const char* call, bool need_live,
                                    bool need_writable) {
    Slot* slot = m_objects.find(id);
    // The message is built only on failure: this runs for every object a program touches.
    auto prefix = [&] { return std::string(call) + ": object " + id.hex(); };
    if (slot == nullptr || !slot->reachable()) {
        return fail(kPermissionDenied, prefix() + " is not an input, a created object or a child");
    }
    if (need_live && !slot->live()) return fail(kNotFound, prefix() + " was deleted");
    if (need_writable && !slot->writable) {
        return fail(kPermissionDenied, prefix() + " is read-only");
    }
    return slot;
}

vm::HostResult<Slot*> TxHost::child(const ObjectId& parent, ByteView key, const char* call,
                                    bool write) {
    Slot* parent_slot = m_objects.find(parent);
    auto prefix = [&] { return std::string(call) + ": parent " + parent.hex(); };
    if (parent_slot == nullptr || !parent_slot->reachable()) {
        return fail(kPermissionDenied, prefix() + " is not an input, a created object or a child");
    }
    if (!parent_slot->live()) return fail(kNotFound, prefix() + " was deleted");
    if (write && !parent_slot->writable) {
        return fail(kPermissionDenied, prefix() + " is read-only");
    }
    const bool parent_writable = parent_slot->writable;  // the load below may add slots

    const ObjectId id = dynamic_object_id(parent, key);
    if (auto noted = m_objects.note_dynamic(id); !noted.is_ok()) {
        return fail(code_of(noted), std::string(call) + ": " + describe(code_of(noted)));
    }
    vm::HostResult<Slot*> loaded = m_objects.load(id, ObjectRead::Kind::kDynamic);
    if (!loaded.is_ok()) {
        return fail(code_of(loaded), std::string(call) + ": " + describe(code_of(loaded)));
    }
    Slot* slot = loaded.value();
    if (slot->origin == Origin::kNone) {
        // First reach. A live object under a derived id that is not this parent's child can
        // only come from a state built outside the executor; refuse to treat it as one.
        if (slot->before.exists() && slot->before.object->owner != Owner{OwnedByParent{parent}}) {
            return fail(kPermissionDenied, std::string(call) + ": object " + id.hex() +
                                               " is not a child of " + parent.hex());
        }
        slot->origin = Origin::kChild;
        slot->writable = parent_writable;
    } else if (slot->origin != Origin::kChild) {
        return fail(kPermissionDenied,
                    std::string(call) + ": object " + id.hex() + " is not a dynamic child");
    }
    return slot;
}

vm::HostStatus TxHost::check_contents(ByteView contents, const char* call) {
    if (contents.size() <= limits::kObjectContentsBytesMax) return vm::HostOk{};
    return fail(tx_host_error::kObjectTooLarge,
                std::string(call) + ": " + std::to_string(contents.size()) +
                    " bytes of contents exceed the limit of " +
                    std::to_string(limits::kObjectContentsBytesMax));
}

vm::HostResult<Bytes> TxHost::input_read(std::uint64_t index) {
    vm::HostResult<ObjectId> id = input_id(index);
    if (!id.is_ok()) return vm::HostError{id.error_code()};
    vm::HostResult<Slot*> slot = named(id.value(), "input_read", true, false);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    return slot.value()->current->contents;
}

vm::HostResult<ObjectId> TxHost::input_id(std::uint64_t index) {
    if (index >= m_tx.inputs.size()) {
        return fail(kNotFound, "input " + std::to_string(index) + " is not declared (" +
                                   std::to_string(m_tx.inputs.size()) + " inputs)");
    }
    return m_tx.inputs[index].id;
}

vm::HostResult<Bytes> TxHost::object_read(const ObjectId& id) {
    vm::HostResult<Slot*> slot = named(id, "object_read", true, false);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    return slot.value()->current->contents;
}

vm::HostStatus TxHost::object_write(const ObjectId& id, ByteView contents) {
    if (auto ok = check_contents(contents, "object_write"); !ok.is_ok()) return ok;
    vm::HostResult<Slot*> slot = named(id, "object_write", true, true);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    if (auto ok = m_objects.touch(*slot.value()); !ok.is_ok()) {
        return fail(ok.error_code(), "object_write: " + describe(ok.error_code()));
    }
    slot.value()->current->contents = Bytes(contents);
    return vm::HostOk{};
}

vm::HostResult<ObjectId> TxHost::object_create(ByteView type_tag, ByteView contents) {
    if (auto ok = check_contents(contents, "object_create"); !ok.is_ok()) {
        return vm::HostError{ok.error_code()};
    }
    const ObjectId id = created_object_id(m_digest, m_created);
    // Read once: a live object means the id is taken (the same transaction executed twice);
    // a tombstone's version must count in the version rule.
    vm::HostResult<Slot*> loaded = m_objects.load(id, ObjectRead::Kind::kDynamic);
    if (!loaded.is_ok()) {
        return fail(code_of(loaded), "object_create: " + describe(code_of(loaded)));
    }
    Slot* slot = loaded.value();
    if (slot->live() || slot->origin != Origin::kNone) {
        return fail(kAlreadyExists, "object_create: id " + id.hex() + " is taken");
    }
    if (auto ok = m_objects.touch(*slot); !ok.is_ok()) {
        return fail(ok.error_code(), "object_create: " + describe(ok.error_code()));
    }
    ++m_created;
    slot->origin = Origin::kCreated;
    slot->writable = true;
    slot->current = Object{id, 0, OwnedByAddress{m_tx.sender}, TypeTag(type_tag), Bytes(contents)};
    return id;
}

vm::HostStatus TxHost::object_delete(const ObjectId& id) {
    vm::HostResult<Slot*> slot = named(id, "object_delete", true, true);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    if (auto ok = m_objects.touch(*slot.value()); !ok.is_ok()) {
        return fail(ok.error_code(), "object_delete: " + describe(ok.error_code()));
    }
    slot.value()->current.reset();
    return vm::HostOk{};
}

vm::HostStatus TxHost::object_transfer(const ObjectId& id, const Address& recipient) {
    vm::HostResult<Slot*> slot = named(id, "object_transfer", true, true);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    Object& object = *slot.value()->current;
    if (!std::holds_alternative<OwnedByAddress>(object.owner)) {
        return fail(kPermissionDenied,
                    "object_transfer: object " + id.hex() + " is not owned by an address");
    }
    if (auto ok = m_objects.touch(*slot.value()); !ok.is_ok()) {
        return fail(ok.error_code(), "object_transfer: " + describe(ok.error_code()));
    }
    object.owner = OwnedByAddress{recipient};
    return vm::HostOk{};
}

vm::HostResult<Bytes> TxHost::child_get(const ObjectId& parent, ByteView key) {
    vm::HostResult<Slot*> slot = child(parent, key, "child_get", false);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    if (!slot.value()->live()) {
        return fail(kNotFound, "child_get: no child of " + parent.hex() + " under that key");
    }
    return slot.value()->current->contents;
}

vm::HostStatus TxHost::child_set(const ObjectId& parent, ByteView key, ByteView contents) {
    if (auto ok = check_contents(contents, "child_set"); !ok.is_ok()) return ok;
    vm::HostResult<Slot*> loaded = child(parent, key, "child_set", true);
    if (!loaded.is_ok()) return vm::HostError{loaded.error_code()};
    Slot* slot = loaded.value();
    if (auto ok = m_objects.touch(*slot); !ok.is_ok()) {
        return fail(ok.error_code(), "child_set: " + describe(ok.error_code()));
    }
    if (slot->live()) {
        slot->current->contents = Bytes(contents);
    } else {
        // A child removed earlier in this transaction keeps its stored type tag.
        TypeTag tag =
            slot->before.exists() ? slot->before.object->type_tag : TypeTag(kChildTypeTag);
        ObjectId id = dynamic_object_id(parent, key);
        slot->current = Object{id, 0, OwnedByParent{parent}, std::move(tag), Bytes(contents)};
    }
    return vm::HostOk{};
}

vm::HostResult<bool> TxHost::child_exists(const ObjectId& parent, ByteView key) {
    vm::HostResult<Slot*> slot = child(parent, key, "child_exists", false);
    if (!slot.is_ok()) return vm::HostError{slot.error_code()};
    return slot.value()->live();
}

vm::HostStatus TxHost::child_remove(const ObjectId& parent, ByteView key) {
    vm::HostResult<Slot*> loaded = child(parent, key, "child_remove", true);
    if (!loaded.is_ok()) return vm::HostError{loaded.error_code()};
    Slot* slot = loaded.value();
    if (!slot->live()) {
        return fail(kNotFound, "child_remove: no child of " + parent.hex() + " under that key");
    }
    if (auto ok = m_objects.touch(*slot); !ok.is_ok()) {
        return fail(ok.error_code(), "child_remove: " + describe(ok.error_code()));
    }
    slot->current.reset();
    return vm::HostOk{};
}

vm::HostResult<vm::Value> TxHost::precompile(vm::HostFunction function,
                                             std::span<const vm::Value> args) {
    vm::HostResult<vm::Value> result = m_precompiles.call(function, args);
    if (!result.is_ok()) {
        return fail(result.error_code(), "precompile: " + describe(result.error_code()));
    }
    return result;
}

vm::HostStatus TxHost::emit_event(ByteView type_tag, ByteView data) {
    if (m_events.size() == limits::kEventsMax) {
        return fail(tx_host_error::kTooManyEvents,
                    "emit_event: more than " + std::to_string(limits::kEventsMax) + " events");
    }
    if (data.size() > limits::kEventBytesMax) {
        return fail(tx_host_error::kEventTooLarge, "emit_event: " + std::to_string(data.size()) +
                                                       " bytes of data exceed the limit of " +
                                                       std::to_string(limits::kEventBytesMax));
    }
    m_events.push_back(Event{TypeTag(type_tag), Bytes(data)});
    return vm::HostOk{};
}

vm::HostResult<Address> TxHost::tx_sender() { return m_tx.sender; }

}  // namespace remora::executor
