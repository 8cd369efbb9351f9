#pragma once
// One framed connection (docs/wire_format.md, "Sessions"): one reader, one writer draining a
// bounded queue, a watchdog. Everything a session does runs on its strand, so its handlers never
// run concurrently, whatever threads run the io_context; work reaches it only through send(),
// which posts to that strand.
//
// - Reading: bytes go through a FrameDecoder; each whole frame is handed to the frame handler
//   in order. A framing error (a length past the limit, a bad checksum) closes the session.
//   With `read_delay` (plain TCP) the next read waits that long after a small read (< 16 KiB).
// - Writing: frames queue up to `send_queue_bytes_max`, encoded back to back into one send
//   buffer (no allocation and no hand-off to the strand per frame: send() wakes the strand only
//   when the buffer was empty); the writer takes everything queued and writes it with one write
//   (frames are coalesced), after `coalesce_delay` when the connection was idle. Above
//   `backpressure_bytes` send() reports backpressure so the producer can slow down; past the
//   maximum the peer is too slow and the session closes ("slow peer"): memory stays bounded.
// - Watchdog: a peer that sends nothing for `idle_timeout`, or a write that has not completed
//   after `write_timeout`, closes the session.
// The close handler runs exactly once, with the reason (ok for a close asked by this side).
//
// Transports: plain TCP, or TLS (net/tls.h) over a stream whose handshake is done. The session
// logic is one code path; a small internal transport (session.cpp) does the reads, the gathered
// writes and the close for each stream type. Closing a TLS session sends close_notify and waits
// for the peer's at most `tls_shutdown_timeout`, then closes the socket: a close never hangs. A
// TLS peer that drops the TCP connection without close_notify is reported as closing the
// connection "without TLS close_notify".

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/asio.h"
#include "net/frame.h"
#include "net/tls.h"

namespace remora::net {

struct SessionOptions {
    std::size_t backpressure_bytes = 8u << 20;
    // At least one frame of the largest size: the bound of a session's memory for sending.
    std::size_t send_queue_bytes_max = (64u << 20) + (16u << 20);
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds write_timeout{10'000};
    std::chrono::milliseconds watchdog_period{200};
    // How long a frame queued on an idle connection waits for others before the write starts
    // (0: it starts at once). A small delay turns a trickle of frames into one write, one TLS
    // record and one wake-up of the peer per delay instead of per frame; a close after flush
    // still writes everything queued first.
    std::chrono::microseconds coalesce_delay{0};
    // How long the reader waits after a small read (under 16 KiB) before it reads again (0: at
    // once). Frames that arrive meanwhile are taken by one read: a trickle of small frames (a
    // client's submissions) costs one wake-up and one read per delay instead of per frame, for
    // at most this much more latency. A larger read is followed at once (a busy stream).
    // Plain TCP only: a TLS session ignores it (a TLS read returns one record, and records
    // already received wait where no readiness check sees them).
    std::chrono::microseconds read_delay{0};
    // TLS only: how long a close waits for the peer's close_notify before closing the socket.
    std::chrono::milliseconds tls_shutdown_timeout{1'000};
};

// kInvalidArgument naming the first option out of range.
common::Status validate_session_options(const SessionOptions& options);

enum class SendResult : std::uint8_t {
    kQueued,        // queued below the backpressure mark
    kBackpressure,  // queued, but the queue is past the backpressure mark: slow down
    kClosed,        // not sent: the session is closed or closing
};

class SessionTransport;  // session.cpp

class Session : public std::enable_shared_from_this<Session> {
public:
    using FrameHandler = std::function<void(Frame)>;
    using CloseHandler = std::function<void(const common::Status&)>;

    // REQUIRES: validate_session_options(options) is ok; `socket` is connected.
    static std::shared_ptr<Session> create(asio::ip::tcp::socket socket,
                                           const SessionOptions& options, FrameHandler on_frame,
                                           CloseHandler on_close);
    // The same over TLS. REQUIRES: as above, and async_tls_handshake on `stream` succeeded.
    static std::shared_ptr<Session> create(std::shared_ptr<TlsStream> stream,
                                           const SessionOptions& options, FrameHandler on_frame,
                                           CloseHandler on_close);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Starts reading and the watchdog. Call once.
    void start();
    // Queues one frame. Thread-safe. REQUIRES: body within limits::kFrameBodyBytesMax.
    SendResult send(std::uint16_t type, common::ByteView body);
    // Closes the session (the close handler gets `reason`). Thread-safe; idempotent.
    void close(common::Status reason = common::Status::ok());
    // Closes once every frame queued so far is written (sends after it are refused): a last
    // answer reaches the peer. Bounded by the write timeout. Thread-safe; idempotent.
    void close_after_flush(common::Status reason = common::Status::ok());

    // Bytes queued and not yet written (for metrics; read from any thread).
    std::size_t queued_bytes() const { return m_queued_bytes.load(std::memory_order_relaxed); }
    // The peer's address, "IP:PORT".
    std::string peer() const { return m_peer; }
    // The CN of the peer's verified certificate (its node name); "" for plain TCP.
    std::string peer_name() const { return m_peer_name; }

private:
    Session(std::unique_ptr<SessionTransport> transport, const SessionOptions& options,
            FrameHandler on_frame, CloseHandler on_close);
    void read_some();
    void on_queued();  // on the strand: frames were queued by send()
    void write_queued();
    bool nothing_queued();
    bool kick_pending();  // on_queued() is posted and has not run yet
    void drop_queued();   // frames not yet written, on a close
    void watchdog();
    // By value on purpose: the reason may live in this session (m_close_after_flush), and the
    // close handler it is passed to may act on the session.
    void finish(common::Status reason);  // NOLINT(performance-unnecessary-value-param)

    std::unique_ptr<SessionTransport> m_transport;
    asio::strand<asio::any_io_executor> m_strand;  // the transport's
    asio::steady_timer m_timer;
    asio::steady_timer m_coalesce_timer;
    asio::steady_timer m_read_timer;  // the read_delay before the next read
    SessionOptions m_options;
    FrameHandler m_on_frame;
    CloseHandler m_on_close;
    std::string m_peer;
    std::string m_peer_name;
    FrameDecoder m_decoder;
    std::array<char, std::size_t{64} * 1024> m_read_buffer{};
    // Any thread, under m_send_mutex:
    std::mutex m_send_mutex;
    common::Bytes m_queue;  // encoded frames waiting, back to back
    bool m_kicked = false;  // on_queued() is posted and has not run yet
    // On the strand only:
    common::Bytes m_writing;  // the frames of the write in flight (its capacity is reused)
    bool m_write_in_flight = false;
    bool m_coalescing = false;  // the coalesce timer is armed: the next write waits for it
    std::chrono::steady_clock::time_point m_last_read;
    std::chrono::steady_clock::time_point m_write_started;
    bool m_closed = false;
    std::optional<common::Status> m_close_after_flush;  // the reason, once asked
    // Any thread:
    std::atomic<std::size_t> m_queued_bytes{0};
    std::atomic<bool> m_closing{false};
};

}  // namespace remora::net
