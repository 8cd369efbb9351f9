#pragma once
// Peer links: direct pre-executor <-> pre-executor links for peer forwarding (docs/node.md,
// "Peer links"). Each pre-executor listens on its own peer port; the primary tells every
// pre-executor the membership (id, host:port of each one that takes peer links) when it joins and
// whenever it changes. Of each pair the lower id dials, the higher one accepts; both ends
// authenticate with the cluster's mutual TLS, and the hello must name the id the certificate and
// the membership give that address (an unknown id, a mismatch or a wire version before 5 is
// refused with the reason logged). A link that drops is redialled with bounded backoff; a member
// the membership drops has its link closed. Over a link go peer_effects (one successful result's
// effects and the digest its sender claims) and heartbeats; nothing a peer sends is trusted: the
// receiver recomputes the digest (PreExecutor::apply_peer_effects).
//
// Its state lives on its own strand; forward() and the effects handler are the node's side.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/asio.h"
#include "net/message_codec.h"
#include "net/session.h"
#include "node/links.h"

namespace remora::node {

struct PeerMeshOptions {
    std::uint32_t id = 0;           // this pre-executor's
    std::string listen_host;        // the address the peer port binds
    std::uint16_t listen_port = 0;  // 0: a free one (port())
    net::SessionOptions session;
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::milliseconds heartbeat{500};
    std::chrono::milliseconds peer_timeout{2000};  // a peer silent this long is closed
    std::chrono::milliseconds redial_min{500};     // the backoff starts here, doubles ...
    std::chrono::milliseconds redial_max{5000};    // ... up to here
};

struct PeerMeshCounters {
    std::uint64_t forwarded = 0;      // peer_effects frames sent (one per peer per result)
    std::uint64_t received = 0;       // peer_effects frames that decoded, handed to the node
    std::uint64_t links_up = 0;       // peers with a ready link now
    std::uint64_t links_opened = 0;   // hellos completed, both directions
    std::uint64_t links_refused = 0;  // connections refused at the handshake or hello
    std::uint64_t dials = 0;
};

class PeerMesh {
public:
    // Called on an io thread, in each link's frame order, for each peer_effects that decoded
    // from a ready link.
    using EffectsHandler = std::function<void(std::uint32_t from, net::PeerEffects effects)>;

    // Binds the peer port and starts accepting. `server` and `client` are the cluster
    // credentials in both roles (LinkSecurity::for_cluster).
    static common::Result<std::unique_ptr<PeerMesh>> start(net::asio::io_context& io,
                                                           const PeerMeshOptions& options,
                                                           std::shared_ptr<LinkSecurity> server,
                                                           std::shared_ptr<LinkSecurity> client,
                                                           EffectsHandler on_effects);
    ~PeerMesh();
    PeerMesh(const PeerMesh&) = delete;
    PeerMesh& operator=(const PeerMesh&) = delete;

    std::uint16_t port() const;
    // The primary's latest membership. Thread-safe.
    void set_membership(net::Membership membership);
    // Sends a peer_effects body to every peer with a ready link; returns how many. Thread-safe.
    std::size_t forward(common::ByteView peer_effects_body);
    // Closes the link of `id` (its forward was refused: `reason` is logged). Thread-safe.
    void drop(std::uint32_t id, common::Status reason);
    // Closes every link and the port. Thread-safe; idempotent.
    void stop();
    PeerMeshCounters counters() const;  // thread-safe

private:
    struct Impl;
    explicit PeerMesh(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

}  // namespace remora::node
