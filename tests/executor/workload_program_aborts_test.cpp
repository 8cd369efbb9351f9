// The standard programs' documented abort codes and view functions, through
// execute_transaction against a small genesis (docs/workloads.md, "Programs").

#include <catch2/catch.hpp>

#include "executor/exec/execute.h"
#include "executor/exec/state_overlay.h"
#include "executor/tx/authenticators.h"
#include "executor/workload/genesis.h"

namespace {

using namespace remora::executor;
using namespace remora::executor::workload;
using programs::ProgramId;

class Chain {
public:
    Chain() {
        GenesisConfig c;
        c.accounts = 3;
        c.coins_per_account = 2;
        c.coin_balance = 100;
        c.pools = 1;
        c.pool_reserve = 1'000'000;
        c.collections = 1;
        auto g = make_genesis(c);
        REQUIRE(g.is_ok());
        m_genesis = std::move(g).value();
        for (const auto& o : m_genesis.objects) m_state.put(o);
    }

    const Genesis& genesis() const { return m_genesis; }
    Version version(const ObjectId& id) {
        auto lookup = m_state.read(id);
        REQUIRE(lookup.is_ok());
        return lookup->version;
    }
    Address address(std::size_t account) const { return m_genesis.accounts[account].address; }

    // Runs entry `entry` of `program` as `account`; applies the effects.
    Effects run(std::size_t account, std::vector<InputObject> inputs, ProgramId program,
                const std::string& entry, std::vector<Value> args) {
        Transaction tx;
        tx.sender = address(account);
        tx.nonce = m_nonce++;
        tx.inputs = std::move(inputs);
        tx.gas_budget = 1'000'000;
        tx.program = PackageCall{package_object_id(program), entry};
        tx.arguments = std::move(args);
        sign_transaction(tx, std::span<const KeyPair>(&m_genesis.accounts[account].keys, 1));
        auto result = execute_transaction(tx, m_state);
        REQUIRE(result.is_ok());
        apply_effects(m_state, result->effects);
        return result->effects;
    }
    InputObject coin(std::size_t account, std::size_t index = 0) {
        const ObjectId& id = m_genesis.accounts[account].coins[index];
        return InputObject::owned(id, version(id));
    }

private:
    Genesis m_genesis;
    InMemoryState m_state;
    std::uint64_t m_nonce = 0;
};

void check_user_abort(const Effects& effects, std::uint64_t code) {
    INFO(abort_code_name(effects.status.code) << " " << effects.status.detail);
    CHECK(effects.status.code == AbortCode::kUserAbort);
    CHECK(effects.status.abort_value == code);
}

Bytes to_bytes(const Address& a) { return Bytes(a.view()); }

TEST_CASE("coin: a split beyond the balance aborts with 1", "[workload][programs]") {
    Chain chain;
    check_user_abort(chain.run(0, {chain.coin(0)}, ProgramId::kCoin, "split_transfer",
                               {std::uint64_t{101}, to_bytes(chain.address(1))}),
                     1);
    Effects ok = chain.run(0, {chain.coin(0)}, ProgramId::kCoin, "split_transfer",
                           {std::uint64_t{100}, to_bytes(chain.address(1))});
    CHECK(ok.status.is_success());
    REQUIRE(ok.created.size() == 1);
    CHECK(ok.created[0].owner == Owner{OwnedByAddress{chain.address(1)}});
}

TEST_CASE("amm: short balance, zero amount and slippage abort", "[workload][programs]") {
    Chain chain;
    auto pool = InputObject::shared(chain.genesis().pools[0]);
    check_user_abort(chain.run(0, {pool, chain.coin(0)}, ProgramId::kAmm, "swap",
                               {std::uint64_t{1}, std::uint64_t{101}, std::uint64_t{0}}),
                     1);
    check_user_abort(chain.run(0, {pool, chain.coin(0)}, ProgramId::kAmm, "swap",
                               {std::uint64_t{1}, std::uint64_t{0}, std::uint64_t{0}}),
                     2);
    // 100 in: x = 99,700; out = 99,700 × 10^6 / (10^9 + 99,700) = 99.
    check_user_abort(chain.run(0, {pool, chain.coin(0)}, ProgramId::kAmm, "swap",
                               {std::uint64_t{1}, std::uint64_t{100}, std::uint64_t{100}}),
                     3);
    Effects ok = chain.run(0, {pool, chain.coin(0)}, ProgramId::kAmm, "swap",
                           {std::uint64_t{1}, std::uint64_t{100}, std::uint64_t{99}});
    REQUIRE(ok.status.is_success());
    REQUIRE(ok.created.size() == 1);
    CHECK(remora::common::get_be64(ok.created[0].contents) == 99);
    CHECK(ok.created[0].owner == Owner{OwnedByAddress{chain.address(0)}});
}

TEST_CASE("nft: owner view and transfer_item by owner only", "[workload][programs]") {
    Chain chain;
    auto collection = InputObject::shared(chain.genesis().collections[0]);
    Effects minted = chain.run(0, {collection}, ProgramId::kNft, "mint", {Bytes("art")});
    REQUIRE(minted.status.is_success());
    check_user_abort(chain.run(1, {collection}, ProgramId::kNft, "transfer_item",
                               {std::uint64_t{0}, to_bytes(chain.address(1))}),
                     2);
    Effects moved = chain.run(0, {collection}, ProgramId::kNft, "transfer_item",
                              {std::uint64_t{0}, to_bytes(chain.address(2))});
    REQUIRE(moved.status.is_success());
    REQUIRE(moved.written.size() + moved.created.size() >= 1);
    bool found = false;
    for (const auto& o : moved.written) {
        if (o.contents == to_bytes(chain.address(2)) + "art") found = true;
    }
    CHECK(found);
    Effects absent = chain.run(0, {collection}, ProgramId::kNft, "owner", {std::uint64_t{5}});
    CHECK(absent.status.code == AbortCode::kHostError);
    CHECK(absent.status.abort_value == 1);  // not_found
}

TEST_CASE("compute: attest rejects a bad signature with 1", "[workload][programs]") {
    Chain chain;
    const auto& account = chain.genesis().accounts[0];
    auto object = InputObject::owned(account.compute_object, chain.version(account.compute_object));
    Signature signature = sign(account.keys, "hello");
    signature.bytes[5] ^= 0x40;
    check_user_abort(
        chain.run(0, {object}, ProgramId::kCompute, "attest",
                  {Bytes(account.keys.public_key.view()), Bytes("hello"), Bytes(signature.view())}),
        1);
}

}  // namespace
