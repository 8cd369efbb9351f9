#include "node/oracle_client.h"

#include "executor/tx/anoma_codec.h"
#include "net/frame.h"
#include "net/message_codec.h"
#include "net/node_messages.h"
#include "node/links.h"

namespace remora::node {

namespace asio = net::asio;
using common::Code;
using common::Result;
using common::Status;
using net::MessageType;

namespace {}  // namespace

OracleClient::~OracleClient() {
    try {
        if (m_session) m_session->close();
        m_io.restart();
        m_io.poll();  // lets the session's close handlers run before the io_context dies
    } catch (...) {
        // A destructor must not throw (that ends the process); a close handler's failure at
        // teardown has no caller left to tell.
    }
}

Result<std::unique_ptr<OracleClient>> OracleClient::connect(std::uint16_t port,
                                                            std::chrono::milliseconds timeout) {
    std::unique_ptr<OracleClient> client(new OracleClient());
    OracleClient* self = client.get();
    async_connect(
        self->m_io, "127.0.0.1", port, timeout, [self](Result<asio::ip::tcp::socket> socket) {
            if (!socket) {
                self->m_setup = socket.status();
                self->m_closed = true;
                return;
            }
            self->m_session = net::Session::create(
                std::move(socket).value(), {},
                [self](const net::Frame& frame) { self->on_frame(frame); },
                [self](const Status& reason) {
                    if (!self->m_hello && self->m_setup.is_ok()) {
                        self->m_setup = reason.is_ok()
                                            ? Status{Code::kIoError, "closed before the hello"}
                                            : reason;
                    }
                    self->m_closed = true;
                });
            self->m_session->start();
            net::Hello hello;
            hello.role = net::NodeRole::kClient;
            self->m_session->send(net::wire_type(MessageType::kHello), net::encode_hello(hello));
        });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!self->m_hello && !self->m_closed && std::chrono::steady_clock::now() < deadline) {
        self->m_io.run_for(std::chrono::milliseconds(1));
        if (self->m_io.stopped()) self->m_io.restart();
    }
    if (!self->m_hello) {
        if (!self->m_setup.is_ok()) return self->m_setup;
        return Status{Code::kIoError, "no hello from 127.0.0.1:" + std::to_string(port)};
    }
    return client;
}

bool OracleClient::submit(common::ByteView body) {
    if (m_closed || !m_session) return false;
    return m_session->send(net::wire_type(MessageType::kSubmitTransaction), body) !=
           net::SendResult::kClosed;
}

std::vector<OracleAnswer> OracleClient::pump(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    do {
        if (m_io.stopped()) m_io.restart();
        m_io.run_for(std::chrono::milliseconds(1));
    } while (!m_closed && std::chrono::steady_clock::now() < deadline);
    if (m_closed) {  // answers read before the close still count
        m_io.restart();
        m_io.poll();
    }
    return std::exchange(m_answers, {});
}

void OracleClient::on_frame(const net::Frame& frame) {
    const auto type = static_cast<MessageType>(frame.type);
    if (!m_hello) {
        net::Hello mine;
        mine.role = net::NodeRole::kClient;
        if (auto hello = net::expect_hello(frame, mine); !hello) m_setup = hello.status();
        if (!m_setup.is_ok()) {
            m_session->close(m_setup);
            return;
        }
        m_hello = true;
        return;
    }
    if (type == MessageType::kExecutionSummary) {
        auto summary = executor::decode_anoma_message_as<executor::ExecutionSummary>(frame.body);
        if (!summary) {
            ++m_protocol_errors;
            return;
        }
        m_answers.push_back({summary->tx_digest, *summary, ""});
        return;
    }
    if (type == MessageType::kSubmitRefused) {
        auto refused = net::decode_submit_refused(frame.body);
        if (!refused) {
            ++m_protocol_errors;
            return;
        }
        m_answers.push_back({refused->tx_digest, std::nullopt,
                             std::string(net::refusal_reason_name(refused->reason))});
        return;
    }
    ++m_protocol_errors;
}

}  // namespace remora::node
