#pragma once
// A fault-injecting TCP proxy for the node's network-fault tests (docs/node.md, "Network
// faults"): it listens on a loopback port and forwards every connection to a target port on
// loopback, and on command it delays, corrupts, drops or reorders the bytes of one direction,
// resets connections, or partitions the link (a black hole that keeps the sockets open, or
// refusing connections) until healed. It runs on its own thread; every choice it makes at random
// (which byte, which delay) comes from the seed, so a failing seed replays the same faults.
//
// It knows nothing of the bytes it forwards: cluster links are TLS, so anything but delay and
// a clean partition must end in a refused or torn-down connection, never in a message misread.

#include <chrono>
#include <cstdint>
#include <memory>

namespace remora::testing {

class FaultProxy {
public:
    enum class Direction { kToTarget, kFromTarget };
    enum class Partition {
        kBlackHole,  // nothing crosses either way; sockets stay open, closes are not passed on
        kRefuse,     // every connection is reset, new ones are reset as soon as accepted
    };
    struct Counters {
        std::uint64_t accepted = 0;  // connections accepted
        std::uint64_t chunks = 0;    // chunks forwarded
        std::uint64_t bytes = 0;     // bytes forwarded
        std::uint64_t corrupted = 0;
        std::uint64_t dropped = 0;    // chunks that lost a byte range
        std::uint64_t reordered = 0;  // chunks sent out of order
        std::uint64_t resets = 0;     // connections reset by the proxy
        std::uint64_t refused = 0;    // connections reset on accept during a kRefuse partition
        std::uint64_t open = 0;       // connections open now
    };

    // Listens on 127.0.0.1:0 and forwards to 127.0.0.1:`target_port`.
    FaultProxy(std::uint16_t target_port, std::uint64_t seed);
    ~FaultProxy();  // resets every connection and stops the thread
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    std::uint16_t port() const;

    // Every chunk, both ways, waits `base` plus a uniform share of `jitter` before it is
    // forwarded (order kept). Zero both to stop.
    void set_delay(std::chrono::milliseconds base, std::chrono::milliseconds jitter);
    // The next chunk in `direction` (on any connection) has one byte flipped / a byte range
    // removed / is held and sent after the chunk behind it (or, when none follows within
    // 300 ms, its two halves are swapped).
    void corrupt_next(Direction direction);
    void drop_next(Direction direction);
    void reorder_next(Direction direction);
    // Resets (RST) every open connection now.
    void reset_all();
    void partition(Partition kind);
    // Ends a partition: held bytes and closes cross again, new connections are forwarded.
    void heal();

    Counters counters() const;

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

}  // namespace remora::testing
