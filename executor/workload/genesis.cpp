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

Bytes be64(std::uint64_t v) {
    Bytes out;
    common::put_be64(out, v);
    return out;
}

Object make_object(const ObjectId& id, Owner owner, common::ByteView type, Bytes contents) {
    return Object{id, 1, owner, TypeTag(type), std::move(contents)};
}

common::Status check_range(const char* name, std::uint64_t value, std::uint64_t low,
                           std::uint64_t high) {
    if (value >= low && value <= high) return common::Status::ok();
    return {common::Code::kInvalidArgument, std::string("genesis ") + name + " " +
                                                std::to_string(value) + " is outside " +
                                                std::to_string(low) + ".." + std::to_string(high)};
}

// The synthetic genesis by ordinal: account a's coins are ordinals a(c+1) .. a(c+1)+c-1 and
// its compute object a(c+1)+c (c coins per account), then the counters, pools, collections,
// the packages of kGenesisPrograms, and the extra objects.
class SyntheticSource final : public GenesisSource {
public:
    SyntheticSource(const GenesisConfig& config, std::vector<Object> extra)
        : m_config(config), m_extra(std::move(extra)) {
        REMORA_ASSERT(validate_genesis_config(config).is_ok());
        m_account_objects = std::uint64_t{config.accounts} * (config.coins_per_account + 1);
    }

    std::uint64_t size() const override {
        return m_account_objects + m_config.counters + m_config.pools + m_config.collections +
               programs::kGenesisPrograms.size() + m_extra.size();
    }

    std::optional<Object> next() override {
        if (m_next >= size()) return std::nullopt;
        std::uint64_t k = m_next++;
        const std::uint64_t seed = m_config.seed;
        if (k < m_account_objects) {
            const std::uint64_t per_account = m_config.coins_per_account + 1;
            const std::uint64_t a = k / per_account, j = k % per_account;
            if (j == 0) m_address = address_of(account_keys(seed, a).public_key);
            if (j < m_config.coins_per_account) {
                return make_object(genesis_object_id(seed, kCoinType, a, j),
                                   OwnedByAddress{m_address}, kCoinType,
                                   be64(m_config.coin_balance));
            }
            return make_object(genesis_object_id(seed, kComputeType, a), OwnedByAddress{m_address},
                               kComputeType, Bytes());
        }
        k -= m_account_objects;
        if (k < m_config.counters) {
            return make_object(genesis_object_id(seed, kCounterType, k), SharedOwner{},
                               kCounterType, be64(0));
        }
        k -= m_config.counters;
        if (k < m_config.pools) {
            return make_object(genesis_object_id(seed, kPoolType, k), SharedOwner{}, kPoolType,
                               be64(m_config.pool_reserve) + be64(m_config.pool_reserve));
        }
        k -= m_config.pools;
        if (k < m_config.collections) {
            return make_object(genesis_object_id(seed, kCollectionType, k), SharedOwner{},
                               kCollectionType, be64(0));
        }
        k -= m_config.collections;
        if (k < programs::kGenesisPrograms.size()) {
            return package_object(programs::kGenesisPrograms[k]);
        }
        return m_extra[k - programs::kGenesisPrograms.size()];
    }

private:
    GenesisConfig m_config;
    std::vector<Object> m_extra;
    std::uint64_t m_account_objects = 0;
    std::uint64_t m_next = 0;
    Address m_address;  // of the account whose objects are being handed out
};

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

ObjectId genesis_object_id(std::uint64_t seed, common::ByteView kind, std::uint64_t index,
                           std::uint64_t sub) {
    CanonicalWriter w(kObjectDomain);
    w.u64(seed);
    w.bytes(kind);
    w.u64(index);
    w.u64(sub);
    return common::blake2b_256(w.out());
}

std::vector<ObjectId> genesis_shared_ids(std::uint64_t seed, common::ByteView type,
                                         std::uint32_t count) {
    std::vector<ObjectId> ids;
    ids.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) ids.push_back(genesis_object_id(seed, type, i));
    return ids;
}

std::unique_ptr<GenesisSource> synthetic_genesis_source(const GenesisConfig& config,
                                                        std::vector<Object> extra) {
    return std::make_unique<SyntheticSource>(config, std::move(extra));
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
        }
        account.compute_object = genesis_object_id(seed, kComputeType, a);
        g.accounts.push_back(std::move(account));
    }
    g.counters = genesis_shared_ids(seed, kCounterType, config.counters);
    g.pools = genesis_shared_ids(seed, kPoolType, config.pools);
    g.collections = genesis_shared_ids(seed, kCollectionType, config.collections);
    auto source = synthetic_genesis_source(config);
    g.objects.reserve(source->size());
    while (auto object = source->next()) g.objects.push_back(std::move(*object));
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
