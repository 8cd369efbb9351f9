#pragma once
// The node's operations port (docs/metrics.md): a minimal HTTP/1.1 server on Boost.Beast for
// GET /metrics, /health and /ready. One request per connection (the answer closes it);
// requests are bounded (8 KiB of headers, no body), a connection that sends nothing useful
// within 5 s is closed, and at most 64 connections are served at once (more are closed at
// accept). The answers come from the node through a handler that may answer later, from
// another strand.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/asio.h"

namespace remora::node {

struct HttpAnswer {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

// `target` is the request's path and query ("/ready?max_lag_ms=500"); call `answer` once.
using HttpHandler =
    std::function<void(const std::string& target, std::function<void(HttpAnswer)> answer)>;

class HttpServer {
public:
    // Listens on `ip`:`port` (0: a free port). Errors name the address.
    static common::Result<std::shared_ptr<HttpServer>> start(net::asio::io_context& io,
                                                             const std::string& ip,
                                                             std::uint16_t port,
                                                             HttpHandler handler);
    virtual ~HttpServer() = default;
    virtual std::uint16_t port() const = 0;
    // Stops accepting; connections in flight finish. Thread-safe.
    virtual void stop() = 0;
};

// A blocking GET of `target` from `ip`:`port`, bounded by `timeout` (for the testnet's and the
// tests' scrapes). kIoError names the address and what failed.
common::Result<HttpAnswer> http_get(const std::string& ip, std::uint16_t port,
                                    const std::string& target, std::chrono::milliseconds timeout);

// The value of `name` in a target's query ("/ready?max_lag_ms=500" -> "500"), or "".
std::string query_parameter(const std::string& target, const std::string& name);

}  // namespace remora::node
