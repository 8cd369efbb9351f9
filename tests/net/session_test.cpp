// Sessions over loopback TCP (net/session.h): frames flow in order both ways, a slow peer is
// cut off with memory bounded, an idle or stuck peer times out, and damaged streams close the
// session with the reason. Every wait is bounded in time.

#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "net/limits.h"
#include "net/session.h"
#include "tests/net/tls_fixture.h"

namespace remora::net {
namespace {

using namespace std::chrono_literals;

struct Pair {
    asio::io_context io;
    asio::ip::tcp::socket client{io};
    asio::ip::tcp::socket server{io};

    Pair() {
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server);
    }
};

TEST_CASE("frames flow both ways in order through sessions", "[net][session]") {
    Pair pair;
    std::vector<Frame> at_server;
    std::vector<Frame> at_client;
    std::optional<common::Status> server_closed;
    std::optional<common::Status> client_closed;
    auto server = Session::create(
        std::move(pair.server), {}, [&](Frame f) { at_server.push_back(std::move(f)); },
        [&](const common::Status& s) { server_closed = s; });
    auto client = Session::create(
        std::move(pair.client), {}, [&](Frame f) { at_client.push_back(std::move(f)); },
        [&](const common::Status& s) { client_closed = s; });
    server->start();
    client->start();
    std::mt19937_64 rng(3);
    std::vector<Frame> sent;
    for (int i = 0; i < 5000; ++i) {
        Frame f{static_cast<std::uint16_t>(1 + rng() % 5), common::Bytes(rng() % 3000, 'a' + i % 26)};
        REQUIRE(client->send(f.type, f.body) != SendResult::kClosed);
        sent.push_back(std::move(f));
    }
    REQUIRE(server->send(4, "ack") == SendResult::kQueued);
    REQUIRE(run_until(pair.io, [&] { return at_server.size() == sent.size() && !at_client.empty(); }));
    CHECK(at_server == sent);
    CHECK(at_client.front().body == "ack");
    CHECK(client->queued_bytes() == 0);
    client->close();
    REQUIRE(run_until(pair.io, [&] { return client_closed && server_closed; }));
    CHECK(client_closed->is_ok());  // closed by this side
    CHECK_THAT(server_closed->message(), Catch::Contains("closed the connection"));
    CHECK(client->send(1, "late") == SendResult::kClosed);
}

TEST_CASE("a peer that does not read is cut off and memory stays bounded", "[net][session]") {
    Pair pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.write_timeout = 60'000ms;  // only the queue bound may act here
    auto client = Session::create(std::move(pair.client), options, [](Frame) {},
                                  [&](const common::Status& s) { closed = s; });
    client->start();
    // The server socket is never read: the kernel buffers fill, then the session's queue.
    const common::Bytes body(1u << 20, 'x');
    bool backpressure = false;
    SendResult last = SendResult::kQueued;
    for (int i = 0; i < 200 && last != SendResult::kClosed; ++i) {
        last = client->send(2, body);
        backpressure = backpressure || last == SendResult::kBackpressure;
        pair.io.restart();
        pair.io.poll();
    }
    CHECK(backpressure);
    CHECK(last == SendResult::kClosed);
    REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
    CHECK_THAT(closed->message(), Catch::Contains("slow peer"));
    CHECK(client->queued_bytes() <= options.send_queue_bytes_max);
}

TEST_CASE("a write that makes no progress closes the session", "[net][session]") {
    Pair pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.write_timeout = 300ms;
    options.watchdog_period = 50ms;
    auto client = Session::create(std::move(pair.client), options, [](Frame) {},
                                  [&](const common::Status& s) { closed = s; });
    client->start();
    const common::Bytes body(1u << 20, 'y');
    for (int i = 0; i < 32; ++i) client->send(2, body);  // more than the kernel buffers
    REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
    CHECK_THAT(closed->message(), Catch::Contains("made no progress"));
}

TEST_CASE("an idle peer times out", "[net][session]") {
    Pair pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.idle_timeout = 300ms;
    options.watchdog_period = 50ms;
    auto server = Session::create(std::move(pair.server), options, [](Frame) {},
                                  [&](const common::Status& s) { closed = s; });
    server->start();
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
    CHECK_THAT(closed->message(), Catch::Contains("sent nothing for 300 ms"));
    CHECK(std::chrono::steady_clock::now() - start >= 300ms);
}

TEST_CASE("damaged streams close the session with the reason", "[net][session]") {
    auto run_raw = [](const common::Bytes& raw) {
        Pair pair;
        std::optional<common::Status> closed;
        std::size_t frames = 0;
        auto server = Session::create(std::move(pair.server), {}, [&](Frame) { ++frames; },
                                      [&](const common::Status& s) { closed = s; });
        server->start();
        asio::write(pair.client, asio::buffer(raw));
        REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
        return std::make_pair(*closed, frames);
    };
    std::mt19937_64 rng(5);
    common::Bytes garbage(4096, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    garbage[0] = 0;  // a length under 256, so the checksum decides
    garbage[1] = 0;
    garbage[2] = 0;
    auto [noise, noise_frames] = run_raw(garbage);
    CHECK(noise.code() == common::Code::kCorruption);
    CHECK(noise_frames == 0);

    common::Bytes huge;
    common::put_be32(huge, limits::kFrameBodyBytesMax + 1);
    common::put_be16(huge, 2);
    common::put_be64(huge, 0);
    auto [too_long, long_frames] = run_raw(encode_frame(1, "fine") + huge);
    CHECK(too_long.code() == common::Code::kCorruption);
    CHECK_THAT(too_long.message(), Catch::Contains("exceeds the limit"));
    CHECK(long_frames == 1);  // the good frame before it was delivered
}

}  // namespace
}  // namespace remora::net
