// The engines' views of state on their own: the speculative overlay (bounded, newest writes
// first) and read_version against read on the store, an overlay and an in-memory state.

#include <catch2/catch.hpp>

#include "executor/exec/state_overlay.h"
#include "executor/protocol/speculative_overlay.h"
#include "executor/sequential/store_state.h"
#include "executor/tx/object_codec.h"
#include "tests/executor/protocol_objects.h"
#include "tests/executor/protocol_support.h"

using namespace remora;
using namespace remora::executor;
using namespace remora::executor::protocol;
using remora::testing::id_of;
using remora::testing::object_of;
using remora::testing::writes;

TEST_CASE("the speculative overlay keeps the newest writes within its bounds",
          "[protocol][overlay]") {
    SpeculativeOverlay overlay(3, 1 << 20);
    overlay.apply(writes(1, {object_of(1, 5), object_of(2, 5)}), id_of(101));
    overlay.apply(writes(2, {object_of(3, 6), object_of(4, 6)}), id_of(102));
    CHECK(overlay.size() == 3);
    CHECK(overlay.evictions() == 1);
    CHECK(overlay.find(id_of(1)) == nullptr);  // the oldest went first
    REQUIRE(overlay.find(id_of(4)) != nullptr);
    CHECK(overlay.find(id_of(4))->writer_tx == id_of(2));
    CHECK(overlay.find(id_of(4))->writer_effects == id_of(102));

    Effects deleted;
    deleted.tx_digest = id_of(3);
    deleted.deleted.push_back({id_of(2), 7});
    overlay.apply(deleted, id_of(103));
    CHECK_FALSE(overlay.find(id_of(2))->lookup.exists());
    CHECK(overlay.find(id_of(2))->lookup.version == 7);

    Effects aborted = writes(4, {object_of(9, 9)});
    aborted.status.code = AbortCode::kUserAbort;
    overlay.apply(aborted, id_of(104));
    CHECK(overlay.find(id_of(9)) == nullptr);

    CHECK_FALSE(overlay.drop_superseded(id_of(4), 5));  // the speculative write is newer
    CHECK(overlay.drop_superseded(id_of(4), 6));
    CHECK(overlay.find(id_of(4)) == nullptr);

    SpeculativeOverlay small(100, 2 * limits::kOverlayEntryOverheadBytes + 100);
    small.apply(writes(5, {object_of(1, 2, 60), object_of(2, 2, 60)}), id_of(105));
    CHECK(small.size() == 1);  // two entries of 60+ bytes do not fit with their overheads
    CHECK(small.bytes() <= 2 * limits::kOverlayEntryOverheadBytes + 100);
}

TEST_CASE("read_version agrees with read on every state", "[protocol][state]") {
    auto store = remora::testing::memory_store("versions");
    storage::CommitInput genesis;
    genesis.index = 1;
    genesis.writes.push_back({id_of(1), 3, encode_object(object_of(1, 3))});
    genesis.writes.push_back({id_of(2), 4, encode_object(object_of(2, 4))});
    REQUIRE(store->commit(genesis).is_ok());
    storage::CommitInput second;
    second.index = 2;
    second.writes.push_back({id_of(2), 9, std::nullopt});
    REQUIRE(store->commit(second).is_ok());

    StoreState base(*store);
    StateOverlay overlay(base);
    overlay.apply(writes(7, {object_of(3, 12)}));
    InMemoryState memory;
    memory.put(object_of(1, 3));
    memory.erase(id_of(2), 9);
    for (StateReader* state : std::initializer_list<StateReader*>{&base, &overlay, &memory}) {
        for (std::uint8_t n : {1, 2, 3, 4}) {
            auto full = state->read(id_of(n));
            auto version = state->read_version(id_of(n));
            REQUIRE(full.is_ok());
            REQUIRE(version.is_ok());
            CHECK(version.value() == VersionLookup{full->exists(), full->version});
        }
    }
    CHECK(base.read_version(id_of(2)).value() == VersionLookup{false, 9});
    CHECK(overlay.read_version(id_of(3)).value() == VersionLookup{true, 12});
    CHECK(base.read_version(id_of(4)).value() == VersionLookup{false, 0});
}
