#pragma once
// The synthetic workloads' model of the state they generate: every owned coin's version and
// balance, each account's compute object version and nonce, the pools' reserves and the
// counters' and collections' values, all as they will be when the transactions run in
// generation order. A maker (makers.h) reads the model to build a transaction, seals it, and
// applies its predicted effects only when the transaction is expected to succeed: a failed
// transaction leaves the state unchanged.
//
// Invariant: the model equals the state after executing every sealed transaction in order from
// the genesis (checked end to end by tests/executor/workload_execute_test.cpp).

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "executor/programs/programs.h"
#include "executor/workload/genesis.h"
#include "executor/workload/rng.h"
#include "executor/workload/workload.h"
#include "executor/workload/zipf.h"

namespace remora::executor::workload {

struct CoinModel {
    ObjectId id;
    Version version = 1;
    std::uint64_t balance = 0;
    // Index of the first generated transaction that may spend it. A coin received from another
    // account waits a few batches, so that spending it is not a conflict with its creation.
    std::uint64_t ready_at = 0;
};

struct AccountModel {
    CoinModel main;               // pays splits and swaps
    std::deque<CoinModel> spare;  // other coins, oldest first: merged or passed on
    Version compute_version = 1;
    std::uint64_t nonce = 0;  // distinct per sender, so digests never repeat
};

struct SharedModel {
    Version version = 1;
    std::uint64_t value = 0;  // a counter's count, a collection's next serial
};

struct PoolModel {
    Version version = 1;
    std::uint64_t reserve_a = 0;
    std::uint64_t reserve_b = 0;
};

// The model holds only what transactions changed: an account is materialised from its genesis
// (main coin = coin 0, spare coins 1.., all at version 1) the first time a maker asks for it,
// and keys are derived on demand into a small direct-mapped cache. Its memory grows with the
// transactions generated, not with the accounts, so that a genesis of millions of accounts
// costs the generator little (docs/workloads.md, "Genesis in parts").
class World {
public:
    // REQUIRES: config is valid and genesis is synthetic_genesis_config(config).
    World(const GenesisConfig& genesis, const WorkloadConfig& config);

    const GenesisConfig& genesis_config() const { return m_genesis; }
    const WorkloadConfig& config() const { return m_config; }
    Rng& rng() { return m_rng; }
    // Transactions sealed so far (the index of the next one).
    std::uint64_t generated() const { return m_generated; }

    std::uint32_t pick_sender();                         // Zipf over accounts
    std::uint32_t pick_recipient(std::uint32_t sender);  // uniform, another account if any
    std::uint32_t pick_shared();                         // Zipf over shared_objects

    // References stay valid while the World lives (the map is node-based).
    AccountModel& account(std::uint32_t index);
    // Account `index`'s keys, address and compute object (genesis.h).
    KeyPair keys(std::uint32_t index);
    Address address(std::uint32_t index);
    ObjectId compute_object(std::uint32_t index) const;
    const ObjectId& counter_id(std::uint32_t index) const { return m_counter_ids[index]; }
    const ObjectId& pool_id(std::uint32_t index) const { return m_pool_ids[index]; }
    const ObjectId& collection_id(std::uint32_t index) const { return m_collection_ids[index]; }

    SharedModel& counter(std::uint32_t index) { return m_counters[index]; }
    SharedModel& collection(std::uint32_t index) { return m_collections[index]; }
    PoolModel& pool(std::uint32_t index) { return m_pools[index]; }

    // Transactions a received coin waits before its new owner spends it.
    std::uint64_t receive_delay() const { return 2ull * m_config.batch_size; }

    // Completes a transaction of `sender`: nonce, package call, signature (broken on the
    // invalid-signature schedule), the suggested commit boundary. The result's expected_status
    // is `expected`, or kInvalidAuthenticator when the signature was broken.
    WorkloadTx seal(std::uint32_t sender, std::vector<InputObject> inputs,
                    programs::ProgramId program, std::string entry, std::vector<Value> arguments,
                    std::uint64_t gas_budget, AbortCode expected = AbortCode::kNone);

private:
    struct CachedKeys {
        std::uint64_t account_plus_one = 0;  // 0: empty slot
        KeyPair keys;
        Address address;
    };
    static constexpr std::size_t kKeyCacheSlots = 1 << 16;
    const CachedKeys& cached_keys(std::uint32_t index);

    GenesisConfig m_genesis;
    WorkloadConfig m_config;
    Rng m_rng;
    ZipfSampler m_sender_sampler;
    ZipfSampler m_shared_sampler;
    std::unordered_map<std::uint32_t, AccountModel> m_accounts;
    std::vector<CachedKeys> m_keys;  // min(accounts, kKeyCacheSlots) slots
    std::vector<ObjectId> m_counter_ids;
    std::vector<ObjectId> m_pool_ids;
    std::vector<ObjectId> m_collection_ids;
    std::vector<SharedModel> m_counters;
    std::vector<SharedModel> m_collections;
    std::vector<PoolModel> m_pools;
    std::uint64_t m_generated = 0;
    std::uint64_t m_invalid_ppm = 0;
};

// The genesis knobs a synthetic workload uses: accounts, and shared_objects counters, pools
// and collections.
GenesisConfig synthetic_genesis_config(const WorkloadConfig& config);

// The invalid-signature schedule: transaction `index` (0-based) is broken when
// floor((index + 1) × ppm / 10^6) > floor(index × ppm / 10^6), so that exactly
// floor(n × ppm / 10^6) of the first n are.
bool invalid_signature_at(std::uint64_t index, std::uint64_t rate_ppm);
std::uint64_t invalid_rate_ppm(double rate);

// Breaks every authenticator's signature (flips one bit), keeping the digest.
void break_signature(Transaction& tx);

}  // namespace remora::executor::workload
