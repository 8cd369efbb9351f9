#include "node/peer_mesh.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "net/node_messages.h"
#include "node/log.h"

namespace remora::node {

namespace asio = net::asio;
using common::Code;
using common::Result;
using common::Status;
using net::MessageType;
using Clock = std::chrono::steady_clock;

namespace {

std::string name_of(std::uint32_t id) { return "pre-executor " + std::to_string(id); }

// The address part of Session::peer()'s "IP:PORT", as an address (nullopt: none).
std::optional<asio::ip::address> address_of(const std::string& peer) {
    const std::size_t colon = peer.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(peer.substr(0, colon), ec);
    if (ec) return std::nullopt;
    return address;
}

bool same_address(const std::string& host, const std::string& peer) {
    boost::system::error_code ec;
    const auto want = asio::ip::make_address(host, ec);
    const auto got = address_of(peer);
    return !ec && got && *got == want;
}

}  // namespace

struct PeerMesh::Impl {
    // What a connection's frame handler (on the session's strand) shares with the mesh's strand.
    struct ConnState {
        std::atomic<bool> ready{false};  // the hellos are exchanged: peer_effects are taken
        std::atomic<std::uint32_t> id{0};
        std::atomic<Clock::rep> last_heard{Clock::now().time_since_epoch().count()};
    };
    struct Conn {
        std::shared_ptr<net::Session> session;
        std::shared_ptr<ConnState> state;
        bool inbound = false;
        std::uint32_t expected = 0;  // outbound: the id dialled
        std::string cert_name;       // the peer certificate's name ("" on plain TCP)
        Clock::time_point opened = Clock::now();
        bool closing = false;  // closed here, the reason logged
        // Inbound: a hello from an id the membership does not list yet (its dialer may have had
        // the membership first), checked again when the next one comes; refused with `held_why`
        // after net.handshake_timeout_ms.
        std::optional<net::Frame> held_hello;
        Status held_why;
    };
    struct Peer {
        std::string host;
        std::uint16_t port = 0;
        std::uint64_t conn = 0;     // its ready connection (0: none)
        std::uint64_t dialing = 0;  // an outbound connection not ready yet (0: none)
        unsigned failures = 0;      // dials in a row that did not become a link
        Clock::time_point next_dial = Clock::now();
    };

    Impl(asio::io_context& io_context, PeerMeshOptions mesh_options,
         std::shared_ptr<LinkSecurity> server_security,
         std::shared_ptr<LinkSecurity> client_security, EffectsHandler handler)
        : io(io_context),
          options(std::move(mesh_options)),
          server(std::move(server_security)),
          client(std::move(client_security)),
          on_effects(std::move(handler)),
          strand(asio::make_strand(io)),
          acceptor(strand),
          timer(strand),
          pacer(strand, "peer-link") {}

    Status bind();
    void accept();
    void tick();
    void dial_due();
    void dial(std::uint32_t id, Peer& peer);
    void dial_failed(std::uint32_t id, const std::string& why);
    void secure(std::uint64_t c, asio::ip::tcp::socket socket, bool inbound,
                std::uint32_t expected);
    void on_secured(std::uint64_t c, const std::shared_ptr<ConnState>& state, bool inbound,
                    std::uint32_t expected, Result<SecuredLink> link);
    void on_frame(std::uint64_t c, ConnState& state, net::Frame frame);
    void on_strand_frame(std::uint64_t c, const net::Frame& frame);
    void on_hello(std::uint64_t c, Conn& conn, const net::Frame& frame);
    Status take(ConnState& state, const net::Frame& frame);
    void refuse(std::uint64_t c, const Status& status);
    Status handle_hello(std::uint64_t c, Conn& conn, const net::Frame& frame);
    void on_closed(std::uint64_t c, const Status& reason);
    void set_membership(const net::Membership& membership);
    void close_conn(std::uint64_t c, const Status& reason);
    void rebuild_ready();
    net::Hello my_hello() const {
        net::Hello hello;
        hello.role = net::NodeRole::kPreExecutor;
        hello.node_id = options.id;
        return hello;
    }

    asio::io_context& io;
    PeerMeshOptions options;
    std::shared_ptr<LinkSecurity> server;
    std::shared_ptr<LinkSecurity> client;
    EffectsHandler on_effects;
    asio::strand<asio::io_context::executor_type> strand;
    asio::ip::tcp::acceptor acceptor;
    asio::steady_timer timer;
    AcceptPacer pacer;  // failed accepts retried after a pause (links.h)
    std::uint16_t port = 0;

    // The strand only:
    std::map<std::uint32_t, Peer> peers;  // the membership without this node
    std::map<std::uint64_t, Conn> conns;
    std::uint64_t next_conn = 1;
    bool stopping = false;

    mutable std::mutex mutex;  // guards ready and counters
    std::vector<std::shared_ptr<net::Session>> ready;
    PeerMeshCounters counters;
    std::atomic<std::uint64_t> received{0};
};

Status PeerMesh::Impl::bind() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.listen_host, ec);
    if (ec) {
        return Status{Code::kInvalidArgument,
                      "net.listen: '" + options.listen_host + "' is not an IP address"};
    }
    asio::ip::tcp::endpoint endpoint(address, options.listen_port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return Status{Code::kIoError, "cannot listen for peer links on " + options.listen_host +
                                          ":" + std::to_string(options.listen_port) + ": " +
                                          ec.message()};
    }
    port = acceptor.local_endpoint().port();
    return Status::ok();
}

void PeerMesh::Impl::accept() {
    acceptor.async_accept(io, [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
        if (ec) {
            if (!stopping) pacer.failed(ec, [this] { accept(); });
            return;
        }
        if (stopping) return;
        pacer.accepted();
        secure(next_conn++, std::move(socket), /*inbound=*/true, 0);
        accept();
    });
}

// Every heartbeat (or redial period, the shorter): heartbeats, silent or hello-less links
// closed, due dials.
void PeerMesh::Impl::tick() {
    if (stopping) return;
    const auto now = Clock::now();
    const common::Bytes beat = net::encode_heartbeat({0});
    std::vector<std::pair<std::uint64_t, Status>> to_close;
    for (auto& [c, conn] : conns) {
        const Clock::time_point heard{Clock::duration(conn.state->last_heard.load())};
        if (!conn.state->ready) {
            if (now - conn.opened > options.handshake_timeout) {
                to_close.emplace_back(
                    c, conn.held_hello
                           ? conn.held_why
                           : Status{Code::kIoError, "no hello within net.handshake_timeout_ms"});
            }
        } else if (now - heard > options.peer_timeout) {
            to_close.emplace_back(c, Status{Code::kIoError, "silent past cluster.peer_timeout_ms"});
        } else {
            conn.session->send(net::wire_type(MessageType::kHeartbeat), beat);
        }
    }
    for (auto& [c, reason] : to_close) refuse(c, reason);
    dial_due();
    timer.expires_after(std::min(options.heartbeat, options.redial_min));
    timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

// Of each pair the lower id dials.
void PeerMesh::Impl::dial_due() {
    if (stopping) return;
    const auto now = Clock::now();
    for (auto& [id, peer] : peers) {
        if (id > options.id && peer.conn == 0 && peer.dialing == 0 && now >= peer.next_dial) {
            dial(id, peer);
        }
    }
}

void PeerMesh::Impl::dial(std::uint32_t id, Peer& peer) {
    const std::uint64_t c = next_conn++;
    peer.dialing = c;
    {
        std::lock_guard lock(mutex);
        ++counters.dials;
    }
    async_connect(io, peer.host, peer.port, options.handshake_timeout,
                  [this, c, id](Result<asio::ip::tcp::socket> socket) {
                      if (!socket) {
                          asio::post(strand, [this, c, id, status = socket.status()] {
                              auto it = peers.find(id);
                              if (it != peers.end() && it->second.dialing == c) {
                                  dial_failed(id, status.message());
                              }
                          });
                          return;
                      }
                      secure(c, std::move(socket).value(), /*inbound=*/false, id);
                  });
}

void PeerMesh::Impl::dial_failed(std::uint32_t id, const std::string& why) {
    Peer& peer = peers.at(id);
    peer.dialing = 0;
    ++peer.failures;
    // Bounded backoff: redial_min, doubling, at most redial_max.
    auto wait = options.redial_min;
    for (unsigned i = 1; i < peer.failures && wait < options.redial_max; ++i) wait *= 2;
    wait = std::min(wait, options.redial_max);
    peer.next_dial = Clock::now() + wait;
    if (peer.failures == 1 || peer.failures % 20 == 0) {
        log_warn("peer link to " + name_of(id) + " at " + peer.host + ":" +
                 std::to_string(peer.port) + ": " + why + " (attempt " +
                 std::to_string(peer.failures) + ", redialling in " + std::to_string(wait.count()) +
                 " ms)");
    }
}

void PeerMesh::Impl::secure(std::uint64_t c, asio::ip::tcp::socket socket, bool inbound,
                            std::uint32_t expected) {
    auto state = std::make_shared<ConnState>();
    LinkSecurity& security = inbound ? *server : *client;
    security.secure(
        std::move(socket), options.handshake_timeout, options.session,
        [this, c, state](net::Frame frame) { on_frame(c, *state, std::move(frame)); },
        [this, c](const Status& reason) {
            asio::post(strand, [this, c, reason] { on_closed(c, reason); });
        },
        [this, c, state, inbound, expected](Result<SecuredLink> link) {
            asio::post(strand,
                       [this, c, state, inbound, expected, link = std::move(link)]() mutable {
                           on_secured(c, state, inbound, expected, std::move(link));
                       });
        });
}

void PeerMesh::Impl::on_secured(std::uint64_t c, const std::shared_ptr<ConnState>& state,
                                bool inbound, std::uint32_t expected, Result<SecuredLink> link) {
    auto peer = inbound ? peers.end() : peers.find(expected);
    const bool current = inbound || (peer != peers.end() && peer->second.dialing == c);
    if (!link) {
        if (inbound) {
            log_warn("peer link refused: " + link.status().message());
            std::lock_guard lock(mutex);
            ++counters.links_refused;
        } else if (current) {
            dial_failed(expected, link.status().message());
        }
        return;
    }
    if (stopping || !current) {
        link->session->close();
        return;
    }
    if (!inbound && client->is_tls() &&
        link->peer_name != "pre-executor-" + std::to_string(expected)) {
        // The address the membership gives `expected` answers with another node's certificate.
        {
            std::lock_guard lock(mutex);
            ++counters.links_refused;
        }
        link->session->close();
        dial_failed(expected, "its certificate is '" + link->peer_name + "', not pre-executor-" +
                                  std::to_string(expected) + "'s: refused");
        return;
    }
    Conn conn;
    conn.session = link->session;
    conn.state = state;
    conn.inbound = inbound;
    conn.expected = expected;
    conn.cert_name = link->peer_name;
    conns.emplace(c, conn);
    conn.session->start();
    if (!inbound) {
        conn.session->send(net::wire_type(MessageType::kHello), net::encode_hello(my_hello()));
    }
}

// On the session's strand: forwards go straight to the node (decoded here, off the mesh's
// strand); everything else is the mesh's.
void PeerMesh::Impl::on_frame(std::uint64_t c, ConnState& state, net::Frame frame) {
    state.last_heard.store(Clock::now().time_since_epoch().count());
    if (state.ready.load()) {
        if (Status status = take(state, frame); !status) {
            asio::post(strand, [this, c, status] { refuse(c, status); });
        }
        return;
    }
    // The hello, and what came right behind it (a peer that is ready sends at once): in order.
    asio::post(strand, [this, c, f = std::move(frame)] { on_strand_frame(c, f); });
}

// A ready link's frame: a forward goes to the node, a heartbeat was heard.
Status PeerMesh::Impl::take(ConnState& state, const net::Frame& frame) {
    if (frame.type == net::wire_type(MessageType::kPeerEffects)) {
        auto effects = net::decode_peer_effects(frame.body);
        if (!effects) return effects.status();
        ++received;
        on_effects(state.id.load(), std::move(effects).value());
        return Status::ok();
    }
    if (frame.type == net::wire_type(MessageType::kHeartbeat)) {
        auto beat = net::decode_heartbeat(frame.body);
        return beat ? Status::ok() : beat.status();
    }
    return {Code::kInvalidArgument, std::string("message '") + net::message_type_name(frame.type) +
                                        "' (type " + std::to_string(frame.type) +
                                        ") has no business on a peer link"};
}

void PeerMesh::Impl::on_strand_frame(std::uint64_t c, const net::Frame& frame) {
    auto it = conns.find(c);
    if (it == conns.end()) return;
    Conn& conn = it->second;
    if (!conn.state->ready) {
        on_hello(c, conn, frame);
        return;
    }
    if (Status status = take(*conn.state, frame); !status) refuse(c, status);
}

void PeerMesh::Impl::on_hello(std::uint64_t c, Conn& conn, const net::Frame& frame) {
    Status status = handle_hello(c, conn, frame);
    if (status.is_ok()) return;
    if (conn.inbound && status.code() == Code::kNotFound) {
        conn.held_hello = frame;
        conn.held_why = std::move(status);
        return;
    }
    refuse(c, status);
}

// The peer's fault: its connection closes with the reason logged (before its hello: refused).
void PeerMesh::Impl::refuse(std::uint64_t c, const Status& status) {
    auto it = conns.find(c);
    if (it == conns.end() || it->second.closing) return;
    const Conn& conn = it->second;
    const std::string who = conn.state->ready ? name_of(conn.state->id) : conn.session->peer();
    if (conn.state->ready) {
        log_warn("closing peer link of " + who + ": " + status.message());
    } else {
        log_warn(std::string("peer link ") + (conn.inbound ? "from " : "to ") + who +
                 " refused: " + status.message());
        std::lock_guard lock(mutex);
        ++counters.links_refused;
    }
    close_conn(c, status);
}

Status PeerMesh::Impl::handle_hello(std::uint64_t c, Conn& conn, const net::Frame& frame) {
    const net::Hello mine = my_hello();
    auto hello = net::expect_hello(frame, mine);
    if (!hello) return hello.status();
    auto version = net::negotiate_version(mine, *hello);
    if (!version) return version.status();
    if (*version < net::kPeerLinksVersion) {
        return {Code::kFormatVersion,
                "peer links need wire protocol " + std::to_string(net::kPeerLinksVersion) +
                    " or later; the peer speaks " + std::to_string(hello->min_protocol_version) +
                    ".." + std::to_string(hello->protocol_version)};
    }
    if (hello->role != net::NodeRole::kPreExecutor) {
        return {Code::kInvalidArgument, std::string("a peer link takes pre-executors, not a ") +
                                            net::node_role_name(hello->role)};
    }
    if (hello->executor != executor::executor_identity()) {
        return {Code::kFormatVersion, "the peer runs another executor (rules version " +
                                          std::to_string(hello->executor.rules_version) + ")"};
    }
    const std::uint32_t id = hello->node_id;
    auto peer = peers.find(id);
    if (conn.inbound) {
        if (peer == peers.end()) {
            // kNotFound: held until the next membership (on_hello).
            return {Code::kNotFound, "it claims to be " + name_of(id) +
                                         ", which the primary's membership does not list"};
        }
        if (id > options.id) {
            return {Code::kInvalidArgument, name_of(id) +
                                                " dialled, but the lower id dials (this node is " +
                                                std::to_string(options.id) + ")"};
        }
        if (server->is_tls() && conn.cert_name != "pre-executor-" + std::to_string(id)) {
            return {Code::kInvalidArgument,
                    "certificate '" + conn.cert_name + "' may not speak as " + name_of(id)};
        }
        if (!same_address(peer->second.host, conn.session->peer())) {
            return {Code::kInvalidArgument,
                    "the membership gives " + name_of(id) + " the address " + peer->second.host +
                        ", the connection comes from " + conn.session->peer()};
        }
        if (peer->second.conn != 0) {
            // Its dialer lost the old link first (or is reconnecting through a dead one).
            close_conn(peer->second.conn, Status{Code::kAlreadyExists, "replaced by a new link"});
        }
    } else {
        if (id != conn.expected) {
            return {Code::kInvalidArgument,
                    "dialled " + name_of(conn.expected) + ", it says it is " + name_of(id)};
        }
        if (peer == peers.end() || peer->second.dialing != c) {
            return {Code::kNotFound, name_of(id) + " left the membership meanwhile"};
        }
        peer->second.dialing = 0;
    }
    // Ready before the answer goes: the dialer forwards as soon as it has it.
    conn.state->id = id;
    conn.state->ready = true;
    if (conn.inbound) {
        conn.session->send(net::wire_type(MessageType::kHello), net::encode_hello(mine));
    }
    peer->second.conn = c;
    peer->second.failures = 0;
    {
        std::lock_guard lock(mutex);
        ++counters.links_opened;
    }
    rebuild_ready();
    log_info("peer link with " + name_of(id) + " up (" +
             (conn.inbound ? "accepted from " : "dialled ") + conn.session->peer() + ")");
    return Status::ok();
}

void PeerMesh::Impl::on_closed(std::uint64_t c, const Status& reason) {
    auto it = conns.find(c);
    if (it == conns.end()) return;
    const Conn conn = std::move(it->second);
    conns.erase(it);
    if (conn.inbound && !conn.state->ready && !conn.closing && !reason.is_ok() && !stopping) {
        // Before its hello: bytes that are no frame, a reset, a stall.
        log_warn("peer link from " + conn.session->peer() + " refused: " + reason.message());
        std::lock_guard lock(mutex);
        ++counters.links_refused;
        return;
    }
    const std::uint32_t id = conn.state->ready ? conn.state->id.load() : conn.expected;
    auto peer = peers.find(id);
    if (peer == peers.end()) return;
    if (peer->second.conn == c) {
        peer->second.conn = 0;
        rebuild_ready();
        if (!stopping) {
            log_warn("peer link with " + name_of(id) + " closed: " +
                     (reason.is_ok() ? std::string("closed here") : reason.message()));
        }
        peer->second.next_dial = Clock::now() + options.redial_min;
    } else if (peer->second.dialing == c) {
        dial_failed(id, reason.is_ok() ? std::string("closed here") : reason.message());
    }
}

void PeerMesh::Impl::close_conn(std::uint64_t c, const Status& reason) {
    auto it = conns.find(c);
    if (it == conns.end()) return;
    it->second.closing = true;
    it->second.session->close(reason);
}

void PeerMesh::Impl::set_membership(const net::Membership& membership) {
    if (stopping) return;
    std::map<std::uint32_t, Peer> next;
    for (const net::Member& member : membership.members) {
        if (member.node_id == options.id) continue;
        auto old = peers.find(member.node_id);
        if (old != peers.end() && old->second.host == member.host &&
            old->second.port == member.port) {
            next.emplace(member.node_id, std::move(old->second));
            peers.erase(old);
            continue;
        }
        Peer peer;
        peer.host = member.host;
        peer.port = member.port;
        next.emplace(member.node_id, std::move(peer));
    }
    // Those left over departed or moved: their links close (a moved one is dialled anew).
    for (auto& [id, peer] : peers) {
        const Status why{Code::kNotFound, name_of(id) + " left the membership or moved"};
        if (peer.conn != 0) {
            log_info("closing the peer link with " + name_of(id) +
                     ": the membership no longer lists it at " + peer.host + ":" +
                     std::to_string(peer.port));
            close_conn(peer.conn, why);
        }
        if (peer.dialing != 0) close_conn(peer.dialing, why);
    }
    peers = std::move(next);
    rebuild_ready();
    // Hellos that came before this membership.
    std::vector<std::uint64_t> held;
    for (const auto& [c, conn] : conns) {
        if (conn.held_hello && !conn.closing) held.push_back(c);
    }
    for (std::uint64_t c : held) {
        Conn& conn = conns.at(c);
        const net::Frame hello = std::move(*conn.held_hello);
        conn.held_hello.reset();
        on_hello(c, conn, hello);
    }
    dial_due();
}

void PeerMesh::Impl::rebuild_ready() {
    std::lock_guard lock(mutex);
    ready.clear();
    for (const auto& [id, peer] : peers) {
        if (peer.conn != 0) ready.push_back(conns.at(peer.conn).session);
    }
    counters.links_up = ready.size();
}

// --- PeerMesh ----------------------------------------------------------------------------------

PeerMesh::PeerMesh(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PeerMesh::~PeerMesh() = default;

Result<std::unique_ptr<PeerMesh>> PeerMesh::start(asio::io_context& io,
                                                  const PeerMeshOptions& options,
                                                  std::shared_ptr<LinkSecurity> server,
                                                  std::shared_ptr<LinkSecurity> client,
                                                  EffectsHandler on_effects) {
    auto impl = std::make_shared<Impl>(io, options, std::move(server), std::move(client),
                                       std::move(on_effects));
    REMORA_RETURN_IF_ERROR(impl->bind());
    Impl* raw = impl.get();
    asio::post(raw->strand, [raw] {
        raw->accept();
        raw->tick();
    });
    return std::unique_ptr<PeerMesh>(new PeerMesh(std::move(impl)));
}

std::uint16_t PeerMesh::port() const { return m_impl->port; }

void PeerMesh::set_membership(net::Membership membership) {
    Impl* impl = m_impl.get();
    asio::post(impl->strand,
               [impl, membership = std::move(membership)] { impl->set_membership(membership); });
}

std::size_t PeerMesh::forward(common::ByteView peer_effects_body) {
    std::lock_guard lock(m_impl->mutex);
    std::size_t sent = 0;
    for (const auto& session : m_impl->ready) {
        if (session->send(net::wire_type(MessageType::kPeerEffects), peer_effects_body) !=
            net::SendResult::kClosed) {
            ++sent;
        }
    }
    m_impl->counters.forwarded += sent;
    return sent;
}

void PeerMesh::drop(std::uint32_t id, Status reason) {
    Impl* impl = m_impl.get();
    asio::post(impl->strand, [impl, id, reason = std::move(reason)] {
        auto peer = impl->peers.find(id);
        if (peer == impl->peers.end() || peer->second.conn == 0) return;
        log_warn("closing the peer link with " + name_of(id) + ": " + reason.message());
        impl->close_conn(peer->second.conn, reason);
    });
}

void PeerMesh::stop() {
    Impl* impl = m_impl.get();
    asio::post(impl->strand, [impl] {
        if (impl->stopping) return;
        impl->stopping = true;
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
        impl->pacer.cancel();
        impl->timer.cancel();
        for (auto& [c, conn] : impl->conns) conn.session->close();
        std::lock_guard lock(impl->mutex);
        impl->ready.clear();
        impl->counters.links_up = 0;
    });
}

PeerMeshCounters PeerMesh::counters() const {
    std::lock_guard lock(m_impl->mutex);
    PeerMeshCounters out = m_impl->counters;
    out.received = m_impl->received.load();
    return out;
}

}  // namespace remora::node
