// The generative `random` workload (docs/workloads.md): it reaches every operation of the
// `random` program (hence every host call), its predicted statuses are exact, and it does what
// the fixed programs never do: the same dynamic child ids are created, removed and re-created,
// within one commit and across commits.

#include <map>
#include <set>

#include "executor/exec/execute.h"
#include "executor/exec/state_overlay.h"
#include "executor/workload/genesis.h"
#include "executor/workload/random_workload.h"
#include "tests/executor/workload_support.h"

namespace remora::testing {
namespace {

using namespace remora::executor;
using namespace remora::executor::workload;

WorkloadConfig random_config(std::uint64_t seed = 7) {
    WorkloadConfig c;
    c.name = "random";
    c.seed = seed;
    c.accounts = 24;
    c.shared_objects = 3;
    c.batch_size = 20;
    return c;
}

TEST_CASE("random: every operation of the program, hence every host call, is drawn",
          "[workload][random]") {
    auto txs = generate(random_config(), 600);
    REQUIRE(txs.size() == 600);
    std::set<int> ops;
    std::map<AbortCode, std::size_t> statuses;
    for (const auto& w : txs) {
        REQUIRE(w.tx.arguments.size() == 3);
        const auto& list = std::get<Bytes>(w.tx.arguments[0]);
        REQUIRE(list.size() % 4 == 0);
        REQUIRE_FALSE(list.empty());
        CHECK(list.size() / 4 <= kRandomOpsMax);
        for (std::size_t i = 0; i < list.size(); i += 4) {
            ops.insert(static_cast<unsigned char>(list[i]));
        }
        ++statuses[w.expected_status];
    }
    std::set<int> all;
    for (int op = 1; op <= 26; ++op) all.insert(op);
    CHECK(ops == all);
    INFO("succeeded " << statuses[AbortCode::kNone] << " user aborts "
                      << statuses[AbortCode::kUserAbort] << " host errors "
                      << statuses[AbortCode::kHostError]);
    CHECK(statuses[AbortCode::kNone] * 10 >= txs.size() * 6);  // mostly successes
    CHECK(statuses[AbortCode::kUserAbort] > 0);                // aborts midway
    CHECK(statuses[AbortCode::kHostError] > 0);                // e.g. removing an absent child
}

TEST_CASE("random: statuses are as predicted and children are removed and re-created",
          "[workload][random]") {
    auto workload = make_workload(random_config());
    REQUIRE(workload.is_ok());
    InMemoryState state;
    for (const auto& object : (*workload)->genesis_objects()) state.put(object);

    std::set<ObjectId> live_children, removed_children;
    std::size_t recreated = 0;         // a child id live again after its removal
    std::size_t born_and_removed = 0;  // created and removed within one commit (20 txs)
    std::size_t transferred = 0, wrapped_inputs = 0;
    std::set<TypeTag> event_tags;
    std::set<ObjectId> live_at_commit_start = live_children;
    std::set<ObjectId> created_this_commit;
    for (std::size_t i = 0; i < 600; ++i) {
        auto w = (*workload)->next();
        REQUIRE(w.has_value());
        auto executed = execute_transaction(w->tx, state);
        REQUIRE(executed.is_ok());
        const Effects& effects = executed->effects;
        CHECK(effects.status.code == w->expected_status);
        apply_effects(state, effects);
        for (const auto& e : effects.events) event_tags.insert(e.type_tag);
        for (const auto& object : effects.created) {
            if (std::holds_alternative<OwnedByParent>(object.owner)) {
                if (removed_children.count(object.id) != 0) ++recreated;
                live_children.insert(object.id);
                created_this_commit.insert(object.id);
            }
            if (const auto* owner = std::get_if<OwnedByAddress>(&object.owner)) {
                if (owner->address != w->tx.sender) ++transferred;
            }
        }
        for (const auto& deleted : effects.deleted) {
            if (live_children.erase(deleted.id) != 0) {
                removed_children.insert(deleted.id);
                if (created_this_commit.count(deleted.id) != 0 &&
                    live_at_commit_start.count(deleted.id) == 0) {
                    ++born_and_removed;
                }
            } else {
                for (const auto& input : w->tx.inputs) {
                    if (input.id == deleted.id && input.kind == InputObject::Kind::kOwned) {
                        ++wrapped_inputs;  // wrapped, or deleted outright
                    }
                }
            }
        }
        if (w->ends_commit) {
            live_at_commit_start = live_children;
            created_this_commit.clear();
        }
    }
    INFO("re-created " << recreated << ", born and removed in one commit " << born_and_removed
                       << ", transferred " << transferred << ", owned inputs deleted "
                       << wrapped_inputs);
    CHECK(recreated >= 10);
    CHECK(born_and_removed >= 5);
    CHECK(transferred > 0);
    CHECK(wrapped_inputs > 0);
    for (const char* tag : {"random/get", "random/none", "random/read", "random/sha", "random/iter",
                            "random/ed25519", "random/event", "random/exists", "random/object"}) {
        INFO(tag);
        CHECK(event_tags.count(TypeTag(tag)) == 1);
    }
}

TEST_CASE("random: the genesis adds the package and the hot parents only", "[workload][random]") {
    auto random = make_workload(random_config());
    auto c = random_config();
    c.name = "counter";
    auto counter = make_workload(c);
    REQUIRE(random.is_ok());
    REQUIRE(counter.is_ok());
    const auto& r = (*random)->genesis_objects();
    const auto& s = (*counter)->genesis_objects();
    CHECK(r.size() == s.size() + 1 + c.shared_objects);
    for (std::size_t i = 1; i < r.size(); ++i) CHECK(r[i - 1].id < r[i].id);
    std::set<ObjectId> ids;
    for (const auto& o : r) ids.insert(o.id);
    for (const auto& o : s) CHECK(ids.count(o.id) == 1);
    CHECK(ids.count(package_object_id(programs::ProgramId::kRandom)) == 1);
    for (std::uint32_t i = 0; i < c.shared_objects; ++i) {
        CHECK(ids.count(random_parent_id(c.seed, i)) == 1);
    }
}

}  // namespace
}  // namespace remora::testing
