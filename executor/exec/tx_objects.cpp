#include "executor/exec/tx_objects.h"

#include <string>
#include <utility>

#include "executor/exec/rules.h"
#include "executor/tx/limits.h"

namespace remora::executor {
namespace {

// A StateReader must answer for the id asked, with the object's own version, within the
// version range. Anything else is a broken reader or a corrupt store: an error, never a result.
common::Status check_lookup(const ObjectId& id, const ObjectLookup& lookup) {
    const auto corrupt = [&](const std::string& what) {
        return common::Status(common::Code::kCorruption, "state read of " + id.hex() + ": " + what);
    };
    if (lookup.version > limits::kVersionMax) {
        return corrupt("version " + std::to_string(lookup.version) + " is past the limit");
    }
    if (!lookup.object) return common::Status::ok();
    if (lookup.object->id != id) return corrupt("returned object " + lookup.object->id.hex());
    if (lookup.object->version != lookup.version || lookup.version == 0) {
        return corrupt("object version " + std::to_string(lookup.object->version) +
                       " disagrees with the lookup's version " + std::to_string(lookup.version));
    }
    return common::Status::ok();
}

// kTooManyReads is a guard that the other bounds make unreachable: at most every input, the
// package, every dynamic child and one created id past the changed-objects limit are read.
static_assert(limits::kInputsMax + 1 + limits::kDynamicObjectsMax + limits::kEffectsObjectsMax +
                  1 <=
              limits::kLookupReadsMax);

}  // namespace

common::Status TxObjects::prefetch(std::span<const ObjectId> ids) {
    for (const ObjectId& id : ids) {
        if (m_slots.count(id) != 0 || m_prefetched.count(id) != 0) continue;
        common::Result<ObjectLookup> lookup = m_state.read(id);
        if (!lookup.is_ok()) return lookup.status();
        REMORA_RETURN_IF_ERROR(check_lookup(id, lookup.value()));
        m_prefetched.emplace(id, std::move(lookup.value()));
    }
    return common::Status::ok();
}

vm::HostResult<Slot*> TxObjects::load(const ObjectId& id, ObjectRead::Kind kind) {
    if (Slot* slot = find(id)) return slot;
    if (m_reads.size() == limits::kLookupReadsMax) {
        return vm::HostError{tx_host_error::kTooManyReads};
    }
    ObjectLookup lookup;
    if (auto it = m_prefetched.find(id); it != m_prefetched.end()) {
        lookup = std::move(it->second);
        m_prefetched.erase(it);
    } else {
        common::Result<ObjectLookup> read = m_state.read(id);
        common::Status status = read.is_ok() ? check_lookup(id, read.value()) : read.status();
        if (!status.is_ok()) {
            if (m_io_error.is_ok()) m_io_error = std::move(status);
            return vm::HostError{vm::host_error::kUnavailable};
        }
        lookup = std::move(read.value());
    }
    m_reads.push_back(ObjectRead{id, kind, lookup.exists(), lookup.version});
    Slot slot;
    slot.current = lookup.object;
    slot.before = std::move(lookup);
    return &m_slots.emplace(id, std::move(slot)).first->second;
}

Slot* TxObjects::find(const ObjectId& id) {
    auto it = m_slots.find(id);
    return it == m_slots.end() ? nullptr : &it->second;
}

vm::HostStatus TxObjects::touch(Slot& slot) {
    if (slot.touched) return vm::HostOk{};
    if (m_touched == limits::kEffectsObjectsMax) {
        return vm::HostError{tx_host_error::kTooManyChangedObjects};
    }
    ++m_touched;
    slot.touched = true;
    return vm::HostOk{};
}

vm::HostStatus TxObjects::note_dynamic(const ObjectId& id) {
    if (m_dynamic.count(id) != 0) return vm::HostOk{};
    if (m_dynamic.size() == limits::kDynamicObjectsMax) {
        return vm::HostError{tx_host_error::kTooManyDynamicObjects};
    }
    m_dynamic.insert(id);
    return vm::HostOk{};
}

std::vector<ObjectId> TxObjects::dynamic_objects() const {
    return {m_dynamic.begin(), m_dynamic.end()};
}

bool TxObjects::has_changes() const {
    for (const auto& [id, slot] : m_slots) {
        if (slot.touched && (slot.live() || slot.before.exists())) return true;
    }
    return false;
}

void TxObjects::collect_changes(Version version, Effects& effects) const {
    for (const auto& [id, slot] : m_slots) {
        if (!slot.touched) continue;
        if (slot.live()) {
            Object object = *slot.current;
            object.version = version;
            (slot.before.exists() ? effects.written : effects.created).push_back(std::move(object));
        } else if (slot.before.exists()) {
            effects.deleted.push_back(DeletedObject{id, version});
        }
    }
}

}  // namespace remora::executor
