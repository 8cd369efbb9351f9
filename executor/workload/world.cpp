#include "executor/workload/world.h"

#include <algorithm>
#include <cmath>

#include "executor/tx/authenticators.h"
#include "executor/workload/limits.h"

namespace remora::executor::workload {

namespace {
constexpr std::uint64_t kPpm = 1'000'000;
constexpr std::uint64_t kWorldStream = 0x776f726c64;  // "world"
}  // namespace

GenesisConfig synthetic_genesis_config(const WorkloadConfig& config) {
    GenesisConfig g;
    g.seed = config.seed;
    g.accounts = config.accounts;
    g.counters = config.shared_objects;
    g.pools = config.shared_objects;
    g.collections = config.shared_objects;
    return g;
}

std::uint64_t invalid_rate_ppm(double rate) {
    return static_cast<std::uint64_t>(std::llround(rate * static_cast<double>(kPpm)));
}

bool invalid_signature_at(std::uint64_t index, std::uint64_t rate_ppm) {
    // Both products stay below 2^64: index < 2^43 in any run we can make, rate_ppm <= 10^6.
    return (index + 1) * rate_ppm / kPpm > index * rate_ppm / kPpm;
}

void break_signature(Transaction& tx) {
    for (auto& authenticator : tx.authenticators) authenticator.signature.bytes[0] ^= 0x01;
}

World::World(const GenesisConfig& genesis, const WorkloadConfig& config)
    : m_genesis(genesis),
      m_config(config),
      m_rng(mix_seed(config.seed, kWorldStream)),
      m_sender_sampler(config.accounts, config.zipf_theta),
      m_shared_sampler(config.shared_objects, config.zipf_theta),
      m_keys(std::min<std::size_t>(genesis.accounts, kKeyCacheSlots)),
      m_counter_ids(genesis_shared_ids(genesis.seed, kCounterType, genesis.counters)),
      m_pool_ids(genesis_shared_ids(genesis.seed, kPoolType, genesis.pools)),
      m_collection_ids(genesis_shared_ids(genesis.seed, kCollectionType, genesis.collections)),
      m_invalid_ppm(invalid_rate_ppm(config.invalid_signature_rate)) {
    const GenesisConfig& g = m_genesis;
    REMORA_ASSERT(g.accounts == config.accounts && g.counters == config.shared_objects);
    m_counters.resize(g.counters);
    m_collections.resize(g.collections);
    m_pools.assign(g.pools, PoolModel{1, g.pool_reserve, g.pool_reserve});
}

AccountModel& World::account(std::uint32_t index) {
    REMORA_ASSERT(index < m_genesis.accounts);
    auto [it, inserted] = m_accounts.try_emplace(index);
    if (inserted) {
        AccountModel& model = it->second;
        const std::uint64_t seed = m_genesis.seed;
        model.main =
            CoinModel{genesis_object_id(seed, kCoinType, index, 0), 1, m_genesis.coin_balance, 0};
        for (std::uint32_t c = 1; c < m_genesis.coins_per_account; ++c) {
            model.spare.push_back(CoinModel{genesis_object_id(seed, kCoinType, index, c), 1,
                                            m_genesis.coin_balance, 0});
        }
    }
    return it->second;
}

const World::CachedKeys& World::cached_keys(std::uint32_t index) {
    CachedKeys& slot = m_keys[index % m_keys.size()];
    if (slot.account_plus_one != std::uint64_t{index} + 1) {
        slot.keys = account_keys(m_genesis.seed, index);
        slot.address = address_of(slot.keys.public_key);
        slot.account_plus_one = std::uint64_t{index} + 1;
    }
    return slot;
}

KeyPair World::keys(std::uint32_t index) { return cached_keys(index).keys; }

Address World::address(std::uint32_t index) { return cached_keys(index).address; }

ObjectId World::compute_object(std::uint32_t index) const {
    return genesis_object_id(m_genesis.seed, kComputeType, index);
}

std::uint32_t World::pick_sender() {
    return static_cast<std::uint32_t>(m_sender_sampler.sample(m_rng));
}

std::uint32_t World::pick_recipient(std::uint32_t sender) {
    if (m_config.accounts == 1) return sender;
    // Uniform over the other accounts: draw among n - 1 and skip the sender.
    auto r = static_cast<std::uint32_t>(common::below_unbiased(m_rng, m_config.accounts - 1));
    return r >= sender ? r + 1 : r;
}

std::uint32_t World::pick_shared() {
    return static_cast<std::uint32_t>(m_shared_sampler.sample(m_rng));
}

WorkloadTx World::seal(std::uint32_t sender, std::vector<InputObject> inputs,
                       programs::ProgramId program, std::string entry, std::vector<Value> arguments,
                       std::uint64_t gas_budget, AbortCode expected) {
    const CachedKeys& keys = cached_keys(sender);
    WorkloadTx out;
    out.tx.sender = keys.address;
    out.tx.nonce = account(sender).nonce++;
    out.tx.inputs = std::move(inputs);
    out.tx.gas_budget = gas_budget;
    out.tx.program = PackageCall{package_object_id(program), std::move(entry)};
    out.tx.arguments = std::move(arguments);
    sign_transaction(out.tx, std::span<const KeyPair>(&keys.keys, 1));
    out.expected_status = expected;
    if (invalid_signature_at(m_generated, m_invalid_ppm)) {
        break_signature(out.tx);
        out.expected_status = AbortCode::kInvalidAuthenticator;
    }
    ++m_generated;
    out.ends_commit = m_generated % m_config.batch_size == 0;
    return out;
}

}  // namespace remora::executor::workload
