#pragma once
// How a node turns a TCP connection into a framed Session (docs/node.md, "Links"): cluster links
// are authenticated at both ends by mutual TLS with the cluster CA before a single frame is
// read; the client ingress port is plain TCP. Either way the result is a started-able
// net::Session, so the node's protocol code does not know which transport it runs on.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "net/asio.h"
#include "net/session.h"
#include "node/config.h"

namespace remora::node {

struct SecuredLink {
    std::shared_ptr<net::Session> session;  // not started
    std::string peer_name;                  // the peer certificate's name ("" on a plain link)
};

using LinkDone = std::function<void(common::Result<SecuredLink>)>;

class LinkSecurity {
public:
    // Cluster links of node `tls.name`, with the credentials under `tls.dir`
    // (remora-node keygen). Errors name the file and the reason.
    static common::Result<std::shared_ptr<LinkSecurity>> for_cluster(const TlsConfig& tls,
                                                                     bool server);
    // Plain TCP: the ingress port.
    static std::shared_ptr<LinkSecurity> plain();

    // Handshakes on `socket` (bounded by `timeout`), then builds the session. `done` runs once,
    // on an io thread, with the session or the reason the peer was refused.
    void secure(net::asio::ip::tcp::socket socket, std::chrono::milliseconds timeout,
                const net::SessionOptions& options, net::Session::FrameHandler on_frame,
                net::Session::CloseHandler on_close, LinkDone done);

    bool is_tls() const;

    // Reads the credentials again from the files they came from (SIGHUP, docs/node.md,
    // "Credentials"): on success, connections from now on use them (established ones keep theirs);
    // on failure the old ones stay in use and the error names the file. Thread-safe.
    common::Status reload();
    struct Credentials {
        std::int64_t certificate_not_after = 0;  // Unix seconds; 0 on a plain link
        std::int64_t ca_not_after = 0;
        std::uint64_t reloads = 0;
        std::uint64_t reload_failures = 0;
    };
    Credentials credentials() const;  // thread-safe
    ~LinkSecurity();

private:
    struct Impl;
    explicit LinkSecurity(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// SIGHUP: reloads `security` and logs the outcome (info with the new expiry, or an error that
// says the old credentials stay in use).
void reload_credentials_logged(LinkSecurity& security);

using ConnectDone = std::function<void(common::Result<net::asio::ip::tcp::socket>)>;

// Resolves and connects to `host`:`port`, bounded by `timeout`; `done` runs once on an io
// thread with the connected socket or the reason (naming the address).
void async_connect(net::asio::io_context& io, const std::string& host, std::uint16_t port,
                   std::chrono::milliseconds timeout, ConnectDone done);

// How long an acceptor waits after a failed accept before it accepts again.
inline constexpr std::chrono::milliseconds kAcceptRetry{100};

// Paces an acceptor after failed accepts (docs/node.md, "Links"). When the descriptor table is
// full (EMFILE, ENFILE) or memory is short, every accept fails at once while the connections
// wait in the listen backlog: accepting again at once would spin a core and flood the log. So
// the next accept waits kAcceptRetry, and a streak of failures is logged twice: its first
// failure and, at the next accepted connection, how many there were. One accept is outstanding
// at a time, so calls never overlap.
class AcceptPacer {
public:
    // `what` names the port in the log ("ingress", "cluster", "peer-link", "metrics").
    AcceptPacer(const net::asio::any_io_executor& executor, std::string what);

    // After an accept failed with `ec`. False when the acceptor was closed (the node stops:
    // accept no more); otherwise logs the first failure of a streak and runs `again` after
    // kAcceptRetry (unless cancel() came first).
    bool failed(const boost::system::error_code& ec, std::function<void()> again);
    // After an accepted connection: ends a streak.
    void accepted();
    // A pending retry does not run.
    void cancel();
    std::uint64_t failures() const { return m_failures; }  // all failed accepts so far

private:
    net::asio::steady_timer m_timer;
    std::string m_what;
    std::uint64_t m_streak = 0;
    std::uint64_t m_failures = 0;
};

// A bound on the connections a port keeps open at once (docs/node.md, "Links"). take() hands
// out a ticket while fewer than the limit are held; the slot is free again when the last copy of
// its ticket is destroyed, so a connection counts for as long as anything holds it (a ticket
// kept in its session's handlers counts it until the session itself is gone). Thread-safe.
class ConnectionSlots {
public:
    using Ticket = std::shared_ptr<void>;
    explicit ConnectionSlots(std::size_t limit);
    // A ticket, or null when `limit` are held.
    Ticket take();
    std::size_t held() const;
    std::size_t limit() const;

private:
    struct State {
        explicit State(std::size_t n) : limit(n) {}
        const std::size_t limit;
        std::atomic<std::size_t> held{0};
    };
    std::shared_ptr<State> m_state;  // tickets keep it alive past this object
};

}  // namespace remora::node
