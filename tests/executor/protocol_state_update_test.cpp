// The primary's state updates: every object changed since the acknowledged commit, within
// the bounds.

#include <catch2/catch.hpp>

#include <set>

#include "executor/protocol/state_update_builder.h"
#include "executor/tx/object_codec.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::executor;
using namespace remora::executor::protocol;
using remora::testing::Batches;
using remora::testing::Cluster;

TEST_CASE("a state update holds every object changed since the acknowledged commit",
          "[protocol][state-update]") {
    Batches batches =
        remora::testing::make_batches(remora::testing::protocol_config("mixed"), 4, 20);
    for (std::size_t log_commits : {std::size_t{0}, std::size_t{256}}) {
        DYNAMIC_SECTION("write log of " << log_commits << " commits") {
            PrimaryOptions options;
            options.write_log_commits = log_commits;
            Cluster cluster(batches, 0, options);
            for (const auto& txs : batches.commits) cluster.process(txs);
            auto& store = cluster.store();
            WriteLog log(log_commits);  // empty: every commit record is read from the store
            auto update = build_state_update(store, log, 3, 3, StateUpdateBounds{});
            REQUIRE(update.is_ok());
            CHECK(update->from_commit == 3);
            CHECK(update->to_commit == 5);
            CHECK(update->complete);
            std::set<ObjectId> expected;
            for (common::CommitIndex c = 4; c <= 5; ++c) {
                auto record = store.read_commit(c);
                REQUIRE(record.is_ok());
                for (const auto& ref : record->writes) expected.insert(ref.id);
            }
            std::set<ObjectId> got;
            for (const auto& object : update->objects) {
                got.insert(object.id);
                auto latest = store.get_latest(object.id).value();
                CHECK(latest->version == object.version);
                CHECK(latest->payload == encode_object(object));
            }
            for (const auto& deleted : update->tombstones) got.insert(deleted.id);
            CHECK(got == expected);
            CHECK(update->encoded_bytes == state_update_bytes(update.value()));

            // The primary's own updates use its write log; the result is the same.
            REQUIRE(cluster.primary().add_pre_executor(3, 3).is_ok());
            auto pushed = cluster.primary().make_state_update(3);
            REQUIRE(pushed.is_ok());
            CHECK(pushed.value() == update.value());

            StateUpdateBounds tight;
            tight.objects_max = 2;
            auto cut = build_state_update(store, log, 3, 1, tight);
            REQUIRE(cut.is_ok());
            CHECK_FALSE(cut->complete);
            CHECK(cut->objects.size() + cut->tombstones.size() == 2);
            tight = StateUpdateBounds{};
            tight.commits_max = 1;
            cut = build_state_update(store, log, 3, 1, tight);
            REQUIRE(cut.is_ok());
            CHECK_FALSE(cut->complete);
        }
    }
}
