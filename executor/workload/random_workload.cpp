// The generative `random` workload: random operation lists for the `random` program over a hot
// set of shared parents and the senders' own objects (random_workload.h).
#include "executor/workload/random_workload.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/hash.h"
#include "executor/exec/execute.h"
#include "executor/exec/state_overlay.h"
#include "executor/tx/canonical.h"
#include "executor/tx/ids.h"
#include "executor/workload/makers.h"
#include "executor/workload/world.h"

namespace remora::executor::workload {

namespace {

constexpr common::ByteView kParentDomain = "remora/random/parent/v1";
constexpr common::ByteView kParentType = "random/parent";

// The program's operations (random.rasm lists them with their effects).
enum Op : std::uint8_t {
    kSet = 1,
    kRemove,
    kRemoveIf,
    kGetEmit,
    kGetCopy,
    kWriteInput,
    kReadEmit,
    kCreate,
    kWriteCreated,
    kDeleteCreated,
    kTransferCreated,
    kWrapCreated,
    kWrapInput,
    kTransferInput,
    kDeleteInput,
    kUnwrap,
    kHashChild,
    kShaEmit,
    kIterEmit,
    kEd25519Emit,
    kEmit,
    kAbort,
    kSenderChild,
    kExistsEmit,
    kObjectEmit,
    kGetRaw,
};

struct Weighted {
    Op op;
    std::uint32_t weight;
};

// Child operations dominate, so that the few children of the hot parents are set, removed and
// set again many times; the rest appear often enough that every host call runs in a short run.
constexpr Weighted kChildOps[] = {
    {kSet, 24},   {kRemoveIf, 14},  {kRemove, 3},    {kGetEmit, 10},    {kGetCopy, 1},
    {kGetRaw, 2}, {kExistsEmit, 2}, {kHashChild, 2}, {kSenderChild, 2}, {kUnwrap, 3},
};
constexpr Weighted kOtherOps[] = {
    {kWriteInput, 1}, {kReadEmit, 2},    {kObjectEmit, 2}, {kCreate, 6}, {kShaEmit, 1},
    {kIterEmit, 1},   {kEd25519Emit, 1}, {kEmit, 2},       {kAbort, 2},
};
// A churn transaction: one operation on the hot child, drawn by whether the child is live
// (in generation order), so that runs of them cycle through set, read, remove, set again.
constexpr Weighted kChurnAbsentOps[] = {{kSet, 8}, {kGetEmit, 2}};
constexpr Weighted kChurnLiveOps[] = {{kRemoveIf, 4}, {kGetEmit, 4}, {kSet, 1}, {kUnwrap, 1}};
constexpr Weighted kCreatedOps[] = {
    {kWriteCreated, 3},
    {kDeleteCreated, 2},
    {kTransferCreated, 3},
    {kWrapCreated, 3},
};
constexpr Weighted kOwnedOps[] = {
    {kWrapInput, 2},
    {kTransferInput, 2},
    {kDeleteInput, 1},
};

template <std::size_t N>
std::uint32_t total_weight(const Weighted (&table)[N]) {
    std::uint32_t sum = 0;
    for (const auto& w : table) sum += w.weight;
    return sum;
}

template <std::size_t N>
Op draw(Rng& rng, const Weighted (&table)[N]) {
    std::uint64_t r = common::below_unbiased(rng, total_weight(table));
    for (const auto& w : table) {
        if (r < w.weight) return w.op;
        r -= w.weight;
    }
    return table[N - 1].op;
}

std::uint8_t draw_key(Rng& rng) {
    return static_cast<std::uint8_t>(common::below_unbiased(rng, kRandomChildKeys));
}

class RandomWorkload : public Workload {
public:
    RandomWorkload(const GenesisConfig& genesis, const WorkloadConfig& config,
                   std::vector<ObjectId> parents, std::vector<Object> extra)
        : m_name("random"),
          m_world(genesis, config),
          m_parents(std::move(parents)),
          m_extra(std::move(extra)) {
        auto source = genesis_source();
        while (auto object = source->next()) {
            m_state.put(*object);
            note_owner(*object);
        }
    }

    const std::string& name() const override { return m_name; }
    std::unique_ptr<GenesisSource> genesis_source() const override {
        return synthetic_genesis_source(m_world.genesis_config(), m_extra);
    }
    std::optional<std::uint64_t> size() const override { return std::nullopt; }
    std::optional<WorkloadTx> next() override;

private:
    // Seals a call of random.run with a fresh salt, executes it on the model and keeps its
    // effects; the expected status is the one it got.
    WorkloadTx seal_and_run(std::uint32_t sender, std::vector<InputObject> inputs, Bytes ops,
                            const Address& recipient);
    // The owner index: which address owns which objects (ordered, so choices are seeded only).
    void note_owner(const Object& object) {
        forget(object.id);
        if (const auto* owned = std::get_if<OwnedByAddress>(&object.owner)) {
            m_owned[owned->address].insert(object.id);
            m_owner_of[object.id] = owned->address;
        }
    }
    void forget(const ObjectId& id) {
        auto it = m_owner_of.find(id);
        if (it == m_owner_of.end()) return;
        m_owned[it->second].erase(id);
        m_owner_of.erase(it);
    }

    std::string m_name;
    World m_world;
    std::vector<ObjectId> m_parents;
    std::vector<Object> m_extra;  // the parents and the random package, after the synthetic genesis
    InMemoryState m_state;
    std::map<Address, std::set<ObjectId>> m_owned;
    std::map<ObjectId, Address> m_owner_of;
    // The hot child of the churn transactions: (parent index, key).
    std::uint32_t m_hot_parent = 0;
    std::uint8_t m_hot_key = 0;
};

std::optional<WorkloadTx> RandomWorkload::next() {
    Rng& rng = m_world.rng();
    const std::uint32_t sender = m_world.pick_sender();
    const Address address = m_world.address(sender);
    const Address recipient = m_world.address(m_world.pick_recipient(sender));

    // Churn, six times in ten: one operation (set, remove, get, ...) on the hot child, which
    // moves to a fresh (parent, key) one time in eight. Runs of them set, remove, re-create and
    // read the same child id within a few transactions, within one commit and across a
    // boundary; a child set or removed alone, its parent unchanged, is re-created at the
    // version it had before (what issue 8's bug 1 confused).
    if (common::below_unbiased(rng, 8) == 0) {
        m_hot_parent = m_world.pick_shared();
        m_hot_key = static_cast<std::uint8_t>(common::below_unbiased(rng, kRandomHotKeys));
    }
    if (common::below_unbiased(rng, 10) < 6) {
        const ObjectId& parent = m_parents[m_hot_parent];
        Bytes key;
        common::put_be64(key, m_hot_key);
        auto child = m_state.read(dynamic_object_id(parent, key));
        REMORA_ASSERT(child.is_ok());  // an in-memory state never fails
        Bytes op;
        op.push_back(static_cast<char>(child->exists() ? draw(rng, kChurnLiveOps)
                                                       : draw(rng, kChurnAbsentOps)));
        op.push_back(0);
        op.push_back(static_cast<char>(m_hot_key));
        op.push_back(static_cast<char>(common::below_unbiased(rng, 256)));
        return seal_and_run(sender, {InputObject::shared(parent)}, std::move(op), recipient);
    }

    // Otherwise inputs: one hot parent, three times in ten two (the first one decides the
    // routing), then three times in ten one of the sender's own objects at its current version.
    std::vector<InputObject> inputs;
    std::uint32_t parents = m_parents.size() > 1 && common::below_unbiased(rng, 10) < 3 ? 2 : 1;
    while (inputs.size() < parents) {
        const ObjectId& id = m_parents[m_world.pick_shared()];
        if (std::none_of(inputs.begin(), inputs.end(),
                         [&](const InputObject& in) { return in.id == id; })) {
            inputs.push_back(InputObject::shared(id));
        }
    }
    std::optional<std::uint8_t> owned_index;
    const auto& mine = m_owned[address];
    if (!mine.empty() && common::below_unbiased(rng, 10) < 3) {
        auto it = mine.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(common::below_unbiased(rng, mine.size())));
        auto lookup = m_state.read(*it);
        REMORA_ASSERT(lookup.is_ok() && lookup->exists());
        owned_index = static_cast<std::uint8_t>(inputs.size());
        inputs.push_back(InputObject::owned(*it, lookup->version));
    }

    // Operations. The generator follows what the program will hold (a created object, a live
    // owned input) so that most transactions succeed; the aborts come from `abort`, from
    // `remove`/`get_raw` of an absent child, and from operations on what was already moved.
    Bytes ops;
    bool created = false;
    bool owned_live = owned_index.has_value();
    const std::uint64_t count = common::between_unbiased(rng, 1, kRandomOpsMax);
    for (std::uint64_t i = 0; i < count; ++i) {
        Op op;
        std::uint64_t family = common::below_unbiased(rng, 20);
        if (family < 12) {
            op = draw(rng, kChildOps);
        } else if (family < 16 || (!created && !owned_live)) {
            op = draw(rng, kOtherOps);
        } else if (created && (!owned_live || family < 18)) {
            op = draw(rng, kCreatedOps);
        } else {
            op = owned_live ? draw(rng, kOwnedOps) : draw(rng, kOtherOps);
        }
        // a: a parent mostly, now and then the owned input (children of an owned object, or
        // the owned object written). b: a child key, or for wrap_input the parent.
        auto a = static_cast<std::uint8_t>(common::below_unbiased(rng, parents));
        if (owned_live && common::below_unbiased(rng, 8) == 0) a = *owned_index;
        std::uint8_t b = draw_key(rng);
        auto c = static_cast<std::uint8_t>(common::below_unbiased(rng, 256));
        switch (op) {
            case kCreate:
                created = true;
                break;
            case kDeleteCreated:
            case kWrapCreated:
                created = false;
                break;
            case kUnwrap:
                created = true;
                break;
            case kWrapInput:
                a = *owned_index;
                b = static_cast<std::uint8_t>(common::below_unbiased(rng, parents));
                c = draw_key(rng);
                owned_live = false;
                break;
            case kTransferInput:
            case kDeleteInput:
                a = *owned_index;
                owned_live = false;
                break;
            default:
                break;
        }
        ops.push_back(static_cast<char>(op));
        ops.push_back(static_cast<char>(a));
        ops.push_back(static_cast<char>(b));
        ops.push_back(static_cast<char>(c));
    }

    return seal_and_run(sender, std::move(inputs), std::move(ops), recipient);
}

WorkloadTx RandomWorkload::seal_and_run(std::uint32_t sender, std::vector<InputObject> inputs,
                                        Bytes ops, const Address& recipient) {
    Rng& rng = m_world.rng();
    WorkloadTx out = m_world.seal(sender, std::move(inputs), programs::ProgramId::kRandom, "run",
                                  {std::move(ops), rng(), Bytes(recipient.view())},
                                  kGasBudgetDefault, AbortCode::kNone);
    // The model is the state: run the transaction, keep what it did.
    auto executed = execute_transaction(out.tx, m_state);
    REMORA_ASSERT(executed.is_ok());  // an in-memory state never fails
    const Effects& effects = executed->effects;
    out.expected_status = effects.status.code;
    apply_effects(m_state, effects);
    for (const Object& object : effects.written) note_owner(object);
    for (const Object& object : effects.created) note_owner(object);
    for (const DeletedObject& deleted : effects.deleted) forget(deleted.id);
    return out;
}

}  // namespace

ObjectId random_parent_id(std::uint64_t seed, std::uint32_t index) {
    CanonicalWriter w(kParentDomain);
    w.u64(seed);
    w.u64(index);
    return common::blake2b_256(w.out());
}

common::Result<std::unique_ptr<Workload>> make_random_workload(const WorkloadConfig& config) {
    const GenesisConfig genesis = synthetic_genesis_config(config);
    REMORA_RETURN_IF_ERROR(validate_genesis_config(genesis));
    std::vector<ObjectId> parents;
    std::vector<Object> extra;
    for (std::uint32_t i = 0; i < config.shared_objects; ++i) {
        parents.push_back(random_parent_id(config.seed, i));
        Bytes zero;
        common::put_be64(zero, 0);
        extra.push_back(Object{parents.back(), 1, SharedOwner{}, TypeTag(kParentType), zero});
    }
    extra.push_back(package_object(programs::ProgramId::kRandom));
    return std::unique_ptr<Workload>(
        std::make_unique<RandomWorkload>(genesis, config, std::move(parents), std::move(extra)));
}

}  // namespace remora::executor::workload
