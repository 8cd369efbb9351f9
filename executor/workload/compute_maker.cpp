// The compute workload (precompile-heavy) and the mixed workload.
#include <string>

#include "common/bytes.h"
#include "executor/workload/makers.h"

namespace remora::executor::workload {

namespace {

// Gas: iterated_hash costs 20 per round (docs/vm.md §5); the rest of work() costs a few hundred.
constexpr std::uint64_t kComputeGasPerRound = 25;
constexpr std::uint64_t kComputeGasBase = 100'000;

}  // namespace

WorkloadTx make_compute_tx(World& world) {
    std::uint32_t sender = world.pick_sender();
    AccountModel& account = world.account(sender);
    const KeyPair keys = world.keys(sender);
    const Address address = world.address(sender);
    std::vector<InputObject> inputs = {
        InputObject::owned(world.compute_object(sender), account.compute_version)};
    WorkloadTx out;
    if (common::below_unbiased(world.rng(), 4) != 0) {
        Bytes seed = "compute:" + address.hex().substr(0, 16) + ":" + std::to_string(account.nonce);
        std::uint64_t rounds = world.config().compute_rounds;
        out = world.seal(sender, std::move(inputs), programs::ProgramId::kCompute, "work",
                         {std::move(seed), rounds}, kComputeGasBase + kComputeGasPerRound * rounds);
    } else {
        Bytes message = "attest:" + std::to_string(account.nonce);
        Signature signature = sign(keys, message);
        out =
            world.seal(sender, std::move(inputs), programs::ProgramId::kCompute, "attest",
                       {Bytes(keys.public_key.view()), std::move(message), Bytes(signature.view())},
                       kComputeGasBase);
    }
    if (out.expected_status == AbortCode::kNone) account.compute_version += 1;
    return out;
}

WorkloadTx make_mixed_tx(World& world) {
    std::uint64_t draw = common::below_unbiased(world.rng(), 100);
    if (draw < 35) return make_transfer_tx(world);
    if (draw < 55) return make_counter_tx(world);
    if (draw < 75) return make_amm_tx(world);
    if (draw < 90) return make_nft_tx(world);
    return make_compute_tx(world);
}

}  // namespace remora::executor::workload
