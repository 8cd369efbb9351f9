#include "tests/executor/tx_fixtures.h"

#include "executor/tx/authenticators.h"
#include "executor/tx/ids.h"

namespace remora::executor::testing {

Seed seed_of(std::uint8_t byte) {
    Seed seed;
    seed.bytes.fill(byte);
    return seed;
}

common::Hash256 hash_of(std::uint8_t byte) {
    common::Hash256 h;
    h.bytes.fill(byte);
    return h;
}

const KeyPair& alice() {
    static const KeyPair keys = keypair_from_seed(seed_of(1));
    return keys;
}

const KeyPair& bob() {
    static const KeyPair keys = keypair_from_seed(seed_of(2));
    return keys;
}

Object sample_object(Owner owner) {
    return Object{hash_of(0x0B), 7, owner, "coin", Bytes("\x00\x01\x02\xff", 4)};
}

Transaction sample_transaction() {
    Transaction tx;
    tx.sender = address_of(alice().public_key);
    tx.nonce = 42;
    tx.inputs = {InputObject::owned(hash_of(0x11), 3), InputObject::owned(hash_of(0x12), 9),
                 InputObject::shared(hash_of(0x13))};
    tx.gas_budget = 1'000'000;
    tx.program = PackageCall{hash_of(0x50), "transfer"};
    tx.arguments = {Value{std::uint64_t{500}}, Value{Bytes("memo")}};
    KeyPair signers[] = {alice()};
    sign_transaction(tx, signers);
    return tx;
}

Transaction sample_inline_transaction() {
    Transaction tx = sample_transaction();
    tx.program = InlineBytecode{Bytes("\x01\x02\x03\x00\x7f", 5)};
    KeyPair signers[] = {alice(), bob()};
    sign_transaction(tx, signers);
    return tx;
}

Effects sample_effects() {
    Effects e;
    e.tx_digest = transaction_digest(sample_transaction());
    e.gas_used = 1234;
    Object written = sample_object();
    written.id = hash_of(0x11);
    written.version = 10;
    e.written = {written};
    for (std::uint32_t i = 0; i < 2; ++i) {
        Object created = sample_object(OwnedByParent{hash_of(0x11)});
        created.id = created_object_id(e.tx_digest, i);
        created.version = 10;
        created.contents = "created-" + std::to_string(i);
        e.created.push_back(created);
    }
    e.deleted = {DeletedObject{hash_of(0x12), 10}};
    e.events = {Event{"transfer", "alice->bob"}, Event{"", ""}};
    normalize_effects(e);
    return e;
}

Effects sample_aborted_effects() {
    Effects e;
    e.tx_digest = transaction_digest(sample_inline_transaction());
    e.status = {AbortCode::kUserAbort, 77, "user_abort(77) at f0:12"};
    e.gas_used = 99;
    return e;
}

LookupTable sample_lookup_table() {
    LookupTable t;
    const Transaction tx = sample_transaction();
    t.tx_digest = transaction_digest(tx);
    t.reads = {ObjectRead{hash_of(0x11), ObjectRead::Kind::kDeclared, true, 3},
               ObjectRead{hash_of(0x13), ObjectRead::Kind::kDeclared, true, 8},
               ObjectRead{hash_of(0x21), ObjectRead::Kind::kDynamic, false, 5},
               ObjectRead{hash_of(0x22), ObjectRead::Kind::kDynamic, false, 0}};
    for (const Authenticator& a : tx.authenticators) {
        t.authenticators.push_back({a.public_key, a.signature, AuthenticatorStatus::kVerified});
    }
    t.authenticators.push_back({bob().public_key, Signature{}, AuthenticatorStatus::kFailed});
    t.sender_matches = true;
    t.precompile_calls = {PrecompileCall{1, hash_of(0x31), "out-1"},
                          PrecompileCall{4, hash_of(0x32), ""}};
    t.dynamic_objects = {hash_of(0x21), hash_of(0x22)};
    return t;
}

ExecuteTransaction sample_execute_transaction() {
    return {sample_transaction(), TxFingerprint{17, 3}, hash_of(0xC0), hash_of(0x15)};
}

KvsRead sample_kvs_read() {
    Object object = sample_object();
    return {TxFingerprint{17, 3}, object.id, object.version, object};
}

KvsRead sample_kvs_read_absent() { return {TxFingerprint{17, 4}, hash_of(0x21), 5, std::nullopt}; }

KvsWrite sample_kvs_write() {
    Object object = sample_object(ImmutableOwner{});
    object.version = 8;
    return {TxFingerprint{18, 0}, object.id, object.version, object};
}

KvsWrite sample_kvs_delete() { return {TxFingerprint{18, 1}, hash_of(0x12), 10, std::nullopt}; }

ExecutorFinished sample_executor_finished() {
    Effects e = sample_effects();
    return {TxFingerprint{17, 3}, e.tx_digest, AbortCode::kNone, e.gas_used, effects_digest(e)};
}

ExecutionSummary sample_execution_summary() {
    Effects e = sample_aborted_effects();
    return {TxFingerprint{2, 0}, e.tx_digest, e.status, e.gas_used, effects_digest(e)};
}

}  // namespace remora::executor::testing
