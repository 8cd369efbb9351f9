#include "executor/workload/genesis.h"

#include <algorithm>
#include <string>

#include "common/hash.h"
#include "executor/exec/package_object.h"
#include "executor/tx/canonical.h"
#include "executor/workload/limits.h"

namespace remora::executor::workload {

namespace {

constexpr common::ByteView kAccountDomain = "remora/genesis/account/v1";
constexpr common::ByteView kObjectDomain = "remora/genesis/object/v1";
constexpr common::ByteView kPackageDomain = "remora/genesis/package/v1";

// BLAKE2b-256(domain ‖ BE64(seed) ‖ bytes(kind) ‖ BE64(index) ‖ BE64(sub)).
ObjectId genesis_object_id(std::uint64_t seed, common::ByteView kind, std::uint64_t index,
                           std::uint64_t sub = 0) {
    CanonicalWriter w(kObjectDomain);
    w.u64(seed);
    w.bytes(kind);
    w.u64(index);
    w.u64(sub);
    return common::blake2b_256(w.out());
}

Bytes be64(std::uint64_t v) {
    Bytes out;
    common::put_be64(out, v);
    return out;
}

Object make_object(const ObjectId& id, Owner owner, common::ByteView type, Bytes contents) {
    return Object{id, 1, std::move(owner), TypeTag(type), std::move(contents)};
}

common::Status check_range(const char* name, std::uint64_t value, std::uint64_t low,
                           std::uint64_t high) {
    if (value >= low && value <= high) return common::Status::ok();
    return {common::Code::kInvalidArgument, std::string("genesis ") + name + " " +
                                                std::to_string(value) + " is outside " +
                                                std::to_string(low) + ".." + std::to_string(high)};
}

// Shared objects of one kind: ids, and their objects appended to `objects`.
std::vector<ObjectId> add_shared(std::vector<Object>& objects, std::uint64_t seed,
                                 common::ByteView type, std::uint32_t count,
                                 const Bytes& contents) {
    std::vector<ObjectId> ids;
    ids.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        ids.push_back(genesis_object_id(seed, type, i));
        objects.push_back(make_object(ids.back(), SharedOwner{}, type, contents));
    }
    return ids;
}

}  // namespace

common::Status validate_genesis_config(const GenesisConfig& c) {
    REMORA_RETURN_IF_ERROR(check_range("accounts", c.accounts, 1, limits::kAccountsMax));
    REMORA_RETURN_IF_ERROR(
        check_range("coins_per_account", c.coins_per_account, 1, limits::kCoinsPerAccountMax));
    REMORA_RETURN_IF_ERROR(check_range("coin_balance", c.coin_balance, 0, limits::kCoinBalanceMax));
    REMORA_RETURN_IF_ERROR(check_range("counters", c.counters, 1, limits::kSharedObjectsMax));
    REMORA_RETURN_IF_ERROR(check_range("pools", c.pools, 1, limits::kSharedObjectsMax));
    REMORA_RETURN_IF_ERROR(check_range("pool_reserve", c.pool_reserve, 1, limits::kPoolReserveMax));
    REMORA_RETURN_IF_ERROR(check_range("collections", c.collections, 1, limits::kSharedObjectsMax));
    return common::Status::ok();
}

KeyPair account_keys(std::uint64_t genesis_seed, std::uint64_t index) {
    CanonicalWriter w(kAccountDomain);
    w.u64(genesis_seed);
    w.u64(index);
    Seed seed;
    seed.bytes = common::blake2b_256(w.out()).bytes;
    return keypair_from_seed(seed);
}

ObjectId package_object_id(programs::ProgramId program) {
    CanonicalWriter w(kPackageDomain);
    w.bytes(programs::program_name(program));
    return common::blake2b_256(w.out());
}

Object package_object(programs::ProgramId program) {
    auto verified = programs::load_program(program);
    REMORA_ASSERT(verified.is_ok());
    auto object = make_package_object(package_object_id(program), 1, verified->package());
    REMORA_ASSERT(object.is_ok());  // the standard programs are a few KiB
    return std::move(object).value();
}

common::Result<Genesis> make_genesis(const GenesisConfig& config) {
    REMORA_RETURN_IF_ERROR(validate_genesis_config(config));
    Genesis g;
    g.config = config;
    const std::uint64_t seed = config.seed;
    g.accounts.reserve(config.accounts);
    for (std::uint32_t a = 0; a < config.accounts; ++a) {
        GenesisAccount account;
        account.keys = account_keys(seed, a);
        account.address = address_of(account.keys.public_key);
        for (std::uint32_t c = 0; c < config.coins_per_account; ++c) {
            account.coins.push_back(genesis_object_id(seed, kCoinType, a, c));
            g.objects.push_back(make_object(account.coins.back(), OwnedByAddress{account.address},
                                            kCoinType, be64(config.coin_balance)));
        }
        account.compute_object = genesis_object_id(seed, kComputeType, a);
        g.objects.push_back(make_object(account.compute_object, OwnedByAddress{account.address},
                                        kComputeType, Bytes()));
        g.accounts.push_back(std::move(account));
    }
    g.counters = add_shared(g.objects, seed, kCounterType, config.counters, be64(0));
    g.pools = add_shared(g.objects, seed, kPoolType, config.pools,
                         be64(config.pool_reserve) + be64(config.pool_reserve));
    g.collections = add_shared(g.objects, seed, kCollectionType, config.collections, be64(0));
    for (programs::ProgramId program : programs::kGenesisPrograms) {
        g.objects.push_back(package_object(program));
    }
    std::sort(g.objects.begin(), g.objects.end(),
              [](const Object& a, const Object& b) { return a.id < b.id; });
    return g;
}

std::vector<Object> genesis_objects(const GenesisConfig& config) {
    auto genesis = make_genesis(config);
    REMORA_ASSERT(genesis.is_ok());
    return std::move(genesis->objects);
}

}  // namespace remora::executor::workload
