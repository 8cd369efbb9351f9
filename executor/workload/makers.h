#pragma once
// One transaction of each synthetic kind, built from the World's model (docs/workloads.md lists
// what each kind does). Each maker seals the transaction and, when the model predicts success,
// applies its effects to the model.

#include "executor/workload/world.h"

namespace remora::executor::workload {

// Gas budget of the transactions that do not call a precompile in a loop: far above what they
// use (a few thousand), far below anything that could run long.
inline constexpr std::uint64_t kGasBudgetDefault = 1'000'000;

// Splits from the sender's main coin to another account; now and then merges a spare coin into
// the main one, or passes a spare coin on whole.
WorkloadTx make_transfer_tx(World& world);
// Increments a shared counter by 1..10.
WorkloadTx make_counter_tx(World& world);
// Mints the next item of a shared collection.
WorkloadTx make_nft_tx(World& world);
// Swaps 1..10,000 units on a shared pool, paid from the sender's main coin.
WorkloadTx make_amm_tx(World& world);
// Three in four: iterated_hash of compute_rounds rounds; one in four: an Ed25519 attestation.
WorkloadTx make_compute_tx(World& world);
// One of the above, drawn by weight (transfer 35%, counter 20%, amm 20%, nft 15%, compute 10%).
WorkloadTx make_mixed_tx(World& world);

// The program's output coin after a successful transaction: the `index`-th object it created.
ObjectId created_coin_id(const Transaction& tx, std::uint32_t index);

}  // namespace remora::executor::workload
