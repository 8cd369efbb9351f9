#include "node/primary_node.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "common/fault_point.h"
#include "executor/protocol/load_balancer.h"
#include "executor/protocol/primary.h"
#include "executor/sequential/commit_body.h"
#include "executor/sequential/sequential.h"
#include "executor/tx/anoma_codec.h"
#include "executor/tx/effects.h"
#include "executor/tx/transaction_codec.h"
#include "net/frame.h"
#include "net/limits.h"
#include "net/message_codec.h"
#include "net/node_messages.h"
#include "node/http_server.h"
#include "node/links.h"
#include "node/log.h"
#include "node/node_files.h"
#include "node/node_metrics.h"
#include "node/ordered_log.h"
#include "node/poison_marker.h"
#include "node/snapshot_policy.h"
#include "node/snapshot_transfer.h"
#include "recovery/file_io.h"
#include "storage/store.h"

namespace remora::node {

namespace asio = net::asio;
namespace protocol = executor::protocol;
using common::Code;
using common::Digest;
using common::Result;
using common::Status;
using executor::Transaction;
using net::MessageType;
using Clock = std::chrono::steady_clock;

namespace {

nlohmann::ordered_json routing_stats(const protocol::LoadBalancerCounters& c) {
    return {{"routed", c.routed},
            {"to_affinity_owner", c.to_affinity_owner},
            {"overload_fallbacks", c.overload_fallbacks},
            {"to_placement", c.to_placement},
            {"split_inputs", c.split_inputs},
            {"placements_full", c.placements_full},
            {"rebalanced", c.rebalanced}};
}

net::Hello my_hello() {
    net::Hello hello;
    hello.role = net::NodeRole::kPrimary;
    hello.node_id = 0;
    return hello;
}

}  // namespace

class PrimaryNode::Impl {
public:
    Impl(const NodeConfig& config, std::unique_ptr<storage::Store> store, SnapshotSource source,
         std::shared_ptr<LinkSecurity> cluster_security)
        : m_config(config),
          m_store(std::move(store)),
          m_primary(*m_store, primary_options(config)),
          m_balancer(balancer_options(config)),
          m_snapshots(std::move(source)),
          m_cluster_security(std::move(cluster_security)),
          m_ingress_security(LinkSecurity::plain()),
          m_engine(asio::make_strand(m_io)),
          m_cluster_acceptor(m_io),
          m_ingress_acceptor(m_io),
          m_cluster_pacer(m_io.get_executor(), "cluster"),
          m_ingress_pacer(m_io.get_executor(), "ingress"),
          m_heartbeat_timer(m_io),
          m_client_slots(config.net.max_client_connections) {
        m_primary.set_update_router(
            [this](const executor::Object& object) { return m_balancer.expected_reader(object); });
    }

    Status bind();
    Status run();
    void reload_credentials() { reload_credentials_logged(*m_cluster_security); }
    void stop() {
        asio::post(m_engine, [this] { begin_stop("asked to stop"); });
    }
    std::uint16_t cluster_port() const { return m_cluster_port; }
    std::uint16_t ingress_port() const { return m_ingress_port; }
    void set_snapshot_policy(SnapshotPolicy policy) {
        m_snapshot_policy.emplace(std::move(policy));
    }
    Status replay(std::unique_ptr<OrderedLog> log, std::vector<OrderedRecord> unapplied);
    void snapshot() {
        asio::post(m_engine, [this] { take_snapshot("asked for"); });
    }

private:
    struct Link {
        std::shared_ptr<net::Session> session;
        std::string peer;
        bool hello = false;
        protocol::PreExecutorId id = 0;
        std::uint32_t version = 0;  // the wire protocol version its hello agreed on
        bool joined = false;
        Clock::time_point last_seen = Clock::now();
        std::uint64_t outstanding = 0;
        bool closing = false;  // dropped here, the reason logged: later frames are not acted on
        // Its peer-link port (wire version 5, pre_executor.peer_links): 0 when it takes none.
        std::string peer_host;
        std::uint16_t peer_port = 0;
    };
    struct Client {
        std::shared_ptr<net::Session> session;
        bool hello = false;
        bool closing = false;  // closed here, the reason logged: later frames are not acted on
    };
    struct Pending {
        std::vector<std::uint64_t> waiters;  // client connections
    };
    struct Ordered {
        std::vector<Transaction> txs;
        std::vector<Digest> digests;
        // The buffers the clients submitted, which decoded to `txs`: what the ordered-batch log
        // writes (not re-encoded). Released once the batch is logged.
        std::vector<common::Bytes> submitted;
        Clock::time_point ordered_at;    // set when consensus ordered it
        std::uint64_t commit_index = 0;  // the commit it becomes, set when it is cut
        bool logged = false;             // its append to the ordered-batch log finished
        bool consensus_done = false;     // the consensus delay passed
    };

    static protocol::PrimaryOptions primary_options(const NodeConfig& config) {
        protocol::PrimaryOptions options;
        options.routed_updates = protocol::parse_routed_updates(config.primary.routed_updates)
                                     .value_or(protocol::RoutedUpdates::kAffinity);
        options.reexec_threads = config.primary.reexec_threads;
        return options;
    }

    // --- connections (io threads, then the engine strand) ---
    void accept_cluster();
    void accept_ingress();
    // At net.max_client_connections: closes `socket` at once, logs the first refusal of a
    // streak (and, at the next accepted connection, how many there were) and counts it.
    void refuse_client_connection(asio::ip::tcp::socket socket);
    net::SessionOptions session_options(bool cluster) const;
    template <typename Map>
    void attach(std::uint64_t conn, const SecuredLink& link, Map& map);

    // --- engine strand ---
    void on_cluster_frame(std::uint64_t conn, const net::Frame& frame);
    void on_client_frame(std::uint64_t conn, net::Frame& frame);
    void on_cluster_closed(std::uint64_t conn, const Status& reason);
    void on_client_closed(std::uint64_t conn, const Status& reason);
    Status handle_cluster_frame(std::uint64_t conn, Link& link, const net::Frame& frame);
    Status handle_hello(std::uint64_t conn, Link& link, const net::Frame& frame);
    Status join(Link& link, common::CommitIndex caught_up);
    void handle_submit(std::uint64_t conn, Client& client, net::Frame& frame);
    void refuse(Client& client, const Digest& digest, net::RefusalReason reason,
                std::string message);
    void send_summary(std::uint64_t conn, const executor::ExecutionSummary& summary);
    Result<std::optional<executor::ExecutionSummary>> committed_summary(const Digest& digest);
    // `submitted`: the transaction buffer the client sent, which decoded to `tx`.
    void admit(Transaction tx, const Digest& digest, common::Bytes submitted);
    void cut_batch();
    void send_tentative_order(const Ordered& batch);
    void relay(protocol::PreExecutorId from, common::ByteView result_body);
    void send_membership();
    void send_state_update(Link& link, const protocol::StateUpdate& update);
    void try_process();
    void on_batch_progress(const std::shared_ptr<Ordered>& batch);
    Status process(Ordered& batch);
    Result<protocol::PrimaryCommit> execute_commit(const Ordered& batch);
    Status poison(const Ordered& batch, const Status& failure);
    void remember(const executor::ExecutionSummary& summary);
    void heartbeat();
    void drop_link(std::uint64_t conn, Status reason);
    void begin_stop(const std::string& why);
    void maybe_finish_stop();
    void fail(Status status);
    void write_stats();
    void take_snapshot(const std::string& why);
    void serve_http(const std::string& target, std::function<void(HttpAnswer)> answer);
    PrimaryNodeFigures figures() const;
    // Before a pre-executor's link is removed from the engine: its counts, for the metrics.
    void keep_departed_totals(std::uint32_t id);

    NodeConfig m_config;
    std::unique_ptr<storage::Store> m_store;
    protocol::Primary m_primary;
    protocol::LoadBalancer m_balancer;
    SnapshotSource m_snapshots;
    std::shared_ptr<LinkSecurity> m_cluster_security;
    std::shared_ptr<LinkSecurity> m_ingress_security;

    asio::io_context m_io;
    asio::strand<asio::io_context::executor_type> m_engine;
    asio::ip::tcp::acceptor m_cluster_acceptor;
    asio::ip::tcp::acceptor m_ingress_acceptor;
    AcceptPacer m_cluster_pacer;  // failed accepts retried after a pause (links.h)
    AcceptPacer m_ingress_pacer;
    asio::steady_timer m_heartbeat_timer;
    std::uint16_t m_cluster_port = 0;
    std::uint16_t m_ingress_port = 0;
    std::atomic<std::uint64_t> m_next_conn{1};
    ConnectionSlots m_client_slots;  // net.max_client_connections
    std::atomic<std::uint64_t> m_client_connections_refused{0};
    std::uint64_t m_client_refusal_streak = 0;  // the ingress acceptor's handler only
    std::shared_ptr<HttpServer> m_http;
    NodeMetrics m_metrics;  // engine strand only

    // Engine strand only:
    std::map<std::uint64_t, Link> m_links;
    std::map<protocol::PreExecutorId, std::uint64_t> m_link_of;
    std::map<std::uint64_t, Client> m_clients;
    // Keyed by transaction digests (BLAKE2b: uniform, not chosen by a client), looked up once
    // or twice per submission: hashed, not ordered.
    std::unordered_map<Digest, Pending, common::Hash256Hasher> m_pending;
    std::unordered_map<Digest, executor::ExecutionSummary, common::Hash256Hasher>
        m_summaries;  // recent committed, bounded
    std::deque<Digest> m_summary_order;
    Ordered m_batch;
    std::uint64_t m_batch_generation = 0;
    std::uint32_t m_in_consensus = 0;
    std::deque<Ordered> m_ordered;
    std::unique_ptr<OrderedLog> m_ordered_log;  // every ordered batch, durable before it applies
    // Its one writer: appends (in cut order) and prunes, off the engine strand. Declared after
    // the log and the io_context, so that it is stopped and joined before either goes.
    asio::thread_pool m_log_pool{1};
    std::uint64_t m_next_commit_index = 0;  // engine strand: the commit the next batch cut becomes
    std::uint64_t m_replayed_batches = 0;
    std::optional<Clock::time_point> m_wait_deadline;
    bool m_poll_scheduled = false;
    bool m_stopping = false;
    bool m_stopped = false;
    Status m_error;
    // Counters for node-stats.json.
    std::uint64_t m_admitted = 0;
    std::uint64_t m_duplicates = 0;
    std::uint64_t m_refused = 0;
    std::uint64_t m_links_refused = 0;
    std::uint64_t m_committed_txs = 0;
    std::uint64_t m_orders_sent = 0;
    std::uint64_t m_results_relayed = 0;
    std::uint64_t m_snapshots_served = 0;
    std::map<std::uint32_t, PrimaryNodeFigures::Departed> m_departed;  // by pre-executor id
    std::optional<SnapshotPolicy> m_snapshot_policy;                   // engine strand only
    std::uint64_t m_snapshots_taken = 0;
    std::uint64_t m_snapshots_failed = 0;
    std::map<std::string, std::uint64_t> m_refused_by_reason;
};

// --- Start-up ----------------------------------------------------------------------------------

net::SessionOptions PrimaryNode::Impl::session_options(bool cluster) const {
    net::SessionOptions options;
    options.idle_timeout = std::chrono::milliseconds(m_config.net.idle_timeout_ms);
    // Transactions to pre-executors share writes; clients get their summaries at once (a
    // commit's summaries are sent together anyway).
    if (cluster) {
        options.coalesce_delay = std::chrono::microseconds(m_config.net.coalesce_us);
    } else {
        // Clients' submissions come one frame per write; a read after the delay takes them all.
        options.read_delay = std::chrono::microseconds(m_config.net.ingress_read_delay_us);
    }
    return options;
}

Status PrimaryNode::Impl::bind() {
    auto bind_one = [this](asio::ip::tcp::acceptor& acceptor, std::uint16_t port,
                           const char* what) -> Result<std::uint16_t> {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(m_config.net.listen, ec);
        if (ec) {
            return Status{Code::kInvalidArgument,
                          "net.listen: '" + m_config.net.listen + "' is not an IP address"};
        }
        asio::ip::tcp::endpoint endpoint(address, port);
        acceptor.open(endpoint.protocol(), ec);
        if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor.bind(endpoint, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            return Status{Code::kIoError, std::string("cannot listen for the ") + what + " on " +
                                              m_config.net.listen + ":" + std::to_string(port) +
                                              ": " + ec.message()};
        }
        return acceptor.local_endpoint().port();
    };
    auto cluster = bind_one(m_cluster_acceptor, m_config.net.cluster_port, "cluster port");
    if (!cluster) return cluster.status();
    m_cluster_port = *cluster;
    auto ingress = bind_one(m_ingress_acceptor, m_config.net.ingress_port, "ingress port");
    if (!ingress) return ingress.status();
    m_ingress_port = *ingress;
    if (m_config.metrics.enabled) {
        auto http = HttpServer::start(
            m_io, m_config.net.listen, m_config.metrics.port,
            [this](const std::string& target, std::function<void(HttpAnswer)> answer) {
                serve_http(target, std::move(answer));
            });
        if (!http) return http.status();
        m_http = std::move(http).value();
    }
    return Status::ok();
}

Status PrimaryNode::Impl::run() {
    REMORA_RETURN_IF_ERROR(m_store->resume_compactions());
    accept_cluster();
    accept_ingress();
    asio::post(m_engine, [this] { heartbeat(); });
    nlohmann::ordered_json info = {{"role", "primary"},
                                   {"pid", static_cast<long>(::getpid())},
                                   {"listen", m_config.net.listen},
                                   {"cluster_port", m_cluster_port},
                                   {"ingress_port", m_ingress_port},
                                   {"metrics_port", m_http ? m_http->port() : 0},
                                   {"applied_commit", m_store->status().applied_commit}};
    REMORA_RETURN_IF_ERROR(write_json_file(node_info_path(m_config.dir), info));
    log_info("primary listening: cluster " + m_config.net.listen + ":" +
             std::to_string(m_cluster_port) +
             (m_cluster_security->is_tls() ? " (mutual TLS)" : "") + ", ingress " +
             m_config.net.listen + ":" + std::to_string(m_ingress_port) + "; store at commit " +
             std::to_string(m_store->status().applied_commit));
    // The engine runs on these threads and reads and writes the store; nothing reads RocksDB's
    // per-thread counters here.
    std::vector<std::thread> threads;
    for (std::uint32_t i = 1; i < m_config.net.io_threads; ++i) {
        threads.emplace_back([this] {
            storage::disable_rocksdb_counters_on_this_thread();
            m_io.run();
        });
    }
    storage::disable_rocksdb_counters_on_this_thread();
    m_io.run();
    for (auto& thread : threads) thread.join();
    m_log_pool.join();  // appends and prunes still queued finish (nothing waits for them now)
    write_stats();
    return m_error;
}

void PrimaryNode::Impl::accept_cluster() {
    m_cluster_acceptor.async_accept(
        [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
            if (ec) {
                m_cluster_pacer.failed(ec, [this] { accept_cluster(); });
                return;
            }
            m_cluster_pacer.accepted();
            const std::uint64_t conn = m_next_conn++;
            m_cluster_security->secure(
                std::move(socket), std::chrono::milliseconds(m_config.net.handshake_timeout_ms),
                session_options(true),
                [this, conn](net::Frame frame) {
                    asio::post(m_engine, [this, conn, frame = std::move(frame)]() mutable {
                        on_cluster_frame(conn, frame);
                    });
                },
                [this, conn](const Status& reason) {
                    asio::post(m_engine, [this, conn, reason] { on_cluster_closed(conn, reason); });
                },
                [this, conn](Result<SecuredLink> link) {
                    if (!link) {
                        log_warn("cluster connection refused: " + link.status().message());
                        asio::post(m_engine, [this] { ++m_links_refused; });
                        return;
                    }
                    asio::post(m_engine, [this, conn, link = std::move(link).value()]() mutable {
                        attach(conn, link, m_links);
                    });
                });
            accept_cluster();
        });
}

void PrimaryNode::Impl::accept_ingress() {
    m_ingress_acceptor.async_accept(
        [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
            if (ec) {
                m_ingress_pacer.failed(ec, [this] { accept_ingress(); });
                return;
            }
            m_ingress_pacer.accepted();
            // The connection counts until everything holding its session is gone (the ticket
            // rides in its close handler), whichever way it ends.
            auto ticket = m_client_slots.take();
            if (!ticket) {
                refuse_client_connection(std::move(socket));
                accept_ingress();
                return;
            }
            if (m_client_refusal_streak != 0) {
                log_info("ingress accepting clients again after " +
                         std::to_string(m_client_refusal_streak) +
                         " connections refused at net.max_client_connections");
                m_client_refusal_streak = 0;
            }
            const std::uint64_t conn = m_next_conn++;
            m_ingress_security->secure(
                std::move(socket), std::chrono::milliseconds(m_config.net.handshake_timeout_ms),
                session_options(false),
                [this, conn](net::Frame frame) {
                    asio::post(m_engine, [this, conn, frame = std::move(frame)]() mutable {
                        on_client_frame(conn, frame);
                    });
                },
                [this, conn, ticket = std::move(ticket)](const Status& reason) {
                    asio::post(m_engine, [this, conn, reason] { on_client_closed(conn, reason); });
                },
                [this, conn](Result<SecuredLink> link) {
                    if (!link) return;
                    asio::post(m_engine, [this, conn, link = std::move(link).value()]() mutable {
                        attach(conn, link, m_clients);
                    });
                });
            accept_ingress();
        });
}

void PrimaryNode::Impl::refuse_client_connection(asio::ip::tcp::socket socket) {
    ++m_client_connections_refused;
    if (m_client_refusal_streak++ == 0) {
        boost::system::error_code ec;
        const auto peer = socket.remote_endpoint(ec);
        log_warn("ingress connection " +
                 (ec ? std::string("(address unknown)")
                     : peer.address().to_string() + ":" + std::to_string(peer.port())) +
                 " refused: " + std::to_string(m_client_slots.limit()) +
                 " client connections are open (net.max_client_connections); refusing new ones "
                 "until one closes");
    }
    boost::system::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

template <typename Map>
void PrimaryNode::Impl::attach(std::uint64_t conn, const SecuredLink& link, Map& map) {
    if (m_stopping) {
        link.session->close(Status{Code::kUnsupported, "the node is stopping"});
        return;
    }
    auto& entry = map[conn];
    entry.session = link.session;
    if constexpr (std::is_same_v<Map, std::map<std::uint64_t, Link>>) entry.peer = link.peer_name;
    link.session->start();
}

// --- The cluster port ------------------------------------------------------------------------

void PrimaryNode::Impl::on_cluster_frame(std::uint64_t conn, const net::Frame& frame) {
    auto it = m_links.find(conn);
    if (it == m_links.end()) return;  // closed meanwhile
    Link& link = it->second;
    if (link.closing) return;  // frames that were on their way when it was dropped
    link.last_seen = Clock::now();
    Status status = handle_cluster_frame(conn, link, frame);
    if (!status.is_ok() && m_error.is_ok()) {
        // The peer's fault: it is cut off with the reason, everyone else goes on.
        const std::string who =
            link.id != 0 ? "pre-executor " + std::to_string(link.id) : link.session->peer();
        log_warn("closing cluster link of " + who + ": " + status.message());
        drop_link(conn, status);
    }
}

Status PrimaryNode::Impl::handle_cluster_frame(std::uint64_t conn, Link& link,
                                               const net::Frame& frame) {
    const auto type = static_cast<MessageType>(frame.type);
    if (!link.hello) {
        if (type != MessageType::kHello) {
            return {Code::kInvalidArgument,
                    std::string("expected hello first, got ") + net::message_type_name(frame.type)};
        }
        return handle_hello(conn, link, frame);
    }
    switch (type) {
        case MessageType::kHeartbeat: {
            auto heartbeat = net::decode_heartbeat(frame.body);
            return heartbeat ? Status::ok() : heartbeat.status();
        }
        case MessageType::kSnapshotRequest: {
            auto request = net::decode_snapshot_request(frame.body);
            if (!request) return request.status();
            auto offer = m_snapshots.offer(*m_store, request->resume_commit);
            if (!offer) {
                log_error("cannot offer a snapshot: " + offer.status().message());
                return Status{Code::kIoError, "no snapshot to offer: " + offer.status().message()};
            }
            ++m_snapshots_served;
            log_info("pre-executor " + std::to_string(link.id) + " bootstraps from snapshot " +
                     std::to_string(offer->commit_index));
            link.session->send(net::wire_type(MessageType::kSnapshotOffer),
                               net::encode_snapshot_offer(*offer));
            return Status::ok();
        }
        case MessageType::kSnapshotChunkRequest: {
            auto request = net::decode_snapshot_chunk_request(frame.body);
            if (!request) return request.status();
            auto chunk = m_snapshots.chunk(*request);
            if (!chunk) {
                if (chunk.status().code() == Code::kNotFound) {
                    // Superseded: offer the current one instead.
                    auto offer = m_snapshots.offer(*m_store, 0);
                    if (!offer) return offer.status();
                    link.session->send(net::wire_type(MessageType::kSnapshotOffer),
                                       net::encode_snapshot_offer(*offer));
                    return Status::ok();
                }
                return chunk.status();
            }
            link.session->send(net::wire_type(MessageType::kSnapshotChunk),
                               net::encode_snapshot_chunk(*chunk));
            return Status::ok();
        }
        case MessageType::kStateUpdateAck: {
            auto ack = net::decode_state_update_ack(frame.body);
            if (!ack) return ack.status();
            if (ack->pre_executor != link.id) {
                return {Code::kInvalidArgument,
                        "an acknowledgement for pre-executor " + std::to_string(ack->pre_executor)};
            }
            if (!link.joined) return join(link, ack->caught_up_commit);
            return m_primary.acknowledge(*ack);
        }
        case MessageType::kPreExecResult: {
            if (!link.joined) return {Code::kInvalidArgument, "a result before joining"};
            // Validated once, by Primary::submit (validate_pre_exec_result), before it is relayed
            // or acted on.
            auto result = net::decode_pre_exec_result_for_submit(frame.body);
            if (!result) return result.status();
            if (result->pre_executor != link.id) {
                return {Code::kInvalidArgument,
                        "a result signed as pre-executor " + std::to_string(result->pre_executor)};
            }
            if (link.outstanding > 0) --link.outstanding;
            m_balancer.report_outstanding(link.id, link.outstanding);
            const bool relayed =
                m_config.primary.relay_results && result->effects.status.is_success();
            auto submitted = m_primary.submit(std::move(result).value());
            if (!submitted) return submitted.status();
            if (relayed) relay(link.id, frame.body);
            return Status::ok();
        }
        default:
            return {Code::kInvalidArgument,
                    std::string("message '") + net::message_type_name(frame.type) + "' (type " +
                        std::to_string(frame.type) + ") has no business on the cluster port"};
    }
}

Status PrimaryNode::Impl::handle_hello(std::uint64_t conn, Link& link, const net::Frame& frame) {
    auto hello = net::decode_hello(frame.body);
    if (!hello) return hello.status();
    auto version = net::negotiate_version(my_hello(), *hello);
    if (!version) return version.status();
    if (hello->role != net::NodeRole::kPreExecutor) {
        return {Code::kInvalidArgument,
                std::string("the cluster port takes pre-executors, not a ") +
                    net::node_role_name(hello->role)};
    }
    if (hello->node_id == 0) {
        return {Code::kInvalidArgument, "a pre-executor hello with id 0 (ids start at 1)"};
    }
    if (hello->executor != executor::executor_identity()) {
        return {Code::kFormatVersion, "the pre-executor runs another executor (rules version " +
                                          std::to_string(hello->executor.rules_version) +
                                          "): its results would miss"};
    }
    if (m_cluster_security->is_tls() &&
        link.peer != "pre-executor-" + std::to_string(hello->node_id)) {
        return {Code::kInvalidArgument, "certificate '" + link.peer +
                                            "' may not speak as pre-executor " +
                                            std::to_string(hello->node_id)};
    }
    if (m_link_of.count(hello->node_id) != 0) {
        return {Code::kAlreadyExists,
                "pre-executor " + std::to_string(hello->node_id) + " is already connected"};
    }
    if (*version >= net::kPeerLinksVersion && hello->peer_port != 0) {
        // Where its peer links listen; no host: the address its link comes from.
        const std::string from = link.session->peer();
        std::string host =
            hello->peer_host.empty() ? from.substr(0, from.rfind(':')) : hello->peer_host;
        boost::system::error_code ec;
        asio::ip::make_address(host, ec);
        if (ec) {
            return {Code::kInvalidArgument, "hello.peer_host '" + host + "' is not an IP address"};
        }
        link.peer_host = std::move(host);
        link.peer_port = hello->peer_port;
    }
    link.hello = true;
    link.id = hello->node_id;
    link.version = *version;
    m_link_of[link.id] = conn;
    link.session->send(net::wire_type(MessageType::kHello), net::encode_hello(my_hello()));
    log_info("pre-executor " + std::to_string(link.id) + " connected from " + link.session->peer());
    return Status::ok();
}

Status PrimaryNode::Impl::join(Link& link, common::CommitIndex caught_up) {
    const common::CommitIndex applied = m_store->status().applied_commit;
    if (caught_up == 0 || caught_up > applied) {
        return {Code::kInvalidArgument, "joins at commit " + std::to_string(caught_up) +
                                            " but the primary is at " + std::to_string(applied)};
    }
    REMORA_RETURN_IF_ERROR(m_primary.add_pre_executor(link.id, caught_up));
    REMORA_RETURN_IF_ERROR(m_balancer.add(link.id));
    link.joined = true;
    if (link.peer_port != 0) send_membership();
    log_info("pre-executor " + std::to_string(link.id) + " joined at commit " +
             std::to_string(caught_up) + " (primary at " + std::to_string(applied) + "); " +
             std::to_string(m_balancer.live().size()) + " live");
    if (caught_up < applied) {
        auto update = m_primary.make_state_update(link.id);
        if (!update) return update.status();
        send_state_update(link, *update);
    }
    return Status::ok();
}

// A catch-up update always fits one frame (net/limits.h checks the builder's bounds); a routed
// one carries what one commit wrote, which may not. It is a hint: one too large is not sent
// (the pre-executor then misses, and a catch-up follows).
void PrimaryNode::Impl::send_state_update(Link& link, const protocol::StateUpdate& update) {
    common::Bytes bytes = net::encode_state_update(update);
    if (bytes.size() > net::limits::kFrameBodyBytesMax) {
        log_warn("a state update for pre-executor " + std::to_string(update.pre_executor) + " of " +
                 std::to_string(bytes.size()) + " bytes exceeds a frame; not sent");
        return;
    }
    link.session->send(net::wire_type(MessageType::kStateUpdate), bytes);
}

void PrimaryNode::Impl::on_cluster_closed(std::uint64_t conn, const Status& reason) {
    auto it = m_links.find(conn);
    if (it == m_links.end()) return;
    Link& link = it->second;
    if (!link.joined && !link.closing && !reason.is_ok()) {
        // Closed by the session before the link joined (a joined one's leave is logged below):
        // a framing error, an idle or stalled peer, a reset, or the peer's own close.
        log_warn("cluster link of " +
                 (link.id != 0 ? "pre-executor " + std::to_string(link.id) : link.session->peer()) +
                 " closed: " + reason.message());
    }
    if (link.id != 0) {
        if (link.joined) {
            (void)m_balancer.remove(link.id);
            keep_departed_totals(link.id);
            (void)m_primary.remove_pre_executor(link.id);
            log_info("pre-executor " + std::to_string(link.id) + " left (" +
                     (reason.is_ok() ? std::string("closed here") : reason.message()) + "); " +
                     std::to_string(m_balancer.live().size()) + " live");
        }
        m_link_of.erase(link.id);
    }
    const bool member = link.joined && link.peer_port != 0;
    m_links.erase(it);
    if (member && !m_stopping) send_membership();
    maybe_finish_stop();
}

void PrimaryNode::Impl::drop_link(std::uint64_t conn, Status reason) {
    auto it = m_links.find(conn);
    if (it == m_links.end()) return;
    it->second.closing = true;  // every caller logged why
    it->second.session->close(std::move(reason));
}

void PrimaryNode::Impl::heartbeat() {
    if (m_stopped) return;
    const auto now = Clock::now();
    const auto timeout = std::chrono::milliseconds(m_config.cluster.peer_timeout_ms);
    const net::Heartbeat beat{m_store->status().applied_commit};
    const common::Bytes body = net::encode_heartbeat(beat);
    std::vector<std::uint64_t> silent;
    for (auto& [conn, link] : m_links) {
        if (!link.hello) continue;
        if (now - link.last_seen > timeout) {
            silent.push_back(conn);
            continue;
        }
        link.session->send(net::wire_type(MessageType::kHeartbeat), body);
    }
    for (std::uint64_t conn : silent) {
        const Link& link = m_links.at(conn);
        log_warn("pre-executor " + std::to_string(link.id) + " silent for more than " +
                 std::to_string(m_config.cluster.peer_timeout_ms) + " ms: removed");
        drop_link(conn, Status{Code::kIoError, "silent past cluster.peer_timeout_ms"});
    }
    m_heartbeat_timer.expires_after(std::chrono::milliseconds(m_config.cluster.heartbeat_ms));
    m_heartbeat_timer.async_wait(
        asio::bind_executor(m_engine, [this](boost::system::error_code ec) {
            if (!ec) heartbeat();
        }));
}

// --- The ingress port ------------------------------------------------------------------------

void PrimaryNode::Impl::on_client_frame(std::uint64_t conn, net::Frame& frame) {
    auto it = m_clients.find(conn);
    if (it == m_clients.end()) return;
    Client& client = it->second;
    if (client.closing) return;  // frames that were on their way when it was closed
    const auto type = static_cast<MessageType>(frame.type);
    if (!client.hello) {
        Status problem;
        if (type != MessageType::kHello) {
            problem = {Code::kInvalidArgument, std::string("expected hello first, got ") +
                                                   net::message_type_name(frame.type)};
        } else if (auto hello = net::decode_hello(frame.body); !hello) {
            problem = hello.status();
        } else if (auto version = net::negotiate_version(my_hello(), *hello); !version) {
            problem = version.status();
        } else if (hello->role != net::NodeRole::kClient) {
            problem = {Code::kInvalidArgument,
                       std::string("the ingress port takes clients, not a ") +
                           net::node_role_name(hello->role)};
        }
        if (!problem.is_ok()) {
            log_warn("closing client " + client.session->peer() + ": " + problem.message());
            client.closing = true;
            client.session->close(problem);
            return;
        }
        client.hello = true;
        client.session->send(net::wire_type(MessageType::kHello), net::encode_hello(my_hello()));
        return;
    }
    if (type != MessageType::kSubmitTransaction) {
        refuse(client, Digest{}, net::RefusalReason::kWrongRole,
               std::string("message '") + net::message_type_name(frame.type) + "' (type " +
                   std::to_string(frame.type) + ") has no business on the ingress port");
        log_warn("closing client " + client.session->peer() + ": sent " +
                 net::message_type_name(frame.type));
        client.closing = true;
        client.session->close_after_flush(
            Status{Code::kInvalidArgument, "wrong message on ingress"});
        return;
    }
    handle_submit(conn, client, frame);
}

void PrimaryNode::Impl::refuse(Client& client, const Digest& digest, net::RefusalReason reason,
                               std::string message) {
    ++m_refused;
    ++m_refused_by_reason[net::refusal_reason_name(reason)];
    if (reason == net::RefusalReason::kMalformed || reason == net::RefusalReason::kInvalid) {
        // The client's fault (not the node's state, as overloaded or stopping are): say which.
        log_warn("refused a submission from client " + client.session->peer() + " (" +
                 net::refusal_reason_name(reason) + "): " + message);
    }
    client.session->send(net::wire_type(MessageType::kSubmitRefused),
                         net::encode_submit_refused({digest, reason, std::move(message)}));
}

void PrimaryNode::Impl::handle_submit(std::uint64_t conn, Client& client, net::Frame& frame) {
    // decode_transaction checks every field and validate_transaction (a transaction that breaks
    // the rules is malformed): the transaction is not validated again here.
    auto tx = executor::decode_transaction(frame.body);
    if (!tx) {
        refuse(client, Digest{}, net::RefusalReason::kMalformed, tx.status().message());
        return;
    }
    const Digest digest = executor::transaction_digest(*tx);
    if (auto it = m_pending.find(digest); it != m_pending.end()) {
        ++m_duplicates;
        it->second.waiters.push_back(conn);
        return;
    }
    if (auto it = m_summaries.find(digest); it != m_summaries.end()) {
        ++m_duplicates;
        send_summary(conn, it->second);
        return;
    }
    if (m_stopping) {
        refuse(client, digest, net::RefusalReason::kShuttingDown, "the node is stopping");
        return;
    }
    // A transaction committed longer ago than the cache remembers is admitted like a new one:
    // the commit rules rule it out as a duplicate without executing it (one index lookup, in
    // the commit, instead of one per submission here), and its waiters get the original
    // summary from the store (process()).
    if (m_pending.size() >= m_config.primary.pending_txs_max) {
        refuse(client, digest, net::RefusalReason::kOverloaded,
               "primary.pending_txs_max (" + std::to_string(m_config.primary.pending_txs_max) +
                   ") transactions are waiting to be committed");
        return;
    }
    m_pending[digest].waiters.push_back(conn);
    admit(std::move(tx).value(), digest, std::move(frame.body));
}

Result<std::optional<executor::ExecutionSummary>> PrimaryNode::Impl::committed_summary(
    const Digest& digest) {
    auto found = m_store->find_transaction(digest);
    if (!found) {
        if (found.status().code() == Code::kNotFound) {
            return std::optional<executor::ExecutionSummary>();
        }
        return found.status();
    }
    auto record = m_store->read_commit(found->first);
    if (!record) return record.status();
    auto body = executor::decode_commit_body(record->body);
    if (!body) return body.status();
    if (found->second >= body->transactions.size()) {
        return Status{Code::kCorruption, "the transaction index names position " +
                                             std::to_string(found->second) + " of commit " +
                                             std::to_string(found->first)};
    }
    const executor::Effects& effects = body->transactions[found->second].effects;
    executor::ExecutionSummary summary;
    summary.timestamp = {found->first, found->second};
    summary.tx_digest = digest;
    summary.status = effects.status;
    summary.gas_used = effects.gas_used;
    summary.effects_digest = executor::effects_digest(effects);
    return std::optional<executor::ExecutionSummary>(summary);
}

void PrimaryNode::Impl::send_summary(std::uint64_t conn,
                                     const executor::ExecutionSummary& summary) {
    auto it = m_clients.find(conn);
    if (it == m_clients.end()) return;
    it->second.session->send(net::wire_type(MessageType::kExecutionSummary),
                             executor::encode_anoma_message(summary));
}

void PrimaryNode::Impl::on_client_closed(std::uint64_t conn, const Status& reason) {
    auto it = m_clients.find(conn);
    if (it != m_clients.end() && !it->second.closing && !reason.is_ok()) {
        // Closed by the session: a framing error, an idle or stalled peer, a reset, or the peer's
        // own close. The reason names the peer.
        const std::string line =
            "client " + it->second.session->peer() + " closed: " + reason.message();
        reason.code() == Code::kCorruption ? log_warn(line) : log_info(line);
    }
    m_clients.erase(conn);
    maybe_finish_stop();
}

// --- Sequencer and commits ---------------------------------------------------------------------

void PrimaryNode::Impl::admit(Transaction tx, const Digest& digest, common::Bytes submitted) {
    ++m_admitted;
    if (auto id = m_balancer.route(tx)) {
        m_primary.note_routed(digest, *id);
        Link& link = m_links.at(m_link_of.at(*id));
        if (link.version >= net::kConvergenceVersion) {
            // The client's bytes as they came (decoded and validated above): nothing re-encoded.
            link.session->send(net::wire_type(MessageType::kForwardTransaction),
                               net::encode_forward_transaction(submitted));
        } else {
            executor::ExecuteTransaction execute;
            execute.executable = std::move(tx);  // encoded, then taken back: no copy
            link.session->send(net::wire_type(MessageType::kExecuteTransaction),
                               executor::encode_anoma_message(execute));
            tx = std::move(execute.executable);
        }
        m_balancer.report_outstanding(*id, ++link.outstanding);
    }
    m_batch.txs.push_back(std::move(tx));
    m_batch.digests.push_back(digest);
    m_batch.submitted.push_back(std::move(submitted));
    if (m_batch.txs.size() >= m_config.sequencer.batch_txs) {
        cut_batch();
        return;
    }
    if (m_batch.txs.size() == 1) {
        auto timer = std::make_shared<asio::steady_timer>(m_io);
        timer->expires_after(std::chrono::milliseconds(m_config.sequencer.batch_timeout_ms));
        timer->async_wait(asio::bind_executor(
            m_engine, [this, timer, generation = m_batch_generation](boost::system::error_code) {
                if (generation == m_batch_generation && !m_batch.txs.empty()) cut_batch();
            }));
    }
}

void PrimaryNode::Impl::cut_batch() {
    ++m_batch_generation;
    auto batch = std::make_shared<Ordered>(std::move(m_batch));
    m_batch = Ordered{};
    batch->commit_index = m_next_commit_index++;
    if (m_config.sequencer.tentative_order) send_tentative_order(*batch);
    ++m_in_consensus;
    // The batch's order is taken here: it is logged (durable under primary.sync) on the log
    // thread while consensus runs, and applied only once both are done (docs/node.md, "The
    // ordered-batch log"). One log thread appends in cut order, and the delays expire in cut
    // order, so batches reach m_ordered in cut order.
    asio::post(m_log_pool, [this, batch] {
        // The clients' bytes: the same log bytes as encoding `txs` would give for a client that
        // encodes canonically, without the encoding (ordered_log_test compares them).
        Status logged = m_ordered_log->append(batch->commit_index, batch->submitted);
        asio::post(m_engine, [this, batch, logged = std::move(logged)] {
            batch->logged = true;
            std::vector<common::Bytes>().swap(batch->submitted);
            if (!logged) fail(logged.with_context("logging an ordered batch"));
            on_batch_progress(batch);
        });
    });
    auto timer = std::make_shared<asio::steady_timer>(m_io);
    timer->expires_after(std::chrono::milliseconds(m_config.sequencer.consensus_delay_ms));
    timer->async_wait(
        asio::bind_executor(m_engine, [this, timer, batch](boost::system::error_code) {
            batch->consensus_done = true;
            on_batch_progress(batch);
        }));
}

void PrimaryNode::Impl::on_batch_progress(const std::shared_ptr<Ordered>& batch) {
    if (!batch->logged || !batch->consensus_done) return;
    --m_in_consensus;
    if (!m_error.is_ok()) {  // stopping on a failure: nothing more is applied
        maybe_finish_stop();
        return;
    }
    batch->ordered_at = Clock::now();
    m_ordered.push_back(std::move(*batch));
    try_process();
}

// The embedded sequencer's order is final when it cuts a batch: the pre-executors learn it now,
// a consensus delay before the commit, and re-execute their results in it
// (docs/remora_protocol.md, "Convergence: the tentative order"). The commit the batch becomes
// also numbers it, so positions keep increasing across a restart of the primary.
void PrimaryNode::Impl::send_tentative_order(const Ordered& batch) {
    protocol::TentativeOrder order;
    order.commit = batch.commit_index;
    order.batch = order.commit;
    order.txs = batch.digests;
    common::Bytes body;
    for (auto& [conn, link] : m_links) {
        if (!link.joined || link.closing || link.version < net::kConvergenceVersion) continue;
        if (body.empty()) body = net::encode_tentative_order(order);
        link.session->send(net::wire_type(MessageType::kTentativeOrder), body);
        ++m_orders_sent;
    }
}

// Peer forwarding through the primary: a result's bytes, as received (decoded, and validated by
// Primary::submit, already), go on to every other joined pre-executor, which takes its effects into
// its speculative state (PreExecutor::apply_peer_effects, digest recomputed there) and re-checks
// what they contradict. Safety does not rest on them: what is read from a relayed write is
// adopted only if its writer commits with exactly those effects.
// Between two pre-executors that both take peer links nothing is relayed: the sender forwards
// over its own link (docs/node.md, "Peer links").
void PrimaryNode::Impl::relay(protocol::PreExecutorId from, common::ByteView result_body) {
    const bool sender_peers = m_links.at(m_link_of.at(from)).peer_port != 0;
    for (auto& [conn, link] : m_links) {
        if (link.id == from || !link.joined || link.closing ||
            link.version < net::kConvergenceVersion || (sender_peers && link.peer_port != 0)) {
            continue;
        }
        link.session->send(net::wire_type(MessageType::kRelayedResult), result_body);
        ++m_results_relayed;
    }
}

// The pre-executors that take peer links, to each of them: when one joins or leaves
// (docs/node.md, "Peer links"). A pre-executor dials the members above its id and accepts the
// ones below.
void PrimaryNode::Impl::send_membership() {
    net::Membership membership;
    for (const auto& [id, conn] : m_link_of) {
        const Link& link = m_links.at(conn);
        if (link.joined && !link.closing && link.peer_port != 0) {
            membership.members.push_back({id, link.peer_host, link.peer_port});
        }
    }
    if (membership.members.size() > net::kMembershipMembersMax) {
        membership.members.resize(net::kMembershipMembersMax);
    }
    const common::Bytes body = net::encode_membership(membership);
    for (auto& [conn, link] : m_links) {
        if (link.joined && !link.closing && link.peer_port != 0) {
            link.session->send(net::wire_type(MessageType::kMembership), body);
        }
    }
}

void PrimaryNode::Impl::try_process() {
    while (m_error.is_ok() && !m_ordered.empty()) {
        Ordered& batch = m_ordered.front();
        const auto now = Clock::now();
        if (m_config.primary.late_wait_ms > 0 && !m_balancer.live().empty() &&
            m_primary.missing_result_count(batch.digests) > 0) {
            if (!m_wait_deadline) {
                m_wait_deadline = now + std::chrono::milliseconds(m_config.primary.late_wait_ms);
            }
            if (now < *m_wait_deadline) {
                if (!m_poll_scheduled) {
                    m_poll_scheduled = true;
                    auto timer = std::make_shared<asio::steady_timer>(m_io);
                    timer->expires_at(
                        std::min(now + std::chrono::milliseconds(1), *m_wait_deadline));
                    timer->async_wait(
                        asio::bind_executor(m_engine, [this, timer](boost::system::error_code) {
                            m_poll_scheduled = false;
                            try_process();
                        }));
                }
                return;
            }
        }
        m_wait_deadline.reset();
        REMORA_FAULT_POINT("primary.ordered.before_apply");
        if (Status s = process(batch); !s) {
            fail(is_poisoning(s) ? poison(batch, s) : s);
            return;
        }
        m_ordered.pop_front();
        if (m_snapshot_policy && m_snapshot_policy->due(m_store->status().applied_commit)) {
            take_snapshot("every " + std::to_string(m_config.snapshot.every_commits) + " commits");
        }
    }
    maybe_finish_stop();
}

// Before serving: the batches the last run ordered and logged but did not apply are applied
// now, in their order and at their commits, as that run would have (docs/node.md, "The
// ordered-batch log"). Their clients were never answered; a resubmission gets the summary.
Status PrimaryNode::Impl::replay(std::unique_ptr<OrderedLog> log,
                                 std::vector<OrderedRecord> unapplied) {
    m_ordered_log = std::move(log);
    m_next_commit_index = m_ordered_log->next_index();
    if (unapplied.empty()) return Status::ok();
    const std::uint64_t first = unapplied.front().commit_index;
    for (OrderedRecord& record : unapplied) {
        Ordered batch;
        batch.commit_index = record.commit_index;
        batch.ordered_at = Clock::now();
        for (const common::Bytes& bytes : record.transactions) {
            auto tx = executor::decode_transaction(bytes);
            if (!tx) {
                return {Code::kCorruption,
                        "the ordered-batch log's batch for commit " +
                            std::to_string(record.commit_index) +
                            " holds a transaction that does not decode: " + tx.status().message()};
            }
            batch.digests.push_back(executor::transaction_digest(*tx));
            batch.txs.push_back(std::move(tx).value());
        }
        if (Status s = process(batch); !s) return is_poisoning(s) ? poison(batch, s) : s;
        ++m_replayed_batches;
    }
    log_info("replayed " + std::to_string(unapplied.size()) +
             " ordered batches the last run logged but had not applied (commits " +
             std::to_string(first) + ".." + std::to_string(unapplied.back().commit_index) + ")");
    return Status::ok();
}

Status PrimaryNode::Impl::process(Ordered& batch) {
    const auto started = Clock::now();
    auto commit = execute_commit(batch);
    if (!commit) return commit.status();
    if (const std::uint64_t applied = m_store->status().applied_commit;
        applied != batch.commit_index) {
        return {Code::kInternal, "ordered batch for commit " + std::to_string(batch.commit_index) +
                                     " became commit " + std::to_string(applied)};
    }
    asio::post(m_log_pool, [this, applied = batch.commit_index] {
        if (Status pruned = m_ordered_log->prune(applied); !pruned) {
            log_warn("the ordered-batch log: " + pruned.message());  // a file stays longer
        }
    });
    m_metrics.observe_commit(std::chrono::duration<double>(Clock::now() - started).count(),
                             batch.txs.size());
    m_committed_txs += batch.txs.size();
    // Contention-following routing: these transactions are no longer in flight.
    for (const Transaction& tx : batch.txs) m_balancer.complete(tx);
    for (const executor::ExecutionSummary& ordered : commit->summaries) {
        const executor::ExecutionSummary* summary = &ordered;
        std::optional<executor::ExecutionSummary> original;
        if (ordered.status.code == executor::AbortCode::kDuplicate) {
            // Ruled out, not executed: its submitters get the summary of the execution.
            auto found = committed_summary(ordered.tx_digest);
            if (!found) return found.status();
            if (*found) {
                ++m_duplicates;
                original = std::move(*found);
                summary = &*original;
            }
        }
        auto it = m_pending.find(summary->tx_digest);
        if (it != m_pending.end()) {
            for (std::uint64_t conn : it->second.waiters) send_summary(conn, *summary);
            m_pending.erase(it);
        }
        remember(*summary);
    }
    for (const protocol::StateUpdate& update : commit->state_updates) {
        auto it = m_link_of.find(update.pre_executor);
        if (it == m_link_of.end()) continue;
        send_state_update(m_links.at(it->second), update);
        REMORA_FAULT_POINT("primary.state_update.mid_push");
    }
    return Status::ok();
}

// process_commit with what escapes it as kInternal: an exception out of execution or the store
// is a fatal failure of this commit (docs/node.md, "A transaction that fails execution fatally").
Result<protocol::PrimaryCommit> PrimaryNode::Impl::execute_commit(const Ordered& batch) {
    if (REMORA_FAULT_POINT_FIRES("primary.commit.internal_error")) {
        return Status{Code::kInternal, "fault point primary.commit.internal_error fired"};
    }
    try {
        // The digests admission computed from these very transactions (admit()).
        return m_primary.process_commit(batch.txs, batch.digests);
    } catch (const std::exception& e) {
        return Status{Code::kInternal, std::string("an exception while executing: ") + e.what()};
    } catch (...) {
        return Status{Code::kInternal, "an unknown exception while executing"};
    }
}

// Records the poison marker of `batch` (node/poison_marker.h) and says which transactions; the
// node then stops, and `remora-node run` exits 70 now and at every start until it is removed.
Status PrimaryNode::Impl::poison(const Ordered& batch, const Status& failure) {
    PoisonMarker marker;
    marker.commit_index = m_store->status().applied_commit + 1;
    marker.tx_digests = batch.digests;
    marker.reason = failure.message();
    std::string message = poison_message(m_config.dir, marker);
    if (Status written = write_poison_marker(m_config.dir, marker); !written) {
        message += " (the marker could not be written: " + written.message() + ")";
    }
    return {Code::kInternal, message};
}

void PrimaryNode::Impl::remember(const executor::ExecutionSummary& summary) {
    if (m_config.primary.summaries_cached == 0) return;
    if (!m_summaries.emplace(summary.tx_digest, summary).second) return;
    m_summary_order.push_back(summary.tx_digest);
    while (m_summary_order.size() > m_config.primary.summaries_cached) {
        m_summaries.erase(m_summary_order.front());
        m_summary_order.pop_front();
    }
}

// --- Stopping --------------------------------------------------------------------------------

void PrimaryNode::Impl::fail(Status status) {
    if (m_error.is_ok()) {
        m_error = std::move(status);
        log_error((is_poisoning(m_error) ? "stopping on a fatal execution failure: "
                                         : "stopping on a store failure: ") +
                  m_error.message());
    }
    begin_stop(is_poisoning(m_error) ? "a fatal execution failure" : "a store failure");
}

void PrimaryNode::Impl::begin_stop(const std::string& why) {
    if (m_stopping) return;
    m_stopping = true;
    log_info("stopping (" + why + "): committing " + std::to_string(m_pending.size()) +
             " admitted transactions first");
    boost::system::error_code ignored;
    m_cluster_acceptor.close(ignored);
    m_ingress_acceptor.close(ignored);
    m_cluster_pacer.cancel();
    m_ingress_pacer.cancel();
    if (!m_batch.txs.empty()) cut_batch();
    maybe_finish_stop();
}

void PrimaryNode::Impl::maybe_finish_stop() {
    if (!m_stopping || m_stopped) return;
    const bool drained =
        m_error.is_ok() ? (m_ordered.empty() && m_in_consensus == 0 && m_batch.txs.empty()) : true;
    if (!drained) return;
    m_stopped = true;
    m_heartbeat_timer.cancel();
    if (m_http) m_http->stop();
    // Last summaries and updates still reach their peers; each close is bounded by the write
    // timeout.
    for (auto& [conn, link] : m_links) link.session->close_after_flush();
    for (auto& [conn, client] : m_clients) client.session->close_after_flush();
    // The sessions' close handlers post here; once they ran, nothing is left and run() returns.
    asio::post(m_engine, [this] {
        m_links.clear();
        m_clients.clear();
    });
}

PrimaryNodeFigures PrimaryNode::Impl::figures() const {
    PrimaryNodeFigures f;
    f.admitted = m_admitted;
    f.duplicates = m_duplicates;
    f.refused = m_refused_by_reason;
    f.links_refused = m_links_refused;
    f.snapshots_served = m_snapshots_served;
    f.pending = m_pending.size();
    f.ordered_batches = m_ordered.size();
    f.clients = m_clients.size();
    f.client_connections = m_client_slots.held();
    f.client_connections_refused = m_client_connections_refused.load();
    f.pre_executors = m_balancer.live().size();
    f.applied_commit = m_store->status().applied_commit;
    f.departed = m_departed;
    return f;
}

void PrimaryNode::Impl::keep_departed_totals(std::uint32_t id) {
    for (const protocol::PreExecutorStats& p : m_primary.counters().pre_executors) {
        if (p.id != id) continue;
        m_departed[id].adopted += p.adopted;
        m_departed[id].misses += p.misses.total();
    }
}

// GET /metrics, /health, /ready?max_lag_ms=N (docs/metrics.md). On an io thread; what needs
// engine state is answered from the engine strand.
void PrimaryNode::Impl::serve_http(const std::string& target,
                                   std::function<void(HttpAnswer)> answer) {
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/health") {
        answer({200, "text/plain; charset=utf-8", "ok\n"});
        return;
    }
    if (path == "/metrics") {
        asio::post(m_engine, [this, answer = std::move(answer)] {
            m_metrics.update_primary(m_primary.counters(), figures());
            m_metrics.update_store(m_store->engine_gauges());
            m_metrics.update_credentials(m_cluster_security->credentials());
            answer({200, "text/plain; version=0.0.4; charset=utf-8", m_metrics.scrape()});
        });
        return;
    }
    if (path == "/ready") {
        const std::string text = query_parameter(target, "max_lag_ms");
        std::uint64_t max_lag_ms = 1000;
        if (!text.empty()) {
            char* end = nullptr;
            max_lag_ms = std::strtoull(text.c_str(), &end, 10);
            if (end == text.c_str() || *end != '\0') {
                answer({400, "text/plain; charset=utf-8", "max_lag_ms must be a number\n"});
                return;
            }
        }
        asio::post(m_engine, [this, max_lag_ms, answer = std::move(answer)] {
            // The primary is ready when it serves and its oldest ordered batch is not older
            // than the bound: it keeps up with its ordering source.
            const auto lag = m_ordered.empty()
                                 ? std::chrono::milliseconds(0)
                                 : std::chrono::duration_cast<std::chrono::milliseconds>(
                                       Clock::now() - m_ordered.front().ordered_at);
            if (m_stopping) {
                answer({503, "text/plain; charset=utf-8", "not ready: stopping\n"});
            } else if (static_cast<std::uint64_t>(lag.count()) > max_lag_ms) {
                answer({503, "text/plain; charset=utf-8",
                        "not ready: the oldest ordered batch waits for " +
                            std::to_string(lag.count()) + " ms\n"});
            } else {
                answer({200, "text/plain; charset=utf-8", "ready\n"});
            }
        });
        return;
    }
    answer({404, "text/plain; charset=utf-8", "not found: /metrics, /health, /ready\n"});
}

void PrimaryNode::Impl::write_stats() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto cpu_us = [](const timeval& tv) {
        return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000u +
               static_cast<std::uint64_t>(tv.tv_usec);
    };
    const protocol::PrimaryCounters counters = m_primary.counters();
    nlohmann::ordered_json misses = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < protocol::kMissCauseCount; ++i) {
        misses[protocol::miss_cause_name(static_cast<protocol::MissCause>(i))] =
            counters.misses.by_cause[i];
    }
    const storage::StoreStatus& status = m_store->status();
    nlohmann::ordered_json stats = {
        {"role", "primary"},
        {"applied_commit", status.applied_commit},
        {"state_digest", status.state_digest.hex()},
        {"commits", counters.commits},
        {"transactions", counters.transactions},
        {"adopted", counters.adopted},
        {"reexecuted", counters.reexecuted},
        {"ruled_out", counters.ruled_out},
        {"misses_by_cause", misses},
        {"admitted", m_admitted},
        {"duplicates", m_duplicates},
        {"refused", m_refused},
        {"links_refused", m_links_refused},
        {"client_connections_refused", m_client_connections_refused.load()},
        {"snapshots_served", m_snapshots_served},
        {"snapshots_taken", m_snapshots_taken},
        {"snapshots_failed", m_snapshots_failed},
        {"replayed_batches", m_replayed_batches},
        {"state_updates", counters.state_updates},
        {"routed_updates", counters.routed_updates},
        {"results_outdated", counters.results_outdated},
        {"tentative_orders_sent", m_orders_sent},
        {"results_relayed", m_results_relayed},
        {"routing", routing_stats(m_balancer.counters())},
        {"cpu_user_us", cpu_us(usage.ru_utime)},
        {"cpu_system_us", cpu_us(usage.ru_stime)},
        {"max_rss_kb", usage.ru_maxrss},
        {"error", m_error.is_ok() ? "" : m_error.message()}};
    if (Status s = write_json_file(node_stats_path(m_config.dir), stats); !s) {
        log_error("cannot write the stats file: " + s.message());
    }
}

namespace {

// A new store's genesis is built aside in DIR.genesis, part by part (one commit each,
// SequentialExecutor::commit_genesis), and renamed over the empty store only when every part is
// in: a crash part way leaves the store empty, and the next start builds genesis again.
Status create_genesis_store(const NodeConfig& config, const std::string& store_dir,
                            const storage::StoreOptions& options) {
    const std::string aside = store_dir + ".genesis";
    std::error_code ec;
    std::filesystem::remove_all(aside, ec);
    if (ec) return {Code::kIoError, "removing " + aside + ": " + ec.message()};
    auto workload = executor::workload::make_workload(config.workload);
    if (!workload) return workload.status();
    auto source = (*workload)->genesis_source();
    const std::uint64_t objects = source->size();
    common::CommitIndex parts = 0;
    {
        auto store = storage::Store::open(aside, storage::OpenMode::kReadWrite, options);
        if (!store) return store.status();
        auto committed =
            executor::SequentialExecutor(**store).commit_genesis(*source, (*workload)->name());
        if (!committed) return committed.status();
        parts = committed.value();
    }
    std::filesystem::remove_all(store_dir, ec);
    if (ec) return {Code::kIoError, "removing the empty store " + store_dir + ": " + ec.message()};
    REMORA_RETURN_IF_ERROR(recovery::rename_no_replace(aside, store_dir));
    REMORA_RETURN_IF_ERROR(recovery::fsync_directory(config.dir));
    log_info("created the store with the genesis of workload '" + (*workload)->name() + "' (" +
             std::to_string(objects) + " objects in " + std::to_string(parts) + " commits)");
    return Status::ok();
}

}  // namespace

// A snapshot between two commits (node/snapshot_policy.h). A failure is logged and counted, not
// fatal: the store is unchanged by it and the node keeps serving.
void PrimaryNode::Impl::take_snapshot(const std::string& why) {
    if (!m_snapshot_policy || !m_error.is_ok() || m_stopped) return;
    auto taken = m_snapshot_policy->take(*m_store);
    if (!taken) {
        ++m_snapshots_failed;
        log_error("snapshot (" + why + ") failed: " + taken.status().message());
        return;
    }
    if (!taken->already_there) ++m_snapshots_taken;
    log_info("snapshot (" + why + ") of commit " + std::to_string(taken->commit) + " at " +
             taken->path + (taken->already_there ? " (already there)" : "") + "; removed " +
             std::to_string(taken->removed) + " older, pruned " +
             std::to_string(taken->versions_pruned) + " versions");
}

// --- PrimaryNode -------------------------------------------------------------------------------

PrimaryNode::PrimaryNode(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PrimaryNode::~PrimaryNode() = default;

Result<std::unique_ptr<PrimaryNode>> PrimaryNode::open(const NodeConfig& config) {
    REMORA_RETURN_IF_ERROR(validate_node_config(config));
    REMORA_RETURN_IF_ERROR(prepare_node_dir(config.dir));
    storage::StoreOptions options;
    options.create_if_missing = true;
    options.sync = config.primary.sync;
    const std::string store_dir = config.dir + "/store";
    // Compactions wait until the node serves (run()): a restart on a large store does not
    // share its cores with them. Not while the genesis is written: that needs them.
    storage::StoreOptions serving = options;
    serving.defer_compactions = true;
    auto store = storage::Store::open(store_dir, storage::OpenMode::kReadWrite, serving);
    if (!store) return store.status();
    if ((*store)->status().applied_commit == 0) {
        (*store).reset();  // closes the empty store before it is replaced
        REMORA_RETURN_IF_ERROR(create_genesis_store(config, store_dir, options));
        store = storage::Store::open(store_dir, storage::OpenMode::kReadWrite, serving);
        if (!store) return store.status();
    }
    auto source = SnapshotSource::open(config.dir + "/bootstrap");
    if (!source) return source.status();
    const std::uint64_t applied = (*store)->status().applied_commit;
    auto policy = SnapshotPolicy::open(config, applied);
    if (!policy) return policy.status().with_context("opening the snapshot directory");
    auto security = LinkSecurity::for_cluster(config.tls, /*server=*/true);
    if (!security) return security.status();
    auto impl = std::make_unique<Impl>(config, std::move(store).value(), std::move(source).value(),
                                       std::move(security).value());
    impl->set_snapshot_policy(std::move(policy).value());
    OrderedLogContents ordered;
    auto log = OrderedLog::open(config.dir + "/ordered", applied, config.primary.sync, ordered);
    if (!log) return log.status().with_context("opening the ordered-batch log");
    if (ordered.torn_bytes > 0) {
        log_warn("the ordered-batch log ended in a torn append of " +
                 std::to_string(ordered.torn_bytes) +
                 " bytes, dropped (never applied, never acknowledged)");
    }
    REMORA_RETURN_IF_ERROR(impl->replay(std::move(log).value(), std::move(ordered.unapplied)));
    REMORA_RETURN_IF_ERROR(impl->bind());
    return std::unique_ptr<PrimaryNode>(new PrimaryNode(std::move(impl)));
}

Status PrimaryNode::run() { return m_impl->run(); }
void PrimaryNode::stop() { m_impl->stop(); }
void PrimaryNode::reload_credentials() { m_impl->reload_credentials(); }
void PrimaryNode::snapshot() { m_impl->snapshot(); }
std::uint16_t PrimaryNode::cluster_port() const { return m_impl->cluster_port(); }
std::uint16_t PrimaryNode::ingress_port() const { return m_impl->ingress_port(); }

}  // namespace remora::node
