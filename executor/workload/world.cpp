#include "executor/workload/world.h"

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

World::World(Genesis genesis, const WorkloadConfig& config)
    : m_genesis(std::move(genesis)),
      m_config(config),
      m_rng(mix_seed(config.seed, kWorldStream)),
      m_sender_sampler(config.accounts, config.zipf_theta),
      m_shared_sampler(config.shared_objects, config.zipf_theta),
      m_invalid_ppm(invalid_rate_ppm(config.invalid_signature_rate)) {
    const GenesisConfig& g = m_genesis.config;
    REMORA_ASSERT(g.accounts == config.accounts && g.counters == config.shared_objects);
    m_accounts.resize(g.accounts);
    for (std::uint32_t a = 0; a < g.accounts; ++a) {
        const auto& coins = m_genesis.accounts[a].coins;
        m_accounts[a].main = CoinModel{coins[0], 1, g.coin_balance, 0};
        for (std::size_t c = 1; c < coins.size(); ++c) {
            m_accounts[a].spare.push_back(CoinModel{coins[c], 1, g.coin_balance, 0});
        }
    }
    m_counters.resize(g.counters);
    m_collections.resize(g.collections);
    m_pools.assign(g.pools, PoolModel{1, g.pool_reserve, g.pool_reserve});
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
    const GenesisAccount& keys = m_genesis.accounts[sender];
    WorkloadTx out;
    out.tx.sender = keys.address;
    out.tx.nonce = m_accounts[sender].nonce++;
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
