// The transfer workload: owned coins only, so no two senders ever touch the same object.
#include <algorithm>

#include "executor/tx/ids.h"
#include "executor/workload/makers.h"

namespace remora::executor::workload {

namespace {

constexpr std::uint64_t kSplitAmountMax = 1000;

Bytes address_bytes(const Address& a) { return Bytes(a.view()); }

// merge(): the main coin absorbs the oldest spare coin.
WorkloadTx merge_spare(World& world, std::uint32_t sender) {
    AccountModel& account = world.account(sender);
    CoinModel spare = account.spare.front();
    WorkloadTx out = world.seal(sender,
                                {InputObject::owned(account.main.id, account.main.version),
                                 InputObject::owned(spare.id, spare.version)},
                                programs::ProgramId::kCoin, "merge", {}, kGasBudgetDefault);
    if (out.expected_status != AbortCode::kNone) return out;
    account.main.version = 1 + std::max(account.main.version, spare.version);
    account.main.balance += spare.balance;  // balances stay far below 2^64 (limits.h)
    account.spare.pop_front();
    return out;
}

// transfer(recipient): the oldest spare coin changes owner.
WorkloadTx pass_on_spare(World& world, std::uint32_t sender) {
    std::uint32_t recipient = world.pick_recipient(sender);
    AccountModel& account = world.account(sender);
    CoinModel coin = account.spare.front();
    WorkloadTx out =
        world.seal(sender, {InputObject::owned(coin.id, coin.version)}, programs::ProgramId::kCoin,
                   "transfer", {address_bytes(world.address(recipient))}, kGasBudgetDefault);
    if (out.expected_status != AbortCode::kNone) return out;
    account.spare.pop_front();
    coin.version += 1;
    coin.ready_at = world.generated() + world.receive_delay();
    world.account(recipient).spare.push_back(coin);
    return out;
}

// split_transfer(amount, recipient) from the main coin.
WorkloadTx split(World& world, std::uint32_t sender) {
    std::uint32_t recipient = world.pick_recipient(sender);
    AccountModel& account = world.account(sender);
    std::uint64_t cap = std::min(kSplitAmountMax, account.main.balance);
    std::uint64_t amount = cap == 0 ? 0 : common::between_unbiased(world.rng(), 1, cap);
    // The arguments are built one by one: GCC 12 -O3 misreads a braced list mixing the
    // variant's u64 and bytes alternatives as reading an uninitialized string
    // (-Wmaybe-uninitialized, a known false positive).
    std::vector<Value> arguments;
    arguments.emplace_back(amount);
    arguments.emplace_back(address_bytes(world.address(recipient)));
    WorkloadTx out = world.seal(sender, {InputObject::owned(account.main.id, account.main.version)},
                                programs::ProgramId::kCoin, "split_transfer", std::move(arguments),
                                kGasBudgetDefault);
    if (out.expected_status != AbortCode::kNone) return out;
    account.main.version += 1;
    account.main.balance -= amount;
    world.account(recipient).spare.push_back(CoinModel{created_coin_id(out.tx, 0),
                                                       account.main.version, amount,
                                                       world.generated() + world.receive_delay()});
    return out;
}

}  // namespace

ObjectId created_coin_id(const Transaction& tx, std::uint32_t index) {
    return created_object_id(transaction_digest(tx), index);
}

WorkloadTx make_transfer_tx(World& world) {
    std::uint32_t sender = world.pick_sender();
    const AccountModel& account = world.account(sender);
    bool spare_ready =
        !account.spare.empty() && account.spare.front().ready_at <= world.generated();
    // One in four transactions of a sender with a ready spare coin uses it, half merging it,
    // half passing it on; the rest split from the main coin.
    if (spare_ready && common::below_unbiased(world.rng(), 4) == 0) {
        return common::below_unbiased(world.rng(), 2) == 0 ? merge_spare(world, sender)
                                                           : pass_on_spare(world, sender);
    }
    return split(world, sender);
}

}  // namespace remora::executor::workload
