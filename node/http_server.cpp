#include "node/http_server.h"

#include <atomic>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "node/links.h"

namespace remora::node {

namespace asio = net::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using common::Code;
using common::Status;

namespace {

constexpr std::size_t kConnectionsMax = 64;
constexpr std::uint32_t kHeaderBytesMax = 8 * 1024;
constexpr auto kRequestTimeout = std::chrono::seconds(5);

class Server;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(asio::ip::tcp::socket socket, std::shared_ptr<Server> server)
        : m_stream(std::move(socket)), m_server(std::move(server)) {}
    ~Connection();
    void start();

private:
    void respond(HttpAnswer answer);

    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::empty_body>> m_parser;
    http::response<http::string_body> m_response;
    std::shared_ptr<Server> m_server;
};

class Server final : public HttpServer, public std::enable_shared_from_this<Server> {
public:
    Server(asio::io_context& io, HttpHandler handler)
        : m_acceptor(asio::make_strand(io)),
          m_pacer(m_acceptor.get_executor(), "metrics"),
          m_handler(std::move(handler)) {}

    Status listen(const std::string& ip, std::uint16_t port) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(ip, ec);
        if (ec) return {Code::kInvalidArgument, "'" + ip + "' is not an IP address"};
        asio::ip::tcp::endpoint endpoint(address, port);
        m_acceptor.open(endpoint.protocol(), ec);
        if (!ec) m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) m_acceptor.bind(endpoint, ec);
        if (!ec) m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            return {Code::kIoError, "cannot listen for metrics on " + ip + ":" +
                                        std::to_string(port) + ": " + ec.message()};
        }
        m_port = m_acceptor.local_endpoint().port();
        return Status::ok();
    }

    void accept() {
        m_acceptor.async_accept(
            asio::make_strand(m_acceptor.get_executor()),
            [self = shared_from_this()](boost::system::error_code ec,
                                        asio::ip::tcp::socket socket) {
                if (ec) {
                    self->m_pacer.failed(ec, [self] { self->accept(); });
                    return;
                }
                self->m_pacer.accepted();
                if (self->m_connections.load() >= kConnectionsMax) {
                    boost::system::error_code ignored;
                    socket.close(ignored);  // a bound, not a queue
                } else {
                    std::make_shared<Connection>(std::move(socket), self)->start();
                }
                self->accept();
            });
    }

    std::uint16_t port() const override { return m_port; }
    void stop() override {
        asio::post(m_acceptor.get_executor(), [self = shared_from_this()] {
            boost::system::error_code ignored;
            self->m_acceptor.close(ignored);
            self->m_pacer.cancel();
        });
    }

    const HttpHandler& handler() const { return m_handler; }
    std::atomic<std::size_t> m_connections{0};

private:
    asio::ip::tcp::acceptor m_acceptor;
    AcceptPacer m_pacer;  // failed accepts retried after a pause (links.h)
    HttpHandler m_handler;
    std::uint16_t m_port = 0;
};

Connection::~Connection() { --m_server->m_connections; }

void Connection::start() {
    ++m_server->m_connections;
    m_parser.emplace();
    m_parser->header_limit(kHeaderBytesMax);
    m_parser->body_limit(0);
    m_stream.expires_after(kRequestTimeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return;  // a bad or slow request: just close
                         const auto& request = self->m_parser->get();
                         if (request.method() != http::verb::get) {
                             self->respond({405, "text/plain; charset=utf-8", "GET only\n"});
                             return;
                         }
                         const std::string target(request.target());
                         auto executor = self->m_stream.get_executor();
                         self->m_server->handler()(target, [self, executor](HttpAnswer answer) {
                             asio::post(executor, [self, answer = std::move(answer)]() mutable {
                                 self->respond(std::move(answer));
                             });
                         });
                     });
}

void Connection::respond(HttpAnswer answer) {
    m_response.version(11);
    m_response.result(answer.status);
    m_response.set(http::field::content_type, answer.content_type);
    m_response.set(http::field::connection, "close");
    m_response.body() = std::move(answer.body);
    m_response.prepare_payload();
    m_stream.expires_after(kRequestTimeout);
    http::async_write(
        m_stream, m_response, [self = shared_from_this()](beast::error_code, std::size_t) {
            beast::error_code ignored;
            self->m_stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        });
}

}  // namespace

common::Result<std::shared_ptr<HttpServer>> HttpServer::start(net::asio::io_context& io,
                                                              const std::string& ip,
                                                              std::uint16_t port,
                                                              HttpHandler handler) {
    auto server = std::make_shared<Server>(io, std::move(handler));
    REMORA_RETURN_IF_ERROR(server->listen(ip, port));
    server->accept();
    return std::shared_ptr<HttpServer>(server);
}

common::Result<HttpAnswer> http_get(const std::string& ip, std::uint16_t port,
                                    const std::string& target, std::chrono::milliseconds timeout) {
    const std::string where = ip + ":" + std::to_string(port) + target;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(ip, ec);
    if (ec) return Status{Code::kInvalidArgument, "'" + ip + "' is not an IP address"};
    asio::io_context io;
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, ip);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    Status result{Code::kIoError, "GET " + where + " timed out"};
    stream.expires_after(timeout);
    stream.async_connect(asio::ip::tcp::endpoint(address, port), [&](beast::error_code connect_ec) {
        if (connect_ec) {
            result = {Code::kIoError, "GET " + where + ": " + connect_ec.message()};
            return;
        }
        http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
            if (write_ec) {
                result = {Code::kIoError, "GET " + where + ": " + write_ec.message()};
                return;
            }
            http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
                result = read_ec ? Status{Code::kIoError, "GET " + where + ": " + read_ec.message()}
                                 : Status::ok();
            });
        });
    });
    io.run();
    if (!result.is_ok()) return result;
    const auto& response = parser.get();
    HttpAnswer answer;
    answer.status = response.result_int();
    answer.content_type = std::string(response[http::field::content_type]);
    answer.body = response.body();
    return answer;
}

std::string query_parameter(const std::string& target, const std::string& name) {
    const std::size_t question = target.find('?');
    if (question == std::string::npos) return "";
    std::size_t start = question + 1;
    while (start < target.size()) {
        std::size_t end = target.find('&', start);
        if (end == std::string::npos) end = target.size();
        const std::string pair = target.substr(start, end - start);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name) return eq == std::string::npos ? "" : pair.substr(eq + 1);
        start = end + 1;
    }
    return "";
}

}  // namespace remora::node
