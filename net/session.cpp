#include "net/session.h"

#include <algorithm>

#include "common/fault_point.h"
#include "net/limits.h"

namespace remora::net {
namespace {

using common::Code;
using common::Status;
using Clock = std::chrono::steady_clock;

// The capacity a send buffer keeps between writes; a larger one is released after its write.
constexpr std::size_t kSendBufferKeptBytes = std::size_t{1} << 20;
// A read at least this large (a quarter of the read buffer) is followed by the next at once,
// whatever SessionOptions::read_delay says: a busy stream is not slowed.
constexpr std::size_t kBusyReadBytes = std::size_t{16} * 1024;

std::string describe_endpoint(const asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return "(unknown peer)";
    return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

asio::ip::tcp::socket& socket_of(asio::ip::tcp::socket& socket) { return socket; }
asio::ip::tcp::socket& socket_of(const std::shared_ptr<TlsStream>& stream) {
    return stream->next_layer();
}
asio::ip::tcp::socket& stream_of(asio::ip::tcp::socket& socket) { return socket; }
TlsStream& stream_of(const std::shared_ptr<TlsStream>& stream) { return *stream; }

}  // namespace

// What a session needs of its stream. Every handler runs on strand().
class SessionTransport {
public:
    using IoHandler = std::function<void(const boost::system::error_code&, std::size_t)>;
    explicit SessionTransport(const asio::any_io_executor& executor)
        : m_strand(asio::make_strand(executor)) {}
    virtual ~SessionTransport() = default;
    SessionTransport(const SessionTransport&) = delete;
    SessionTransport& operator=(const SessionTransport&) = delete;

    const asio::strand<asio::any_io_executor>& strand() const { return m_strand; }
    virtual asio::ip::tcp::socket& socket() = 0;
    virtual void read_some(asio::mutable_buffer buffer, IoHandler handler) = 0;
    // Writes all of `buffer` (the bytes must live until `handler`).
    virtual void write(asio::const_buffer buffer, IoHandler handler) = 0;
    // Ends the connection, bounded by `timeout`; `keep_alive` is held until it has ended.
    virtual void close(std::chrono::milliseconds timeout, std::shared_ptr<void> keep_alive) = 0;

protected:
    asio::strand<asio::any_io_executor> m_strand;
};

namespace {

// Holder: asio::ip::tcp::socket (plain TCP) or std::shared_ptr<TlsStream>.
template <typename Holder>
class StreamTransport final : public SessionTransport {
public:
    explicit StreamTransport(Holder holder)
        : SessionTransport(socket_of(holder).get_executor()),
          m_holder(std::move(holder)),
          m_shutdown_timer(m_strand) {}

    asio::ip::tcp::socket& socket() override { return socket_of(m_holder); }

    void read_some(asio::mutable_buffer buffer, IoHandler handler) override {
        stream_of(m_holder).async_read_some(buffer,
                                            asio::bind_executor(m_strand, std::move(handler)));
    }

    void write(asio::const_buffer buffer, IoHandler handler) override {
        asio::async_write(stream_of(m_holder), buffer,
                          asio::bind_executor(m_strand, std::move(handler)));
    }

    void close(std::chrono::milliseconds timeout, std::shared_ptr<void> keep_alive) override {
        if constexpr (std::is_same_v<Holder, asio::ip::tcp::socket>) {
            (void)timeout;
            (void)keep_alive;
            close_socket();
        } else {
            // close_notify, then the peer's, or the timer closes the socket first. The read
            // and a write may still be in flight: the SSL stream serialises its own reads and
            // writes, and closing the socket ends them all.
            m_shutdown_timer.expires_after(timeout);
            m_shutdown_timer.async_wait([this, keep_alive](const boost::system::error_code& ec) {
                if (!ec) close_socket();
            });
            m_holder->async_shutdown(
                asio::bind_executor(m_strand, [this, keep_alive](const boost::system::error_code&) {
                    m_shutdown_timer.cancel();
                    close_socket();
                }));
        }
    }

private:
    void close_socket() {
        boost::system::error_code ignored;
        socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
    }

    Holder m_holder;
    asio::steady_timer m_shutdown_timer;  // TLS only
};

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
        o.watchdog_period.count() <= 0 || o.tls_shutdown_timeout.count() <= 0) {
        return bad("timeouts and the watchdog period must be positive");
    }
    if (o.coalesce_delay.count() < 0 || o.coalesce_delay > std::chrono::seconds(1)) {
        return bad("coalesce_delay must be in 0..1 s");
    }
    if (o.read_delay.count() < 0 || o.read_delay > std::chrono::seconds(1)) {
        return bad("read_delay must be in 0..1 s");
    }
    // The watchdog counts silence from the last read: a reader waiting its delay must not look
    // like a silent peer.
    if (o.read_delay >= o.idle_timeout) return bad("read_delay must be below idle_timeout");
    return Status::ok();
}

std::shared_ptr<Session> Session::create(asio::ip::tcp::socket socket,
                                         const SessionOptions& options, FrameHandler on_frame,
                                         CloseHandler on_close) {
    REMORA_ASSERT(validate_session_options(options).is_ok());
    return std::shared_ptr<Session>(
        new Session(std::make_unique<StreamTransport<asio::ip::tcp::socket>>(std::move(socket)),
                    options, std::move(on_frame), std::move(on_close)));
}

std::shared_ptr<Session> Session::create(std::shared_ptr<TlsStream> stream,
                                         const SessionOptions& options, FrameHandler on_frame,
                                         CloseHandler on_close) {
    REMORA_ASSERT(validate_session_options(options).is_ok());
    REMORA_ASSERT(stream != nullptr);
    std::string name = peer_common_name(*stream);
    // A TLS read returns one record, and the records already received can wait in the stream's
    // buffer where no readiness check sees them: a delay per read could fall behind a stream
    // of small records. read_delay is for plain connections.
    SessionOptions plain_only = options;
    plain_only.read_delay = std::chrono::microseconds(0);
    auto session = std::shared_ptr<Session>(new Session(
        std::make_unique<StreamTransport<std::shared_ptr<TlsStream>>>(std::move(stream)),
        plain_only, std::move(on_frame), std::move(on_close)));
    session->m_peer_name = std::move(name);
    return session;
}

Session::Session(std::unique_ptr<SessionTransport> transport, const SessionOptions& options,
                 FrameHandler on_frame, CloseHandler on_close)
    : m_transport(std::move(transport)),
      m_strand(m_transport->strand()),
      m_timer(m_strand),
      m_coalesce_timer(m_strand),
      m_read_timer(m_strand),
      m_options(options),
      m_on_frame(std::move(on_frame)),
      m_on_close(std::move(on_close)),
      m_peer(describe_endpoint(m_transport->socket())) {}

Session::~Session() = default;

void Session::start() {
    asio::dispatch(m_strand, [self = shared_from_this()] {
        self->m_last_read = Clock::now();
        boost::system::error_code ec;
        self->m_transport->socket().set_option(asio::ip::tcp::no_delay(true), ec);
        self->read_some();
        self->watchdog();
    });
}

SendResult Session::send(std::uint16_t type, common::ByteView body) {
    if (m_closing.load(std::memory_order_relaxed)) return SendResult::kClosed;
    const std::size_t size = kFrameHeaderBytes + body.size();
    const std::size_t queued = m_queued_bytes.fetch_add(size, std::memory_order_relaxed) + size;
    if (queued > m_options.send_queue_bytes_max) {
        m_queued_bytes.fetch_sub(size, std::memory_order_relaxed);
        close(Status{Code::kIoError, "slow peer " + m_peer + ": " + std::to_string(queued) +
                                         " bytes would be queued, the limit is " +
                                         std::to_string(m_options.send_queue_bytes_max)});
        return SendResult::kClosed;
    }
    bool kick = false;
    {
        const std::lock_guard<std::mutex> lock(m_send_mutex);
        append_frame(m_queue, type, body);
        kick = !m_kicked;
        m_kicked = true;
    }
    // One hand-off to the strand for all the frames queued before it runs.
    if (kick) asio::post(m_strand, [self = shared_from_this()] { self->on_queued(); });
    return queued > m_options.backpressure_bytes ? SendResult::kBackpressure : SendResult::kQueued;
}

void Session::on_queued() {
    {
        const std::lock_guard<std::mutex> lock(m_send_mutex);
        m_kicked = false;
    }
    if (m_closed) return drop_queued();
    if (m_write_in_flight || m_coalescing) return;  // goes with the next write
    if (m_options.coalesce_delay.count() == 0) return write_queued();
    m_coalescing = true;
    m_coalesce_timer.expires_after(m_options.coalesce_delay);
    m_coalesce_timer.async_wait(asio::bind_executor(
        m_strand, [self = shared_from_this()](const boost::system::error_code&) {
            self->m_coalescing = false;
            self->write_queued();
        }));
}

void Session::drop_queued() {
    std::size_t dropped = 0;
    {
        const std::lock_guard<std::mutex> lock(m_send_mutex);
        dropped = m_queue.size();
        common::Bytes().swap(m_queue);
    }
    m_queued_bytes.fetch_sub(dropped, std::memory_order_relaxed);
}

bool Session::kick_pending() {
    const std::lock_guard<std::mutex> lock(m_send_mutex);
    return m_kicked;
}

bool Session::nothing_queued() {
    const std::lock_guard<std::mutex> lock(m_send_mutex);
    return m_queue.empty();
}

void Session::close(Status reason) {
    m_closing.store(true, std::memory_order_relaxed);
    asio::post(m_strand,
               [self = shared_from_this(), reason = std::move(reason)] { self->finish(reason); });
}

void Session::close_after_flush(Status reason) {
    m_closing.store(true, std::memory_order_relaxed);
    asio::post(m_strand, [self = shared_from_this(), reason = std::move(reason)] {
        if (!self->m_close_after_flush) self->m_close_after_flush = reason;
        if (!self->m_write_in_flight && self->nothing_queued()) return self->finish(reason);
        if (self->m_coalescing) self->m_coalesce_timer.cancel();  // flush now
    });
}

void Session::read_some() {
    m_transport->read_some(
        asio::buffer(m_read_buffer),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (self->m_closed) return;
            if (ec) {
                if (ec == asio::error::eof) {
                    return self->finish(
                        Status{Code::kIoError, "peer " + self->m_peer + " closed the connection"});
                }
                if (ec == asio::ssl::error::stream_truncated) {
                    return self->finish(Status{
                        Code::kIoError, "peer " + self->m_peer +
                                            " closed the connection without TLS close_notify"});
                }
                return self->finish(
                    Status{Code::kIoError, "reading from " + self->m_peer + ": " + ec.message()});
            }
            self->m_last_read = Clock::now();
            Status fed = self->m_decoder.feed(common::ByteView(self->m_read_buffer.data(), n));
            if (!fed) return self->finish(fed.with_context("from " + self->m_peer));
            for (;;) {
                auto frame = self->m_decoder.next();
                if (!frame)
                    return self->finish(frame.status().with_context("from " + self->m_peer));
                if (!frame.value()) break;
                self->m_on_frame(std::move(*frame.value()));
                if (self->m_closed) return;
            }
            if (self->m_options.read_delay.count() == 0 || n >= kBusyReadBytes) {
                return self->read_some();  // a large read: more is likely waiting now
            }
            self->m_read_timer.expires_after(self->m_options.read_delay);
            self->m_read_timer.async_wait(
                asio::bind_executor(self->m_strand, [self](const boost::system::error_code&) {
                    if (!self->m_closed) self->read_some();
                }));
        });
}

void Session::write_queued() {
    if (m_write_in_flight || m_closed) return;
    {
        // m_writing is empty here (cleared when the last write ended): the two buffers trade
        // places, and each keeps its capacity for the next round.
        const std::lock_guard<std::mutex> lock(m_send_mutex);
        if (m_queue.empty()) return;
        m_queue.swap(m_writing);
    }
    asio::const_buffer buffer(m_writing.data(), m_writing.size());
#if REMORA_FAULT_POINTS_COMPILED
    // The fault point "net.frame.partial": the first half of the first frame only, then the
    // process dies, so the peer is left holding a partial frame.
    if (REMORA_FAULT_POINT_FIRES("net.frame.partial")) {
        const std::size_t first = kFrameHeaderBytes + common::get_be32(m_writing, 0);
        m_write_in_flight = true;  // nothing else goes out before the process dies
        buffer = asio::const_buffer(m_writing.data(), std::max<std::size_t>(1, first / 2));
        m_transport->write(
            buffer, [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                (void)self;  // keeps m_writing alive until the half frame is out
                common::fault_point_crash("net.frame.partial");
            });
        return;
    }
#endif
    m_write_in_flight = true;
    m_write_started = Clock::now();
    m_transport->write(
        buffer, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            self->m_write_in_flight = false;
            self->m_queued_bytes.fetch_sub(n, std::memory_order_relaxed);
            self->m_writing.clear();
            // A large write (a snapshot chunk) does not keep its memory for the session's life.
            if (self->m_writing.capacity() > kSendBufferKeptBytes)
                common::Bytes().swap(self->m_writing);
            if (self->m_closed) return;
            if (ec) {
                return self->finish(
                    Status{Code::kIoError, "writing to " + self->m_peer + ": " + ec.message()});
            }
            // Frames whose hand-off (on_queued) is still to run are left to it, as if they had
            // come after this write ended: on a coalescing session it waits coalesce_delay for
            // more instead of writing them at once on their own.
            if (!self->kick_pending()) self->write_queued();
            if (self->m_close_after_flush && !self->m_write_in_flight && self->nothing_queued()) {
                self->finish(*self->m_close_after_flush);
            }
        });
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
                return self->finish(Status{Code::kIoError, "a write to " + self->m_peer +
                                                               " made no progress for " +
                                                               ms(self->m_options.write_timeout)});
            }
            self->watchdog();
        }));
}

void Session::finish(Status reason) {  // NOLINT(performance-unnecessary-value-param): see .h
    if (m_closed) return;
    m_closed = true;
    m_closing.store(true, std::memory_order_relaxed);
    m_transport->close(m_options.tls_shutdown_timeout, shared_from_this());
    m_timer.cancel();
    m_coalesce_timer.cancel();
    m_read_timer.cancel();
    drop_queued();
    if (m_on_close) {
        CloseHandler on_close = std::move(m_on_close);
        on_close(reason);
    }
}

}  // namespace remora::net
