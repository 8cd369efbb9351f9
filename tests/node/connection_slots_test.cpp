// ConnectionSlots (node/links.h): the bound on a port's open connections. A slot is held for as
// long as any copy of its ticket lives, also past the ConnectionSlots object, and concurrent
// takers never hold more than the limit.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "node/links.h"

namespace remora::testing {
namespace {

using node::ConnectionSlots;

TEST_CASE("connection slots: at most the limit, freed when the last copy of a ticket goes",
          "[node][unit]") {
    ConnectionSlots slots(2);
    auto a = slots.take();
    auto b = slots.take();
    REQUIRE(a);
    REQUIRE(b);
    CHECK_FALSE(slots.take());
    CHECK(slots.held() == 2);
    {
        auto copy = a;  // a copy holds the same slot, not another
        a.reset();
        CHECK(slots.held() == 2);
        CHECK_FALSE(slots.take());
    }
    CHECK(slots.held() == 1);
    auto c = slots.take();
    CHECK(c);
    CHECK(slots.held() == 2);
}

TEST_CASE("connection slots: a ticket may outlive its ConnectionSlots", "[node][unit]") {
    ConnectionSlots::Ticket kept;
    {
        ConnectionSlots slots(1);
        kept = slots.take();
        REQUIRE(kept);
    }
    kept.reset();  // frees into state the ticket kept alive (ASan would see a dangling one)
    SUCCEED();
}

TEST_CASE("connection slots: concurrent takers never hold more than the limit", "[node][unit]") {
    ConnectionSlots slots(3);
    std::atomic<std::size_t> most{0};
    std::atomic<std::size_t> granted{0};  // Catch's assertions are not for other threads
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                auto ticket = slots.take();
                const std::size_t held = slots.held();
                std::size_t seen = most.load();
                while (held > seen && !most.compare_exchange_weak(seen, held)) {
                }
                if (ticket) ++granted;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(most.load() <= 3);
    CHECK(granted.load() > 0);
    CHECK(slots.held() == 0);
}

}  // namespace
}  // namespace remora::testing
