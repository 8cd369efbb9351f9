// The counter and nft workloads: contention on shared objects.
#include <algorithm>
#include <string>

#include "common/bytes.h"
#include "executor/workload/makers.h"

namespace remora::executor::workload {

WorkloadTx make_counter_tx(World& world) {
    std::uint32_t sender = world.pick_sender();
    std::uint32_t index = world.pick_shared();
    std::uint64_t by = common::between_unbiased(world.rng(), 1, 10);
    WorkloadTx out =
        world.seal(sender, {InputObject::shared(world.counter_id(index))},
                   programs::ProgramId::kCounter, "increment", {by}, kGasBudgetDefault);
    if (out.expected_status != AbortCode::kNone) return out;
    SharedModel& counter = world.counter(index);
    counter.version += 1;
    counter.value += by;
    return out;
}

WorkloadTx make_nft_tx(World& world) {
    std::uint32_t sender = world.pick_sender();
    std::uint32_t index = world.pick_shared();
    // Metadata: the sender and its nonce, so every item is distinct and the generation is
    // reproducible.
    const AccountModel& account = world.account(sender);
    Bytes metadata =
        "item:" + world.address(sender).hex().substr(0, 16) + ":" + std::to_string(account.nonce);
    WorkloadTx out =
        world.seal(sender, {InputObject::shared(world.collection_id(index))},
                   programs::ProgramId::kNft, "mint", {std::move(metadata)}, kGasBudgetDefault);
    if (out.expected_status != AbortCode::kNone) return out;
    SharedModel& collection = world.collection(index);
    collection.version += 1;  // the new item was absent (version 0), so the collection decides
    collection.value += 1;
    return out;
}

}  // namespace remora::executor::workload
