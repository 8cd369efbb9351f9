#pragma once
// The host a transaction's program runs against (vm::HostInterface). It gives the host calls
// their meaning over the transaction's objects (tx_objects.h) and enforces who may touch what:
//
//  - object_* calls name only reachable objects: declared inputs, objects this transaction
//    created, and dynamic children already reached. Any other id is kPermissionDenied, so a
//    program can never read state its lookup table would not record.
//  - Writing, deleting and changing children needs a writable object: an input owned by the
//    sender or shared, a created object, or a child of a writable object. Immutable inputs (and
//    their children) are read-only. Transfers apply to address-owned objects only.
//  - child_* calls need a reachable, live parent; the child's id is dynamic_object_id(parent,
//    key), its first read is recorded as a dynamic read (absent ones too), and a child created
//    by child_set is owned by OwnedByParent{parent}.
//  - object_create derives ids with created_object_id(tx digest, n) and reads each one once
//    (recorded) so that a re-used id is detected and the version rule sees its tombstone.
//  - Every bound of the effects and the lookup table is checked at the call that would pass
//    it, failing with a tx_host_error code (executor/exec/rules.h).
// docs/execution.md has the full table.

#include <cstdint>
#include <string>
#include <vector>

#include "executor/exec/precompile_log.h"
#include "executor/exec/tx_objects.h"
#include "executor/tx/effects.h"
#include "executor/tx/transaction.h"
#include "executor/vm/host.h"

namespace remora::executor {

class TxHost : public vm::HostInterface {
public:
    // REQUIRES: the declared inputs are loaded in `objects` (origin kInput); every reference
    // outlives the host.
    TxHost(const Transaction& tx, const Digest& digest, TxObjects& objects,
           PrecompileLog& precompiles);

    vm::HostResult<Bytes> input_read(std::uint64_t index) override;
    vm::HostResult<ObjectId> input_id(std::uint64_t index) override;
    vm::HostResult<Bytes> object_read(const ObjectId& id) override;
    vm::HostStatus object_write(const ObjectId& id, ByteView contents) override;
    vm::HostResult<ObjectId> object_create(ByteView type_tag, ByteView contents) override;
    vm::HostStatus object_delete(const ObjectId& id) override;
    vm::HostStatus object_transfer(const ObjectId& id, const Address& recipient) override;
    vm::HostResult<Bytes> child_get(const ObjectId& parent, ByteView key) override;
    vm::HostStatus child_set(const ObjectId& parent, ByteView key, ByteView contents) override;
    vm::HostResult<bool> child_exists(const ObjectId& parent, ByteView key) override;
    vm::HostStatus child_remove(const ObjectId& parent, ByteView key) override;
    vm::HostResult<vm::Value> precompile(vm::HostFunction function,
                                         std::span<const vm::Value> args) override;
    vm::HostStatus emit_event(ByteView type_tag, ByteView data) override;
    vm::HostResult<Address> tx_sender() override;

    const std::vector<Event>& events() const { return m_events; }
    // Why the last failed call failed ("object_write: object <id> is read-only"): deterministic
    // text for the abort detail.
    const std::string& last_error() const { return m_last_error; }

private:
    vm::HostError fail(std::uint32_t code, std::string why);
    // The slot of an object the program may name; live (and writable) when asked.
    vm::HostResult<Slot*> named(const ObjectId& id, const char* call, bool need_live,
                                bool need_writable);
    // The child `key` of `parent`, loaded and classified; `write` asks for a writable parent.
    vm::HostResult<Slot*> child(const ObjectId& parent, ByteView key, const char* call, bool write);
    vm::HostStatus check_contents(ByteView contents, const char* call);

    const Transaction& m_tx;
    const Digest m_digest;
    TxObjects& m_objects;
    PrecompileLog& m_precompiles;
    std::vector<Event> m_events;
    std::uint32_t m_created = 0;  // objects created so far: the next creation index
    std::string m_last_error;
};

}  // namespace remora::executor
