// Sessions over loopback (net/session.h), each behaviour over both transports, plain TCP and
// mutual TLS: frames flow in order both ways, a slow peer is cut off with memory bounded, an idle
// or stuck peer times out, and damaged streams close the session with the reason; a TLS close is
// bounded even when the peer never answers close_notify; a read delay (plain TCP) takes what came
// meanwhile in one read. Every wait is bounded in time.

#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "net/limits.h"
#include "net/session.h"
#include "tests/net/tls_fixture.h"

namespace remora::net {
namespace {

using namespace std::chrono_literals;

// A connected plain TCP pair; make_client/make_server hand each socket to a session (once).
struct PlainPair {
    asio::io_context io;
    asio::ip::tcp::socket client{io};
    asio::ip::tcp::socket server{io};

    PlainPair() {
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server);
    }
    std::shared_ptr<Session> make_client(const SessionOptions& o, Session::FrameHandler f,
                                         Session::CloseHandler c) {
        return Session::create(std::move(client), o, std::move(f), std::move(c));
    }
    std::shared_ptr<Session> make_server(const SessionOptions& o, Session::FrameHandler f,
                                         Session::CloseHandler c) {
        return Session::create(std::move(server), o, std::move(f), std::move(c));
    }
    void write_raw(const common::Bytes& raw) { asio::write(client, asio::buffer(raw)); }
    static constexpr const char* kClientName = "";
    static constexpr const char* kServerName = "";
};

// The same over mutual TLS, handshakes done: the server is node-a, the client node-b.
struct TlsPair {
    TlsCluster cluster;
    asio::io_context io;
    std::shared_ptr<asio::ssl::context> client_context =
        cluster.context("node-b", TlsRole::kClient);
    std::shared_ptr<asio::ssl::context> server_context =
        cluster.context("node-a", TlsRole::kServer);
    std::shared_ptr<TlsStream> client = std::make_shared<TlsStream>(io, *client_context);
    std::shared_ptr<TlsStream> server = std::make_shared<TlsStream>(io, *server_context);

    TlsPair() {
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client->next_layer().connect(acceptor.local_endpoint());
        acceptor.accept(server->next_layer());
        std::optional<common::Status> at_client;
        std::optional<common::Status> at_server;
        async_tls_handshake(client, TlsRole::kClient, 5s,
                            [&](const common::Status& s) { at_client = s; });
        async_tls_handshake(server, TlsRole::kServer, 5s,
                            [&](const common::Status& s) { at_server = s; });
        REQUIRE(run_until(io, [&] { return at_client && at_server; }));
        REQUIRE(at_client->is_ok());
        REQUIRE(at_server->is_ok());
    }
    std::shared_ptr<Session> make_client(const SessionOptions& o, Session::FrameHandler f,
                                         Session::CloseHandler c) {
        return Session::create(client, o, std::move(f), std::move(c));
    }
    std::shared_ptr<Session> make_server(const SessionOptions& o, Session::FrameHandler f,
                                         Session::CloseHandler c) {
        return Session::create(server, o, std::move(f), std::move(c));
    }
    void write_raw(const common::Bytes& raw) { asio::write(*client, asio::buffer(raw)); }
    static constexpr const char* kClientName = "node-b";
    static constexpr const char* kServerName = "node-a";
};

TEMPLATE_TEST_CASE("frames flow both ways in order through sessions", "[net][session]", PlainPair,
                   TlsPair) {
    TestType pair;
    std::vector<Frame> at_server;
    std::vector<Frame> at_client;
    std::optional<common::Status> server_closed;
    std::optional<common::Status> client_closed;
    auto server = pair.make_server(
        {}, [&](Frame f) { at_server.push_back(std::move(f)); },
        [&](const common::Status& s) { server_closed = s; });
    auto client = pair.make_client(
        {}, [&](Frame f) { at_client.push_back(std::move(f)); },
        [&](const common::Status& s) { client_closed = s; });
    CHECK(server->peer_name() == TestType::kClientName);
    CHECK(client->peer_name() == TestType::kServerName);
    server->start();
    client->start();
    std::mt19937_64 rng(3);
    std::vector<Frame> sent;
    for (int i = 0; i < 5000; ++i) {
        Frame f{static_cast<std::uint16_t>(1 + rng() % 5),
                common::Bytes(rng() % 3000, static_cast<char>('a' + i % 26))};
        REQUIRE(client->send(f.type, f.body) != SendResult::kClosed);
        sent.push_back(std::move(f));
    }
    REQUIRE(server->send(4, "ack") == SendResult::kQueued);
    REQUIRE(
        run_until(pair.io, [&] { return at_server.size() == sent.size() && !at_client.empty(); }));
    CHECK(at_server == sent);
    CHECK(at_client.front().body == "ack");
    // The server may hold every byte before the client's write completion has run: wait for it.
    CHECK(run_until(pair.io, [&] { return client->queued_bytes() == 0; }));
    client->close();
    REQUIRE(run_until(pair.io, [&] { return client_closed && server_closed; }));
    CHECK(client_closed->is_ok());  // closed by this side
    CHECK_THAT(server_closed->message(), Catch::Contains("closed the connection"));
    CHECK(client->send(1, "late") == SendResult::kClosed);
}

TEMPLATE_TEST_CASE("a coalescing session writes a trickle of frames together after its delay",
                   "[net][session]", PlainPair, TlsPair) {
    TestType pair;
    using Clock = std::chrono::steady_clock;
    std::vector<Frame> at_server;
    std::optional<common::Status> server_closed;
    auto server = pair.make_server(
        {}, [&](Frame f) { at_server.push_back(std::move(f)); },
        [&](const common::Status& s) { server_closed = s; });
    SessionOptions options;
    options.coalesce_delay = 1'000'000us;
    auto client = pair.make_client(
        options, [](const Frame&) {}, [](const common::Status&) {});
    server->start();
    client->start();
    const auto first = Clock::now();
    REQUIRE(client->send(1, "one") == SendResult::kQueued);
    run_until(
        pair.io, [] { return false; }, 100ms);
    REQUIRE(client->send(2, "two") == SendResult::kQueued);
    REQUIRE(client->send(3, "three") == SendResult::kQueued);
    // Nothing leaves before the delay: the first frame waits for the others.
    run_until(
        pair.io, [&] { return !at_server.empty(); }, 600ms);
    CHECK(at_server.empty());
    REQUIRE(run_until(pair.io, [&] { return at_server.size() == 3; }));
    CHECK(Clock::now() - first >= 1s);
    CHECK(at_server[0].body == "one");
    CHECK(at_server[2].body == "three");
    // A close after flush writes what is queued without waiting for the delay.
    const auto last = Clock::now();
    REQUIRE(client->send(4, "four") == SendResult::kQueued);
    client->close_after_flush();
    REQUIRE(run_until(pair.io, [&] { return at_server.size() == 4 && server_closed; }));
    CHECK(Clock::now() - last < 900ms);
    CHECK(at_server[3].body == "four");
}

TEST_CASE("a session with a read delay takes the frames that came meanwhile in one read",
          "[net][session]") {
    PlainPair pair;
    using Clock = std::chrono::steady_clock;
    std::vector<std::pair<Frame, Clock::time_point>> at_server;
    std::optional<common::Status> server_closed;
    SessionOptions options;
    options.read_delay = 1'000'000us;
    auto server = pair.make_server(
        options, [&](Frame f) { at_server.emplace_back(std::move(f), Clock::now()); },
        [&](const common::Status& s) { server_closed = s; });
    auto client = pair.make_client(
        {}, [](const Frame&) {}, [](const common::Status&) {});
    server->start();
    client->start();
    // The first frame is read at once: the reader was waiting.
    const auto first_sent = Clock::now();
    REQUIRE(client->send(1, "one") == SendResult::kQueued);
    REQUIRE(run_until(pair.io, [&] { return at_server.size() == 1; }));
    CHECK(at_server[0].second - first_sent < 900ms);
    // The next ones wait for the delay after that read, then come together, in order.
    REQUIRE(client->send(2, "two") == SendResult::kQueued);
    run_until(
        pair.io, [] { return false; }, 100ms);
    REQUIRE(client->send(3, "three") == SendResult::kQueued);
    run_until(
        pair.io, [&] { return at_server.size() > 1; }, 300ms);
    CHECK(at_server.size() == 1);
    REQUIRE(run_until(pair.io, [&] { return at_server.size() == 3; }));
    CHECK(at_server[1].first.body == "two");
    CHECK(at_server[2].first.body == "three");
    // Sent 100 ms apart, handed on together: by the same read, after the delay.
    CHECK(at_server[2].second - at_server[1].second < 50ms);
    CHECK(at_server[1].second - at_server[0].second <= 1'100ms);
    // A peer that closes during the delay is noticed at the next read: one close, its reason.
    client->close();
    REQUIRE(run_until(pair.io, [&] { return server_closed.has_value(); }));
    CHECK_THAT(server_closed->message(), Catch::Contains("closed the connection"));
}

TEST_CASE("a TLS session ignores the read delay", "[net][session][tls]") {
    TlsPair pair;
    std::vector<Frame> at_server;
    SessionOptions options;
    options.read_delay = 1'000'000us;
    auto server = pair.make_server(
        options, [&](Frame f) { at_server.push_back(std::move(f)); }, [](const common::Status&) {});
    auto client = pair.make_client(
        {}, [](const Frame&) {}, [](const common::Status&) {});
    server->start();
    client->start();
    // One TLS record per frame, sent apart: each is read as it comes, none waits a second.
    for (int i = 0; i < 3; ++i) {
        REQUIRE(client->send(1, "frame " + std::to_string(i)) == SendResult::kQueued);
        CHECK(run_until(
            pair.io, [&] { return at_server.size() == static_cast<std::size_t>(i) + 1; }, 500ms));
        run_until(
            pair.io, [] { return false; }, 50ms);
    }
    REQUIRE(at_server.size() == 3);
    CHECK(at_server[2].body == "frame 2");
}

TEST_CASE("session options bound the read delay", "[net][session]") {
    SessionOptions options;
    options.read_delay = std::chrono::microseconds(1'000'000);
    CHECK(validate_session_options(options).is_ok());
    options.read_delay = std::chrono::microseconds(1'000'001);
    CHECK_THAT(validate_session_options(options).message(), Catch::Contains("read_delay"));
    options.read_delay = std::chrono::microseconds(-1);
    CHECK_FALSE(validate_session_options(options).is_ok());
    // The watchdog would take a reader waiting its delay for a silent peer.
    options.read_delay = std::chrono::microseconds(500'000);
    options.idle_timeout = std::chrono::milliseconds(500);
    CHECK_THAT(validate_session_options(options).message(), Catch::Contains("idle_timeout"));
}

TEMPLATE_TEST_CASE("a peer that does not read is cut off and memory stays bounded",
                   "[net][session]", PlainPair, TlsPair) {
    TestType pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.write_timeout = 60'000ms;  // only the queue bound may act here
    auto client = pair.make_client(
        options, [](const Frame&) {}, [&](const common::Status& s) { closed = s; });
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

TEMPLATE_TEST_CASE("a write that makes no progress closes the session", "[net][session]", PlainPair,
                   TlsPair) {
    TestType pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.write_timeout = 300ms;
    options.watchdog_period = 50ms;
    auto client = pair.make_client(
        options, [](const Frame&) {}, [&](const common::Status& s) { closed = s; });
    client->start();
    const common::Bytes body(1u << 20, 'y');
    for (int i = 0; i < 32; ++i) client->send(2, body);  // more than the kernel buffers
    REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
    CHECK_THAT(closed->message(), Catch::Contains("made no progress"));
}

TEMPLATE_TEST_CASE("an idle peer times out", "[net][session]", PlainPair, TlsPair) {
    TestType pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.idle_timeout = 300ms;
    options.watchdog_period = 50ms;
    auto server = pair.make_server(
        options, [](const Frame&) {}, [&](const common::Status& s) { closed = s; });
    server->start();
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
    CHECK_THAT(closed->message(), Catch::Contains("sent nothing for 300 ms"));
    CHECK(std::chrono::steady_clock::now() - start >= 300ms);
}

TEMPLATE_TEST_CASE("damaged streams close the session with the reason", "[net][session]", PlainPair,
                   TlsPair) {
    auto run_raw = [](const common::Bytes& raw) {
        TestType pair;
        std::optional<common::Status> closed;
        std::size_t frames = 0;
        auto server = pair.make_server(
            {}, [&](const Frame&) { ++frames; }, [&](const common::Status& s) { closed = s; });
        server->start();
        pair.write_raw(raw);
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

TEST_CASE("closing a TLS session is bounded when the peer never answers close_notify",
          "[net][session][tls]") {
    TlsPair pair;
    std::optional<common::Status> closed;
    SessionOptions options;
    options.tls_shutdown_timeout = 300ms;
    auto client = pair.make_client(
        options, [](const Frame&) {}, [&](const common::Status& s) { closed = s; });
    client->start();
    REQUIRE(client->send(1, "last words") == SendResult::kQueued);
    REQUIRE(run_until(pair.io, [&] { return client->queued_bytes() == 0; }));
    const auto start = std::chrono::steady_clock::now();
    client->close();
    // The server side is a bare TLS stream: it reads the frame and the close_notify but never
    // sends its own, so the client's shutdown waits until its timer closes the socket.
    std::array<char, 256> buffer{};
    std::size_t tls_bytes = 0;
    std::optional<boost::system::error_code> tls_end;
    std::function<void()> read_tls = [&] {
        pair.server->async_read_some(asio::buffer(buffer),
                                     [&](const boost::system::error_code& ec, std::size_t n) {
                                         tls_bytes += n;
                                         if (ec) {
                                             tls_end = ec;
                                         } else {
                                             read_tls();
                                         }
                                     });
    };
    read_tls();
    REQUIRE(run_until(pair.io, [&] { return closed && tls_end; }));
    CHECK(closed->is_ok());
    CHECK(*tls_end == asio::error::eof);  // the close_notify
    CHECK(tls_bytes == kFrameHeaderBytes + 10);
    std::optional<boost::system::error_code> tcp_end;
    pair.server->next_layer().async_read_some(
        asio::buffer(buffer),
        [&](const boost::system::error_code& ec, std::size_t) { tcp_end = ec; });
    REQUIRE(run_until(
        pair.io, [&] { return tcp_end.has_value(); }, 5'000ms));
    CHECK(*tcp_end == asio::error::eof);  // the socket closed by the client's timer
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 300ms);
    CHECK(took < 3'000ms);
}

TEST_CASE("a TLS peer that drops TCP without close_notify is reported", "[net][session][tls]") {
    TlsPair pair;
    std::optional<common::Status> closed;
    auto server = pair.make_server(
        {}, [](const Frame&) {}, [&](const common::Status& s) { closed = s; });
    server->start();
    pair.client->next_layer().close();
    REQUIRE(run_until(pair.io, [&] { return closed.has_value(); }));
    CHECK_THAT(closed->message(), Catch::Contains("without TLS close_notify"));
}

}  // namespace
}  // namespace remora::net
