#pragma once
// Fixed values for the tx_test cases: keys from fixed seeds and one sample of every type, each
// filling every field with a distinct non-default value so that a codec dropping a field fails.

#include <cstdint>

#include "executor/tx/anoma.h"
#include "executor/tx/crypto.h"
#include "executor/tx/effects.h"
#include "executor/tx/limits.h"
#include "executor/tx/lookup_table.h"
#include "executor/tx/object.h"
#include "executor/tx/transaction.h"

namespace remora::executor::testing {

// A seed of 32 copies of `byte`.
Seed seed_of(std::uint8_t byte);
// A 32-byte value of 32 copies of `byte`.
common::Hash256 hash_of(std::uint8_t byte);

// The key pair from seed_of(1), and a second from seed_of(2).
const KeyPair& alice();
const KeyPair& bob();

Object sample_object(Owner owner = OwnedByAddress{hash_of(0xA1)});

// A package call signed by alice: sender, nonce, two owned and one shared input, a gas budget,
// u64 and bytes arguments. Its digest is a golden vector (tx_digest_test.cpp).
Transaction sample_transaction();
// The same fields with inline bytecode instead of a package call, signed by alice and bob.
Transaction sample_inline_transaction();

// Successful effects of sample_transaction(): one written, two created, one deleted, two events.
Effects sample_effects();
// Aborted effects (kUserAbort with a value and a detail).
Effects sample_aborted_effects();

LookupTable sample_lookup_table();

// One of each Anoma message kind.
ExecuteTransaction sample_execute_transaction();
KvsRead sample_kvs_read();
KvsRead sample_kvs_read_absent();
KvsWrite sample_kvs_write();
KvsWrite sample_kvs_delete();
ExecutorFinished sample_executor_finished();
ExecutionSummary sample_execution_summary();

}  // namespace remora::executor::testing
