#pragma once
// Loopback helpers for the net tests: bounded io_context runs, a cluster's credentials in a
// temporary directory, and a TLS server that handshakes every connection, records each outcome,
// and answers each frame with "<peer CN>:<body>" through a Session over the TLS stream.

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/frame.h"
#include "net/session.h"
#include "net/tls.h"
#include "tests/support/temp_dir.h"

namespace remora::net {

// Runs `io` until `done()` or `limit` passes; true when done.
template <typename Done>
bool run_until(asio::io_context& io, Done done,
               std::chrono::milliseconds limit = std::chrono::milliseconds(10'000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
    return done();
}

// A cluster with nodes "node-a" and "node-b", valid for an hour.
struct TlsCluster {
    testing::TempDir dir{"remora-tls"};

    TlsCluster() {
        const std::vector<std::string> names{"node-a", "node-b"};
        REQUIRE(
            write_cluster_credentials(dir.path().string(), names, std::chrono::hours(1)).is_ok());
    }
    std::shared_ptr<asio::ssl::context> context(const std::string& name, TlsRole role) const {
        auto context = make_cluster_context(cluster_files(dir.path().string(), name), role);
        REQUIRE(context.is_ok());
        return *context;
    }
};

class TlsEchoServer {
public:
    TlsEchoServer(asio::io_context& io, std::shared_ptr<asio::ssl::context> context,
                  std::chrono::milliseconds handshake_timeout = std::chrono::milliseconds(5'000))
        : m_acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}),
          m_context(std::move(context)),
          m_timeout(handshake_timeout) {
        accept();
    }
    asio::ip::tcp::endpoint endpoint() const { return m_acceptor.local_endpoint(); }

    std::vector<common::Status> outcomes;  // one per connection, in handshake completion order

private:
    void accept() {
        m_acceptor.async_accept(
            [this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
                if (ec) return;
                auto stream = std::make_shared<TlsStream>(std::move(socket), *m_context);
                async_tls_handshake(stream, TlsRole::kServer, m_timeout,
                                    [this, stream](const common::Status& status) {
                                        outcomes.push_back(status);
                                        if (status.is_ok()) serve(stream);
                                    });
                accept();
            });
    }

    // Answers each frame through a Session, which names the peer.
    void serve(std::shared_ptr<TlsStream> stream) {
        // Weak: the session's pending operations keep it alive, no cycle through its handler.
        auto self = std::make_shared<std::weak_ptr<Session>>();
        auto session = Session::create(
            std::move(stream), {},
            [self](const Frame& f) {
                if (auto s = self->lock()) s->send(f.type, s->peer_name() + ":" + f.body);
            },
            [](const common::Status&) {});
        *self = session;
        session->start();
    }

    asio::ip::tcp::acceptor m_acceptor;
    std::shared_ptr<asio::ssl::context> m_context;
    std::chrono::milliseconds m_timeout;
};

inline std::shared_ptr<TlsStream> connect_tls(asio::io_context& io,
                                              const asio::ip::tcp::endpoint& endpoint,
                                              asio::ssl::context& context) {
    auto stream = std::make_shared<TlsStream>(io, context);
    stream->lowest_layer().connect(endpoint);
    return stream;
}

// The client's handshake outcome (the server side runs on the same io_context).
inline common::Status handshake(asio::io_context& io, const std::shared_ptr<TlsStream>& stream,
                                TlsRole role) {
    std::optional<common::Status> outcome;
    async_tls_handshake(stream, role, std::chrono::milliseconds(5'000),
                        [&](common::Status s) { outcome = std::move(s); });
    REQUIRE(run_until(io, [&] { return outcome.has_value(); }));
    return *outcome;
}

// Sends one frame and waits for one frame back.
inline common::Result<Frame> exchange(asio::io_context& io,
                                      const std::shared_ptr<TlsStream>& stream,
                                      const std::string& body) {
    std::optional<common::Result<Frame>> reply;
    auto request = std::make_shared<common::Bytes>(encode_frame(1, body));
    auto decoder = std::make_shared<FrameDecoder>();
    auto buffer = std::make_shared<std::array<char, std::size_t{16} * 1024>>();
    std::function<void()> read_more = [&] {
        stream->async_read_some(
            asio::buffer(*buffer),
            [&, decoder, buffer](const boost::system::error_code& ec, std::size_t n) {
                if (ec) {
                    reply = common::Status{common::Code::kIoError, ec.message()};
                    return;
                }
                common::Status fed = decoder->feed(common::ByteView(buffer->data(), n));
                if (!fed.is_ok()) {
                    reply = fed;
                    return;
                }
                auto frame = decoder->next();
                if (!frame.is_ok()) {
                    reply = frame.status();
                } else if (frame.value()) {
                    reply = std::move(*frame.value());
                } else {
                    read_more();
                }
            });
    };
    asio::async_write(*stream, asio::buffer(*request),
                      [&, request](const boost::system::error_code& ec, std::size_t) {
                          if (ec) {
                              reply = common::Status{common::Code::kIoError, ec.message()};
                          } else {
                              read_more();
                          }
                      });
    REQUIRE(run_until(io, [&] { return reply.has_value(); }));
    return std::move(*reply);
}

}  // namespace remora::net
