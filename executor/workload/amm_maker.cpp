// The amm workload: swaps on shared constant-product pools, paid from owned coins.
#include <algorithm>
#include <optional>

#include "executor/workload/makers.h"

namespace remora::executor::workload {

namespace {

constexpr std::uint64_t kSwapAmountMax = 10'000;
// min_out is the predicted output less 1%: run in generation order a swap never slips.
constexpr std::uint64_t kSlippagePercent = 1;

// amm.rasm's price, with the VM's overflow checks: nullopt where the VM would abort with
// arithmetic_overflow.
std::optional<std::uint64_t> swap_output(std::uint64_t amount_in, std::uint64_t reserve_in,
                                         std::uint64_t reserve_out) {
    std::uint64_t x, numerator, scaled_in, denominator;
    if (__builtin_mul_overflow(amount_in, std::uint64_t{997}, &x)) return std::nullopt;
    if (__builtin_mul_overflow(x, reserve_out, &numerator)) return std::nullopt;
    if (__builtin_mul_overflow(reserve_in, std::uint64_t{1000}, &scaled_in)) return std::nullopt;
    if (__builtin_add_overflow(scaled_in, x, &denominator)) return std::nullopt;
    return numerator / denominator;  // denominator >= x > 0
}

}  // namespace

WorkloadTx make_amm_tx(World& world) {
    std::uint32_t sender = world.pick_sender();
    std::uint32_t index = world.pick_shared();
    bool a_to_b = common::below_unbiased(world.rng(), 2) == 0;
    AccountModel& account = world.account(sender);
    PoolModel& pool = world.pool(index);
    // A coin that ran dry still swaps 1: the model predicts the abort (code 1).
    std::uint64_t cap = std::max<std::uint64_t>(1, std::min(kSwapAmountMax, account.main.balance));
    std::uint64_t amount_in = common::between_unbiased(world.rng(), 1, cap);
    std::uint64_t& reserve_in = a_to_b ? pool.reserve_a : pool.reserve_b;
    std::uint64_t& reserve_out = a_to_b ? pool.reserve_b : pool.reserve_a;

    AbortCode expected = AbortCode::kNone;
    std::optional<std::uint64_t> amount_out;
    if (account.main.balance < amount_in) {
        expected = AbortCode::kUserAbort;
    } else {
        amount_out = swap_output(amount_in, reserve_in, reserve_out);
        if (!amount_out) expected = AbortCode::kArithmeticOverflow;
    }
    std::uint64_t min_out = amount_out ? *amount_out - *amount_out * kSlippagePercent / 100 : 0;
    WorkloadTx out = world.seal(sender,
                                {InputObject::shared(world.pool_id(index)),
                                 InputObject::owned(account.main.id, account.main.version)},
                                programs::ProgramId::kAmm, "swap",
                                {std::uint64_t{a_to_b ? 1u : 0u}, amount_in, min_out},
                                kGasBudgetDefault, expected);
    if (out.expected_status != AbortCode::kNone) return out;

    Version version = 1 + std::max(pool.version, account.main.version);
    pool.version = version;
    reserve_in += amount_in;
    reserve_out -= *amount_out;
    account.main.version = version;
    account.main.balance -= amount_in;
    account.spare.push_back(CoinModel{created_coin_id(out.tx, 0), version, *amount_out,
                                      world.generated() + world.receive_delay()});
    return out;
}

}  // namespace remora::executor::workload
