#pragma once
// The objects one transaction works on: every object it read from the state, as it first found
// it and as the transaction has changed it since. It records each state read for the lookup
// table (docs/design.md §3) and turns the changes into the effects' written/created/deleted lists.
//
// Invariants: an id is read from the state at most once per transaction (later loads see the
// transaction's own view); every slot has exactly one entry in reads(), in first-read order;
// nothing here iterates an unordered container.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "common/status.h"
#include "executor/exec/state.h"
#include "executor/tx/effects.h"
#include "executor/tx/lookup_table.h"
#include "executor/vm/host.h"

namespace remora::executor {

// How the transaction reached an object; it decides what the program may do with it.
enum class Origin : std::uint8_t {
    kNone,     // read by the executor only (the package, a created id probed for collisions)
    kInput,    // a declared input
    kCreated,  // created by this transaction's object_create
    kChild,    // a dynamic child reached through a child_* call
};

struct Slot {
    ObjectLookup before;            // what the state held when the transaction first read it
    std::optional<Object> current;  // the object as the transaction sees it now (nullopt: gone)
    Origin origin = Origin::kNone;
    bool writable = false;  // the program may write, delete and (if address-owned) transfer it
    bool touched = false;   // written, created, deleted or transferred by the program

    bool live() const { return current.has_value(); }
    // The program may name it in object_* calls and as a parent in child_* calls.
    bool reachable() const { return origin != Origin::kNone; }
};

class TxObjects {
public:
    explicit TxObjects(StateReader& state) : m_state(state) {}

    // Reads `ids` from the state ahead of use (the dynamic objects a lookup table names) and
    // records nothing: a later load() of one of them takes the prefetched answer instead of
    // reading again. The state does not change during a transaction, so the answers are the
    // same as reading on demand. Fails only when the state fails.
    common::Status prefetch(std::span<const ObjectId> ids);

    // The slot of `id`, reading the state and recording the read (as `kind`) the first time.
    // Fails with tx_host_error::kTooManyReads past limits::kLookupReadsMax reads, and with
    // vm::host_error::kUnavailable when the state fails (the cause is kept in io_error()).
    vm::HostResult<Slot*> load(const ObjectId& id, ObjectRead::Kind kind);
    // The slot of an id already loaded, or nullptr.
    Slot* find(const ObjectId& id);

    // Marks `slot` as changed by the program. Fails with kTooManyChangedObjects when it would
    // be the (limits::kEffectsObjectsMax + 1)-th object changed: a conservative bound, since an
    // object created and deleted again counts although it leaves no trace in the effects.
    vm::HostStatus touch(Slot& slot);
    // Records `id` among the dynamic objects touched; kTooManyDynamicObjects past the limit.
    vm::HostStatus note_dynamic(const ObjectId& id);

    // The first state failure, if any (ok otherwise). A failed state read is not an outcome of
    // the transaction: the caller must drop the execution and report this error.
    const common::Status& io_error() const { return m_io_error; }

    const std::vector<ObjectRead>& reads() const { return m_reads; }
    // Strictly ascending.
    std::vector<ObjectId> dynamic_objects() const;

    // True when collect_changes would add at least one object.
    bool has_changes() const;
    // Appends each changed object to effects.written (it existed and still does), created (it
    // did not exist) or deleted (it existed and is gone), all at `version`, in id order.
    void collect_changes(Version version, Effects& effects) const;

private:
    StateReader& m_state;
    std::map<ObjectId, ObjectLookup> m_prefetched;
    std::map<ObjectId, Slot> m_slots;  // node-based: Slot pointers stay valid on insert
    std::vector<ObjectRead> m_reads;
    std::set<ObjectId> m_dynamic;
    std::size_t m_touched = 0;
    common::Status m_io_error;
};

}  // namespace remora::executor
