#pragma once
// The deterministic genesis state of the synthetic workloads (docs/workloads.md, "Genesis"):
// accounts with Ed25519 keys derived from the genesis seed, their coins and compute objects,
// shared counters, AMM pools and NFT collections, and the published standard packages. The same
// config always gives the same objects, byte for byte; every genesis object has version 1.

#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"
#include "executor/exec/genesis_source.h"
#include "executor/programs/programs.h"
#include "executor/tx/crypto.h"
#include "executor/tx/object.h"

namespace remora::executor::workload {

// Type tags of the genesis objects (the programs create more "coin" objects at run time).
inline constexpr common::ByteView kCoinType = "coin";
inline constexpr common::ByteView kCounterType = "counter";
inline constexpr common::ByteView kPoolType = "amm/pool";
inline constexpr common::ByteView kCollectionType = "nft/collection";
inline constexpr common::ByteView kComputeType = "compute/result";

struct GenesisConfig {
    std::uint64_t seed = 1;
    std::uint32_t accounts = 1000;            // 1..kAccountsMax
    std::uint32_t coins_per_account = 2;      // 1..kCoinsPerAccountMax
    std::uint64_t coin_balance = 10'000'000;  // 0..kCoinBalanceMax
    std::uint32_t counters = 8;               // 1..kSharedObjectsMax each
    std::uint32_t pools = 8;
    std::uint64_t pool_reserve = 1'000'000'000;  // both sides; 1..kPoolReserveMax
    std::uint32_t collections = 8;
};

struct GenesisAccount {
    KeyPair keys;
    Address address;
    std::vector<ObjectId> coins;  // owned "coin" objects holding coin_balance each
    ObjectId compute_object;      // owned "compute/result" object, empty contents
};

struct Genesis {
    GenesisConfig config;
    std::vector<GenesisAccount> accounts;
    std::vector<ObjectId> counters;     // shared "counter", contents BE64(0)
    std::vector<ObjectId> pools;        // shared "amm/pool", BE64(reserve) ‖ BE64(reserve)
    std::vector<ObjectId> collections;  // shared "nft/collection", next serial BE64(0)
    std::vector<Object> objects;        // everything above and the packages, sorted by id
};

// kInvalidArgument for a knob outside its bounds (workload/limits.h).
common::Status validate_genesis_config(const GenesisConfig& config);

// Everything in memory: keys, ids and the sorted objects (tests and small tools; a large
// genesis goes through synthetic_genesis_source).
common::Result<Genesis> make_genesis(const GenesisConfig& config);

// The objects alone. REQUIRES: validate_genesis_config(config) is ok (asserted).
std::vector<Object> genesis_objects(const GenesisConfig& config);

// The same objects as make_genesis, then `extra`, generated one at a time in a fixed order
// (each account's coins and compute object, the counters, pools, collections, the packages,
// `extra`), holding one account's keys at a time: memory does not grow with the accounts.
// REQUIRES: validate_genesis_config(config) is ok (asserted).
std::unique_ptr<GenesisSource> synthetic_genesis_source(const GenesisConfig& config,
                                                        std::vector<Object> extra = {});

// BLAKE2b-256(domain("remora/genesis/object/v1") ‖ BE64(seed) ‖ bytes(kind) ‖ BE64(index) ‖
// BE64(sub)): coin `sub` of account `index` (kind kCoinType), its compute object (kComputeType,
// sub 0), shared object `index` of its kind (sub 0).
ObjectId genesis_object_id(std::uint64_t seed, common::ByteView kind, std::uint64_t index,
                           std::uint64_t sub = 0);
// The ids of shared objects 0..count-1 of `type`.
std::vector<ObjectId> genesis_shared_ids(std::uint64_t seed, common::ByteView type,
                                         std::uint32_t count);

// The Ed25519 keys of account `index`: the seed is BLAKE2b-256(domain("remora/genesis/account/v1")
// ‖ BE64(genesis seed) ‖ BE64(index)).
KeyPair account_keys(std::uint64_t genesis_seed, std::uint64_t index);

// The published package of a standard program: an immutable object with id
// BLAKE2b-256(domain("remora/genesis/package/v1") ‖ program name), version 1, made by
// make_package_object (executor/exec/package_object.h). The id does not depend on the seed.
ObjectId package_object_id(programs::ProgramId program);
Object package_object(programs::ProgramId program);

}  // namespace remora::executor::workload
