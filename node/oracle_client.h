#pragma once
// A small blocking client of a primary's ingress port for the crash test (docs/tools/
// remora-crashtest.md): it submits transactions, and pump() runs its connection for a bounded
// time, collecting what the node answered — an ExecutionSummary (an acknowledgement) or a
// SubmitRefused. Everything runs on the caller's thread; every wait is bounded.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "executor/tx/anoma.h"
#include "net/asio.h"
#include "net/session.h"

namespace remora::node {

struct OracleAnswer {
    common::Digest tx_digest;
    std::optional<executor::ExecutionSummary> summary;  // absent: refused
    std::string refusal;                                // the reason's name when refused
};

class OracleClient {
public:
    // Connects to 127.0.0.1:`port` and completes the hello within `timeout`.
    static common::Result<std::unique_ptr<OracleClient>> connect(std::uint16_t port,
                                                                 std::chrono::milliseconds timeout);
    ~OracleClient();
    OracleClient(const OracleClient&) = delete;
    OracleClient& operator=(const OracleClient&) = delete;

    // Queues an encoded transaction; false when the connection is closed.
    bool submit(common::ByteView body);
    // Runs the connection for up to `limit` (less when it closes); returns the answers so far.
    std::vector<OracleAnswer> pump(std::chrono::milliseconds limit);
    bool closed() const { return m_closed; }
    // Frames that did not decode as a summary or a refusal.
    std::uint64_t protocol_errors() const { return m_protocol_errors; }

private:
    OracleClient() = default;
    void on_frame(const net::Frame& frame);

    net::asio::io_context m_io;
    std::shared_ptr<net::Session> m_session;
    common::Status m_setup;
    bool m_hello = false;
    bool m_closed = false;
    std::uint64_t m_protocol_errors = 0;
    std::vector<OracleAnswer> m_answers;
};

}  // namespace remora::node
