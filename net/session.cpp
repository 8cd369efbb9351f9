#include "net/session.h"

#include "net/limits.h"

namespace remora::net {
namespace {

using common::Code;
using common::Status;
using Clock = std::chrono::steady_clock;

std::string describe_endpoint(const asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return "(unknown peer)";
    return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

Status validate_session_options(const SessionOptions& o) {
    auto bad = [](const std::string& what) {
        return Status{Code::kInvalidArgument, "session options: " + what};
    };
    if (o.send_queue_bytes_max < limits::kFrameBodyBytesMax + kFrameHeaderBytes) {
        return bad("send_queue_bytes_max must hold the largest frame (" +
                   std::to_string(limits::kFrameBodyBytesMax + kFrameHeaderBytes) + " bytes)");
    }
    if (o.backpressure_bytes == 0 || o.backpressure_bytes > o.send_queue_bytes_max) {
        return bad("backpressure_bytes must be in 1..send_queue_bytes_max");
    }
    if (o.idle_timeout.count() <= 0 || o.write_timeout.count() <= 0 ||
        o.watchdog_period.count() <= 0) {
        return bad("timeouts and the watchdog period must be positive");
    }
    return Status::ok();
}

std::shared_ptr<Session> Session::create(asio::ip::tcp::socket socket,
                                         const SessionOptions& options, FrameHandler on_frame,
                                         CloseHandler on_close) {
    REMORA_ASSERT(validate_session_options(options).is_ok());
    return std::shared_ptr<Session>(
        new Session(std::move(socket), options, std::move(on_frame), std::move(on_close)));
}

Session::Session(asio::ip::tcp::socket socket, const SessionOptions& options,
                 FrameHandler on_frame, CloseHandler on_close)
    : m_socket(std::move(socket)),
      m_strand(asio::make_strand(m_socket.get_executor())),
      m_timer(m_strand),
      m_options(options),
      m_on_frame(std::move(on_frame)),
      m_on_close(std::move(on_close)),
      m_peer(describe_endpoint(m_socket)) {}

Session::~Session() = default;

void Session::start() {
    asio::dispatch(m_strand, [self = shared_from_this()] {
        self->m_last_read = Clock::now();
        boost::system::error_code ec;
        self->m_socket.set_option(asio::ip::tcp::no_delay(true), ec);
        self->read_some();
        self->watchdog();
    });
}

SendResult Session::send(std::uint16_t type, common::ByteView body) {
    if (m_closing.load(std::memory_order_relaxed)) return SendResult::kClosed;
    common::Bytes frame = encode_frame(type, body);
    const std::size_t size = frame.size();
    const std::size_t queued = m_queued_bytes.fetch_add(size, std::memory_order_relaxed) + size;
    if (queued > m_options.send_queue_bytes_max) {
        m_queued_bytes.fetch_sub(size, std::memory_order_relaxed);
        close(Status{Code::kIoError, "slow peer " + m_peer + ": " + std::to_string(queued) +
                                         " bytes would be queued, the limit is " +
                                         std::to_string(m_options.send_queue_bytes_max)});
        return SendResult::kClosed;
    }
    asio::post(m_strand, [self = shared_from_this(), frame = std::move(frame)]() mutable {
        if (self->m_closed) {
            self->m_queued_bytes.fetch_sub(frame.size(), std::memory_order_relaxed);
            return;
        }
        self->m_queue.push_back(std::move(frame));
        self->write_queued();
    });
    return queued > m_options.backpressure_bytes ? SendResult::kBackpressure : SendResult::kQueued;
}

void Session::close(Status reason) {
    m_closing.store(true, std::memory_order_relaxed);
    asio::post(m_strand,
               [self = shared_from_this(), reason = std::move(reason)] { self->finish(reason); });
}

void Session::read_some() {
    m_socket.async_read_some(
        asio::buffer(m_read_buffer),
        asio::bind_executor(m_strand, [self = shared_from_this()](
                                          const boost::system::error_code& ec, std::size_t n) {
            if (self->m_closed) return;
            if (ec) {
                if (ec == asio::error::eof) {
                    return self->finish(Status{Code::kIoError,
                                               "peer " + self->m_peer + " closed the connection"});
                }
                return self->finish(Status{Code::kIoError, "reading from " + self->m_peer + ": " +
                                                               ec.message()});
            }
            self->m_last_read = Clock::now();
            Status fed = self->m_decoder.feed(common::ByteView(self->m_read_buffer.data(), n));
            if (!fed) return self->finish(fed.with_context("from " + self->m_peer));
            for (;;) {
                auto frame = self->m_decoder.next();
                if (!frame) return self->finish(frame.status().with_context("from " + self->m_peer));
                if (!frame.value()) break;
                self->m_on_frame(std::move(*frame.value()));
                if (self->m_closed) return;
            }
            self->read_some();
        }));
}

void Session::write_queued() {
    if (m_write_in_flight || m_queue.empty() || m_closed) return;
    m_writing.assign(std::make_move_iterator(m_queue.begin()),
                     std::make_move_iterator(m_queue.end()));
    m_queue.clear();
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(m_writing.size());
    for (const common::Bytes& frame : m_writing) buffers.emplace_back(frame.data(), frame.size());
    m_write_in_flight = true;
    m_write_started = Clock::now();
    asio::async_write(
        m_socket, buffers,
        asio::bind_executor(m_strand, [self = shared_from_this()](
                                          const boost::system::error_code& ec, std::size_t n) {
            self->m_write_in_flight = false;
            self->m_queued_bytes.fetch_sub(n, std::memory_order_relaxed);
            self->m_writing.clear();
            if (self->m_closed) return;
            if (ec) {
                return self->finish(
                    Status{Code::kIoError, "writing to " + self->m_peer + ": " + ec.message()});
            }
            self->write_queued();
        }));
}

void Session::watchdog() {
    m_timer.expires_after(m_options.watchdog_period);
    m_timer.async_wait(asio::bind_executor(
        m_strand, [self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->m_closed) return;
            const auto now = Clock::now();
            if (now - self->m_last_read > self->m_options.idle_timeout) {
                return self->finish(Status{Code::kIoError, "peer " + self->m_peer +
                                                               " sent nothing for " +
                                                               ms(self->m_options.idle_timeout)});
            }
            if (self->m_write_in_flight &&
                now - self->m_write_started > self->m_options.write_timeout) {
                return self->finish(Status{Code::kIoError,
                                           "a write to " + self->m_peer +
                                               " made no progress for " +
                                               ms(self->m_options.write_timeout)});
            }
            self->watchdog();
        }));
}

void Session::finish(Status reason) {
    if (m_closed) return;
    m_closed = true;
    m_closing.store(true, std::memory_order_relaxed);
    boost::system::error_code ignored;
    m_socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    m_socket.close(ignored);
    m_timer.cancel();
    std::size_t dropped = 0;
    for (const common::Bytes& frame : m_queue) dropped += frame.size();
    m_queue.clear();
    m_queued_bytes.fetch_sub(dropped, std::memory_order_relaxed);
    if (m_on_close) {
        CloseHandler on_close = std::move(m_on_close);
        on_close(reason);
    }
}

}  // namespace remora::net
