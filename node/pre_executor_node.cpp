#include "node/pre_executor_node.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <thread>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "common/fault_point.h"
#include "executor/exec/authorize.h"
#include "executor/protocol/limits.h"
#include "executor/protocol/pre_executor.h"
#include "executor/tx/anoma_codec.h"
#include "net/frame.h"
#include "net/message_codec.h"
#include "net/node_messages.h"
#include "node/http_server.h"
#include "node/links.h"
#include "node/log.h"
#include "node/node_files.h"
#include "node/node_metrics.h"
#include "node/peer_mesh.h"
#include "node/snapshot_transfer.h"
#include "storage/store.h"

namespace remora::node {

namespace asio = net::asio;
namespace protocol = executor::protocol;
using common::Code;
using common::Result;
using common::Status;
using net::MessageType;
using Clock = std::chrono::steady_clock;

Result<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text) {
    const auto bad = [&text] {
        return Status{Code::kInvalidArgument,
                      "'" + text + "' is not HOST:PORT (an IP address and a port 1..65535)"};
    };
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
    std::string host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return bad();
        host = host.substr(1, host.size() - 2);
    }
    const std::string port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
        return bad();
    }
    return std::make_pair(host, static_cast<std::uint16_t>(port));
}

class PreExecutorNode::Impl {
public:
    Impl(const NodeConfig& config, std::string host, std::uint16_t port,
         std::shared_ptr<LinkSecurity> security)
        : m_config(config),
          m_host(std::move(host)),
          m_port(port),
          m_security(std::move(security)),
          m_engine(asio::make_strand(m_io)),
          m_verify(std::max<std::uint32_t>(1, config.pre_executor.verify_threads)),
          m_timer(m_io),
          m_sink(config.dir + "/incoming") {}

    Status run();
    void reload_credentials() {
        reload_credentials_logged(*m_security);
        if (m_peer_security) reload_credentials_logged(*m_peer_security);
    }
    // The credentials in the server role, for the peer port (pre_executor.peer_links).
    void set_peer_security(std::shared_ptr<LinkSecurity> security) {
        m_peer_security = std::move(security);
    }
    void stop() {
        asio::post(m_engine, [this] {
            m_stopping = true;
            m_timer.cancel();
            if (m_http) m_http->stop();
            if (m_mesh) m_mesh->stop();
            if (m_session) m_session->close();
            m_work.reset();
        });
    }

private:
    struct Arrival {
        std::optional<executor::Transaction> tx;  // nullopt: it did not decode (`problem`)
        std::optional<executor::LookupTable> hints;
        Status problem;
    };

    void connect();
    void on_connected(Result<SecuredLink> link, std::uint64_t generation);
    void on_frame(std::uint64_t generation, const net::Frame& frame);
    void on_closed(std::uint64_t generation, const Status& reason);
    Status handle(const net::Frame& frame);
    Status handle_hello(const net::Frame& frame);
    Status request_next_chunk();
    Status install_snapshot();
    void verify_then_queue(std::uint64_t generation, std::uint64_t seq, const net::Frame& frame);
    void run_arrivals();
    void run_batch();
    Status execute(const Arrival& arrival);
    Status take_result(Result<protocol::PreExecResult>& result);
    void close_link(const Status& status);
    void send_result(const protocol::PreExecResult& result);
    Status start_peer_links();
    void on_forward(std::uint32_t from, const net::PeerEffects& forward);
    // Another pre-executor's effects into the speculative state (`digest` computed here from
    // them, or checked against what the sender claims); false when they were refused (the
    // sender's fault: it costs misses only).
    Result<bool> take_peer_effects(const executor::Effects& effects,
                                   const executor::Digest& digest);
    void send_released();
    void schedule_replay();
    void replay_some();
    void send_ack();
    void note_joined();
    void tick();
    void fail(Status status);
    void write_stats();
    void serve_http(const std::string& target, std::function<void(HttpAnswer)> answer);
    nlohmann::ordered_json info() const;

    NodeConfig m_config;
    std::string m_host;
    std::uint16_t m_port;
    std::shared_ptr<LinkSecurity> m_security;
    asio::io_context m_io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> m_work{
        asio::make_work_guard(m_io)};
    asio::strand<asio::io_context::executor_type> m_engine;
    asio::thread_pool m_verify;
    asio::steady_timer m_timer;

    // Engine strand only:
    SnapshotSink m_sink;
    std::unique_ptr<protocol::PreExecutor> m_pre;
    std::shared_ptr<net::Session> m_session;
    std::uint64_t m_generation = 0;  // of the current link; events of older links are ignored
    bool m_hello = false;
    bool m_joined = false;
    bool m_connecting = false;
    bool m_stopping = false;
    bool m_replay_scheduled = false;
    bool m_batch_scheduled = false;
    const std::uint32_t m_exec_threads = effective_exec_threads(m_config.pre_executor);
    // Below this many microseconds per transaction a batch runs one transaction at a time:
    // pre_executor_batch_benchmark on 2 cores (docs/BENCHMARKS.md, "Parallel execution in the
    // pre-executor") measured transfer (about 20 us each) 18% slower on 2 threads and compute
    // (about 1.3 ms) 19% faster.
    static constexpr double kBatchParallelMinUs = protocol::limits::kBatchParallelMinUs;
    double m_us_per_tx = kBatchParallelMinUs;  // recent batches' wall time per transaction
    Clock::time_point m_last_heard = Clock::now();
    Clock::time_point m_next_connect = Clock::now();
    std::map<std::uint64_t, Arrival> m_arrivals;  // verified, waiting for their turn
    std::uint64_t m_next_to_run = 0;
    std::atomic<std::uint64_t> m_next_seq{0};  // taken on the session's strand, in frame order
    std::shared_ptr<HttpServer> m_http;
    std::shared_ptr<LinkSecurity> m_peer_security;  // null: pre_executor.peer_links off
    std::unique_ptr<PeerMesh> m_mesh;               // null: pre_executor.peer_links off
    NodeMetrics m_metrics;                          // engine strand only
    Status m_error;
    std::uint64_t m_results = 0;
    std::uint64_t m_bad_txs = 0;
    std::uint64_t m_relays_applied = 0;
    std::uint64_t m_relays_refused = 0;
    std::uint64_t m_forwards_applied = 0;  // effects taken over a peer link
    std::uint64_t m_forwards_refused = 0;
    std::uint64_t m_bootstraps = 0;
    std::uint64_t m_connects = 0;
};

nlohmann::ordered_json PreExecutorNode::Impl::info() const {
    nlohmann::ordered_json info{{"role", "pre-executor"},
                                {"pid", static_cast<long>(::getpid())},
                                {"id", m_config.pre_executor.id},
                                {"primary", m_config.net.primary},
                                {"metrics_port", m_http ? m_http->port() : 0},
                                {"peer_port", m_mesh ? m_mesh->port() : 0}};
    if (m_joined && m_pre) info["joined_commit"] = m_pre->caught_up_commit();
    return info;
}

Status PreExecutorNode::Impl::run() {
    if (m_config.metrics.enabled) {
        auto http = HttpServer::start(
            m_io, m_config.net.listen, m_config.metrics.port,
            [this](const std::string& target, std::function<void(HttpAnswer)> answer) {
                serve_http(target, std::move(answer));
            });
        if (!http) return http.status();
        m_http = std::move(http).value();
    }
    REMORA_RETURN_IF_ERROR(start_peer_links());
    REMORA_RETURN_IF_ERROR(write_json_file(node_info_path(m_config.dir), info()));
    asio::post(m_engine, [this] { tick(); });
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
    m_verify.join();
    write_stats();
    return m_error;
}

// Every heartbeat period: a heartbeat to the primary, the liveness check, reconnecting.
void PreExecutorNode::Impl::tick() {
    if (m_stopping) return;
    const auto now = Clock::now();
    // Before the primary's hello too: a link that went dark right after the handshake would
    // otherwise wait for net.idle_timeout_ms.
    if (m_session) {
        if (now - m_last_heard > std::chrono::milliseconds(m_config.cluster.peer_timeout_ms)) {
            log_warn(std::string("the primary is silent past cluster.peer_timeout_ms") +
                     (m_hello ? "" : " (no hello)") + ": reconnecting");
            m_session->close(Status{Code::kIoError, "primary silent"});
        } else if (m_hello) {
            const common::CommitIndex at = m_pre ? m_pre->caught_up_commit() : 0;
            m_session->send(net::wire_type(MessageType::kHeartbeat), net::encode_heartbeat({at}));
        }
    }
    if (!m_session && !m_connecting && now >= m_next_connect) connect();
    m_timer.expires_after(std::chrono::milliseconds(
        std::min(m_config.cluster.heartbeat_ms, m_config.pre_executor.reconnect_ms)));
    m_timer.async_wait(asio::bind_executor(m_engine, [this](boost::system::error_code ec) {
        if (!ec) tick();
    }));
}

void PreExecutorNode::Impl::connect() {
    m_connecting = true;
    ++m_connects;
    const std::uint64_t generation = ++m_generation;
    async_connect(
        m_io, m_host, m_port, std::chrono::milliseconds(m_config.net.handshake_timeout_ms),
        [this, generation](Result<asio::ip::tcp::socket> socket) {
            if (!socket) {
                asio::post(m_engine, [this, generation, status = socket.status()] {
                    on_connected(status, generation);
                });
                return;
            }
            net::SessionOptions options;
            options.idle_timeout = std::chrono::milliseconds(m_config.net.idle_timeout_ms);
            options.coalesce_delay = std::chrono::microseconds(m_config.net.coalesce_us);
            m_security->secure(
                std::move(socket).value(),
                std::chrono::milliseconds(m_config.net.handshake_timeout_ms), options,
                [this, generation](net::Frame frame) {
                    if (frame.type == net::wire_type(MessageType::kForwardTransaction) ||
                        frame.type == net::wire_type(MessageType::kExecuteTransaction)) {
                        // On the session's strand: numbered in arrival order, then verified
                        // on a worker while later frames are read.
                        const std::uint64_t seq = m_next_seq++;
                        asio::post(m_verify,
                                   [this, generation, seq, f = std::move(frame)]() mutable {
                                       verify_then_queue(generation, seq, f);
                                   });
                        return;
                    }
                    asio::post(m_engine, [this, generation, f = std::move(frame)]() mutable {
                        on_frame(generation, f);
                    });
                },
                [this, generation](const Status& reason) {
                    asio::post(m_engine,
                               [this, generation, reason] { on_closed(generation, reason); });
                },
                [this, generation](Result<SecuredLink> link) {
                    asio::post(m_engine, [this, generation, link = std::move(link)]() mutable {
                        on_connected(std::move(link), generation);
                    });
                });
        });
}

void PreExecutorNode::Impl::on_connected(Result<SecuredLink> link, std::uint64_t generation) {
    if (generation != m_generation) return;
    m_connecting = false;
    m_next_connect = Clock::now() + std::chrono::milliseconds(m_config.pre_executor.reconnect_ms);
    if (!link) {
        if (m_connects <= 1 || m_connects % 20 == 0) {
            log_warn(link.status().message() + " (retrying every " +
                     std::to_string(m_config.pre_executor.reconnect_ms) + " ms)");
        }
        return;
    }
    if (m_stopping) {
        link->session->close();
        return;
    }
    m_session = link->session;
    m_hello = false;
    m_joined = false;
    m_last_heard = Clock::now();
    m_arrivals.clear();
    m_next_to_run = m_next_seq.load();
    m_session->start();
    net::Hello hello;
    hello.role = net::NodeRole::kPreExecutor;
    hello.node_id = m_config.pre_executor.id;
    if (m_mesh) {
        // An unspecified listen address: the primary pairs the port with the address this link
        // comes from.
        boost::system::error_code ec;
        const auto listen = asio::ip::make_address(m_config.net.listen, ec);
        hello.peer_host = !ec && listen.is_unspecified() ? "" : m_config.net.listen;
        hello.peer_port = m_mesh->port();
    }
    m_session->send(net::wire_type(MessageType::kHello), net::encode_hello(hello));
}

void PreExecutorNode::Impl::on_closed(std::uint64_t generation, const Status& reason) {
    if (generation != m_generation) return;
    if (m_session) {
        log_warn("link to the primary closed: " +
                 (reason.is_ok() ? std::string("closed here") : reason.message()));
    }
    m_session.reset();
    m_hello = false;
    m_joined = false;
    m_arrivals.clear();
    if (m_stopping) m_work.reset();
}

void PreExecutorNode::Impl::on_frame(std::uint64_t generation, const net::Frame& frame) {
    if (generation != m_generation || !m_session) return;
    m_last_heard = Clock::now();
    Status status = handle(frame);
    if (!status.is_ok()) {
        if (!m_error.is_ok()) return;
        log_warn("closing the link to the primary: " + status.message());
        m_session->close(status);
    }
}

Status PreExecutorNode::Impl::handle(const net::Frame& frame) {
    const auto type = static_cast<MessageType>(frame.type);
    if (!m_hello) return handle_hello(frame);
    switch (type) {
        case MessageType::kHeartbeat: {
            auto beat = net::decode_heartbeat(frame.body);
            return beat ? Status::ok() : beat.status();
        }
        case MessageType::kSnapshotOffer: {
            auto offer = net::decode_snapshot_offer(frame.body);
            if (!offer) return offer.status();
            REMORA_RETURN_IF_ERROR(m_sink.begin(*offer));
            log_info("bootstrapping from the primary's snapshot of commit " +
                     std::to_string(offer->commit_index) + " (" +
                     std::to_string(m_sink.total_bytes()) + " bytes, " +
                     std::to_string(m_sink.received_bytes()) + " already here)");
            return request_next_chunk();
        }
        case MessageType::kSnapshotChunk: {
            auto chunk = net::decode_snapshot_chunk(frame.body);
            if (!chunk) return chunk.status();
            REMORA_RETURN_IF_ERROR(m_sink.accept(*chunk));
            return request_next_chunk();
        }
        case MessageType::kStateUpdate: {
            if (!m_pre) return {Code::kInvalidArgument, "a state update before bootstrapping"};
            auto update = net::decode_state_update(frame.body);
            if (!update) return update.status();
            if (update->kind == protocol::StateUpdateKind::kCatchUp && !update->complete) {
                log_warn("the primary cannot catch this node up by an update: bootstrapping again");
                m_pre.reset();
                m_session->send(net::wire_type(MessageType::kSnapshotRequest),
                                net::encode_snapshot_request({m_sink.resume_commit()}));
                return Status::ok();
            }
            REMORA_FAULT_POINT("pre_executor.apply");
            auto ack = m_pre->apply_state_update(*update);
            if (!ack) {
                if (ack.status().code() == Code::kInvalidArgument) return ack.status();
                fail(ack.status());
                return ack.status();
            }
            if (update->kind == protocol::StateUpdateKind::kCatchUp) {
                m_session->send(net::wire_type(MessageType::kStateUpdateAck),
                                net::encode_state_update_ack(*ack));
            }
            send_released();
            schedule_replay();
            return Status::ok();
        }
        case MessageType::kRelayedResult: {
            auto relayed = net::decode_pre_exec_result(frame.body);
            if (!relayed) return relayed.status();
            if (!m_pre || !m_joined || relayed->pre_executor == m_config.pre_executor.id) {
                return Status::ok();
            }
            auto taken =
                take_peer_effects(relayed->effects, executor::effects_digest(relayed->effects));
            if (!taken) return taken.status();
            ++(*taken ? m_relays_applied : m_relays_refused);
            return Status::ok();
        }
        case MessageType::kMembership: {
            auto membership = net::decode_membership(frame.body);
            if (!membership) return membership.status();
            if (m_mesh) m_mesh->set_membership(std::move(membership).value());
            return Status::ok();
        }
        case MessageType::kTentativeOrder: {
            auto order = net::decode_tentative_order(frame.body);
            if (!order) return order.status();
            // Not serving yet: results of these transactions come from no one here.
            if (!m_pre || !m_joined) return Status::ok();
            if (Status s = m_pre->learn_order(*order); !s) {
                fail(s);
                return s;
            }
            send_released();
            schedule_replay();
            return Status::ok();
        }
        default:
            return {Code::kInvalidArgument,
                    std::string("message '") + net::message_type_name(frame.type) + "' (type " +
                        std::to_string(frame.type) + ") has no business here"};
    }
}

Status PreExecutorNode::Impl::handle_hello(const net::Frame& frame) {
    net::Hello mine;
    mine.role = net::NodeRole::kPreExecutor;
    auto hello = net::expect_hello(frame, mine);
    if (!hello) return hello.status();
    auto version = net::negotiate_version(mine, *hello);
    if (hello->role != net::NodeRole::kPrimary) {
        return {Code::kInvalidArgument,
                std::string("expected the primary, got a ") + net::node_role_name(hello->role)};
    }
    if (hello->executor != executor::executor_identity()) {
        return {Code::kFormatVersion, "the primary runs another executor (rules version " +
                                          std::to_string(hello->executor.rules_version) + ")"};
    }
    m_hello = true;
    log_info("connected to the primary at " + m_host + ":" + std::to_string(m_port) +
             " (wire protocol " + (version ? std::to_string(*version) : std::string("?")) + ")");
    if (m_pre) {
        send_ack();  // rejoin where this node is caught up
        note_joined();
        return Status::ok();
    }
    m_session->send(net::wire_type(MessageType::kSnapshotRequest),
                    net::encode_snapshot_request({m_sink.resume_commit()}));
    return Status::ok();
}

Status PreExecutorNode::Impl::request_next_chunk() {
    if (auto request = m_sink.next_request()) {
        m_session->send(net::wire_type(MessageType::kSnapshotChunkRequest),
                        net::encode_snapshot_chunk_request(*request));
        return Status::ok();
    }
    return install_snapshot();
}

Status PreExecutorNode::Impl::install_snapshot() {
    const std::string store_dir = m_config.dir + "/store";
    auto manifest = m_sink.install(store_dir);
    if (!manifest) {
        log_error("the snapshot did not verify: " + manifest.status().message());
        return manifest.status();
    }
    auto store = storage::Store::open(store_dir, storage::OpenMode::kReadWrite);
    if (!store) {
        fail(store.status());
        return store.status();
    }
    protocol::PreExecutorOptions options;
    // Keeps its results in the sequencer's tentative order and supersedes those the order
    // contradicts (docs/remora_protocol.md, "Convergence: the tentative order"); without orders
    // (sequencer.tentative_order off, or a primary older than wire version 4) it only remembers.
    options.ordered_replay = true;
    if (!m_config.pre_executor.hold) options.held_txs_max = 0;
    options.exec_threads = m_exec_threads;
    auto pre = protocol::PreExecutor::from_store(m_config.pre_executor.id, std::move(store).value(),
                                                 options);
    if (!pre) {
        fail(pre.status());
        return pre.status();
    }
    m_pre = std::move(pre).value();
    ++m_bootstraps;
    log_info("snapshot of commit " + std::to_string(manifest->commit_index) +
             " verified and restored (digest " + manifest->state_digest.hex().substr(0, 16) +
             "...): joining");
    send_ack();
    note_joined();
    return Status::ok();
}

// node.json says the node serves now (the testnet and operators wait for it).
void PreExecutorNode::Impl::note_joined() {
    m_joined = true;
    if (Status s = write_json_file(node_info_path(m_config.dir), info()); !s) {
        log_warn("cannot update node.json: " + s.message());
    }
}

void PreExecutorNode::Impl::send_ack() {
    protocol::StateUpdateAck ack{m_config.pre_executor.id, m_pre->caught_up_commit()};
    m_session->send(net::wire_type(MessageType::kStateUpdateAck),
                    net::encode_state_update_ack(ack));
}

// On a verify worker: decode, check the authenticators, then hand over to the engine strand.
void PreExecutorNode::Impl::verify_then_queue(std::uint64_t generation, std::uint64_t seq,
                                              const net::Frame& frame) {
    Arrival arrival;
    // Wire version 4 forwards the client's bytes; an older primary sends an ExecuteTransaction.
    Result<executor::Transaction> tx = Status{Code::kCorruption, "not decoded"};
    if (frame.type == net::wire_type(MessageType::kForwardTransaction)) {
        tx = net::decode_forward_transaction(frame.body);
    } else if (auto message =
                   executor::decode_anoma_message_as<executor::ExecuteTransaction>(frame.body)) {
        tx = std::move(message->executable);
    } else {
        tx = message.status();
    }
    if (tx) {
        const executor::Digest digest = executor::transaction_digest(*tx);
        executor::Authorization authorization = executor::authorize(*tx, digest, nullptr);
        executor::LookupTable hints;
        hints.tx_digest = digest;
        hints.authenticators = std::move(authorization.checks);
        arrival.hints = std::move(hints);
        arrival.tx = std::move(tx).value();
    } else {
        arrival.problem = tx.status();
    }
    asio::post(m_engine, [this, generation, seq, arrival = std::move(arrival)]() mutable {
        if (generation != m_generation) return;
        m_last_heard = Clock::now();
        m_arrivals.emplace(seq, std::move(arrival));
        run_arrivals();
    });
}

void PreExecutorNode::Impl::run_arrivals() {
    if (m_exec_threads > 1) {
        // One turn posted behind the arrivals already queued on the strand takes them all as
        // one batch (PreExecutor::execute_batch).
        if (m_batch_scheduled) return;
        m_batch_scheduled = true;
        asio::post(m_engine, [this] {
            m_batch_scheduled = false;
            run_batch();
        });
        return;
    }
    while (!m_arrivals.empty() && m_arrivals.begin()->first == m_next_to_run) {
        Arrival arrival = std::move(m_arrivals.begin()->second);
        m_arrivals.erase(m_arrivals.begin());
        ++m_next_to_run;
        if (Status s = execute(arrival); !s) return close_link(s);
    }
}

// The arrivals whose turn has come, at most kBatchTxsMax, executed as one batch whose results
// are sent in arrival order; a transaction that does not decode ends the batch and the link, as
// on the one-at-a-time path.
void PreExecutorNode::Impl::run_batch() {
    constexpr std::size_t kBatchTxsMax = 256;
    std::vector<executor::Transaction> txs;
    std::vector<std::optional<executor::LookupTable>> tables;
    std::optional<Arrival> broken;
    while (!m_arrivals.empty() && m_arrivals.begin()->first == m_next_to_run &&
           txs.size() < kBatchTxsMax) {
        Arrival arrival = std::move(m_arrivals.begin()->second);
        m_arrivals.erase(m_arrivals.begin());
        ++m_next_to_run;
        if (!arrival.tx) {
            broken = std::move(arrival);
            break;
        }
        txs.push_back(std::move(*arrival.tx));
        tables.push_back(std::move(arrival.hints));
    }
    Status status;
    if (!txs.empty() && m_pre && m_joined) {  // not serving yet: the primary re-executes
        std::vector<const executor::LookupTable*> hints;
        hints.reserve(tables.size());
        for (const auto& table : tables) hints.push_back(table ? &*table : nullptr);
        // Speculation pays only where a transaction costs more than its bookkeeping: a batch
        // runs one transaction at a time while the recent ones took less than
        // kBatchParallelMinUs each (wall time, whichever way they ran).
        // With pre_executor.hold a transaction whose owned input another pre-executor is
        // producing waits, as on the one-at-a-time path (PreExecutor::execute_or_hold_batch).
        const auto start = Clock::now();
        auto results = m_pre->execute_or_hold_batch(txs, hints, m_us_per_tx >= kBatchParallelMinUs);
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() /
                          static_cast<double>(txs.size());
        m_us_per_tx = 0.75 * m_us_per_tx + 0.25 * us;
        for (auto& outcome : results) {
            if (outcome && !outcome->has_value()) continue;  // held: sent when it runs
            Result<protocol::PreExecResult> result =
                outcome ? Result<protocol::PreExecResult>(std::move(**outcome))
                        : Result<protocol::PreExecResult>(outcome.status());
            status = take_result(result);
            if (!status) break;
        }
        if (status) {
            send_released();
            schedule_replay();
        }
    }
    if (status && broken) status = execute(*broken);
    if (!status) return close_link(status);
    if (!m_arrivals.empty() && m_arrivals.begin()->first == m_next_to_run) run_arrivals();
}

Status PreExecutorNode::Impl::execute(const Arrival& arrival) {
    if (!arrival.tx) {
        return {Code::kCorruption, "a transaction from the primary that does not decode: " +
                                       arrival.problem.message()};
    }
    if (!m_pre || !m_joined) return Status::ok();  // not serving yet: the primary re-executes
    auto result = m_pre->execute_or_hold(*arrival.tx, arrival.hints ? &*arrival.hints : nullptr);
    if (!result) {
        Result<protocol::PreExecResult> failed = result.status();
        return take_result(failed);
    }
    if (*result) send_result(**result);
    send_released();
    schedule_replay();
    return Status::ok();
}

// A transaction broke the link's rules (or the store failed: the node stops).
void PreExecutorNode::Impl::close_link(const Status& status) {
    if (!m_error.is_ok()) return;
    log_warn("closing the link to the primary: " + status.message());
    if (m_session) m_session->close(status);
}

// A batch's result in its turn: sent, or counted when the primary should not have routed it.
Status PreExecutorNode::Impl::take_result(Result<protocol::PreExecResult>& result) {
    if (result) {
        send_result(*result);
        return Status::ok();
    }
    if (result.status().code() == Code::kInvalidArgument) {
        ++m_bad_txs;  // a transaction the primary should not have routed: skip it
        return Status::ok();
    }
    fail(result.status());
    return result.status();
}

void PreExecutorNode::Impl::send_released() {
    for (auto& released : m_pre->take_released()) send_result(released);
}

// Re-checks what orders and updates marked, kReplaysPerTurn at a time, each turn posted behind
// what the engine strand already has queued: transactions that arrived meanwhile run first, and
// changes that arrive before a turn cost one re-execution, not one each
// (PreExecutor::replay_pending).
void PreExecutorNode::Impl::schedule_replay() {
    if (m_replay_scheduled || !m_pre || !m_pre->replays_pending()) return;
    m_replay_scheduled = true;
    asio::post(m_engine, [this] {
        m_replay_scheduled = false;
        replay_some();
    });
}

void PreExecutorNode::Impl::replay_some() {
    constexpr std::size_t kReplaysPerTurn = 4;  // as the simulation's driver
    if (m_stopping || !m_pre || !m_joined || !m_session) return;
    auto replayed = m_pre->replay_pending(kReplaysPerTurn);
    if (!replayed) {
        fail(replayed.status());
        return;
    }
    send_released();
    schedule_replay();
}

void PreExecutorNode::Impl::send_result(const protocol::PreExecResult& result) {
    ++m_results;
    if (m_session) {
        m_session->send(net::wire_type(MessageType::kPreExecResult),
                        net::encode_pre_exec_result(result));
    }
    // Peer forwarding over the peer links: what the primary relays otherwise (successes only).
    if (m_mesh && result.effects.status.is_success()) {
        net::PeerEffects forward{result.effects, executor::effects_digest(result.effects)};
        m_mesh->forward(net::encode_peer_effects(forward));
    }
}

Result<bool> PreExecutorNode::Impl::take_peer_effects(const executor::Effects& effects,
                                                      const executor::Digest& digest) {
    auto applied = m_pre->apply_peer_effects(effects, digest);
    if (!applied) {
        if (applied.status().code() == Code::kInvalidArgument) return false;
        fail(applied.status());
        return applied.status();
    }
    send_released();
    schedule_replay();
    return true;
}

// Direct peer forwarding (docs/node.md, "Peer links"): this node's peer port, and the links to
// the pre-executors the primary's membership lists.
Status PreExecutorNode::Impl::start_peer_links() {
    if (!m_config.pre_executor.peer_links) return Status::ok();
    PeerMeshOptions options;
    options.id = m_config.pre_executor.id;
    options.listen_host = m_config.net.listen;
    options.listen_port = m_config.pre_executor.peer_port;
    options.session.idle_timeout = std::chrono::milliseconds(m_config.net.idle_timeout_ms);
    options.session.coalesce_delay = std::chrono::microseconds(m_config.net.coalesce_us);
    options.handshake_timeout = std::chrono::milliseconds(m_config.net.handshake_timeout_ms);
    options.heartbeat = std::chrono::milliseconds(m_config.cluster.heartbeat_ms);
    options.peer_timeout = std::chrono::milliseconds(m_config.cluster.peer_timeout_ms);
    options.redial_min = std::chrono::milliseconds(m_config.pre_executor.reconnect_ms);
    options.redial_max = std::max(options.redial_min, std::chrono::milliseconds(5000));
    auto mesh = PeerMesh::start(
        m_io, options, m_peer_security, m_security,
        [this](std::uint32_t from, net::PeerEffects forward) {
            asio::post(m_engine,
                       [this, from, forward = std::move(forward)] { on_forward(from, forward); });
        });
    if (!mesh) return mesh.status();
    m_mesh = std::move(mesh).value();
    log_info("peer links on port " + std::to_string(m_mesh->port()));
    return Status::ok();
}

void PreExecutorNode::Impl::on_forward(std::uint32_t from, const net::PeerEffects& forward) {
    if (m_stopping || !m_pre || !m_joined) return;  // not serving: nothing to take it into
    // Nothing from a peer is trusted: the digest is recomputed from the effects, and a forward
    // that does not match what its sender claims is refused and its link closed.
    const executor::Digest digest = executor::effects_digest(forward.effects);
    Result<bool> taken = false;
    if (digest == forward.effects_digest) taken = take_peer_effects(forward.effects, digest);
    if (!taken) return;  // fail() stopped the node
    if (*taken) {
        ++m_forwards_applied;
        return;
    }
    ++m_forwards_refused;
    m_mesh->drop(from,
                 Status{Code::kCorruption, "its forward of " + forward.effects.tx_digest.hex() +
                                               " was refused (digest or contents)"});
}

void PreExecutorNode::Impl::fail(Status status) {
    if (!m_error.is_ok()) return;
    m_error = std::move(status);
    log_error("stopping: " + m_error.message());
    m_stopping = true;
    m_timer.cancel();
    if (m_http) m_http->stop();
    if (m_mesh) m_mesh->stop();
    if (m_session) m_session->close();
    m_work.reset();
}

void PreExecutorNode::Impl::serve_http(const std::string& target,
                                       std::function<void(HttpAnswer)> answer) {
    const std::string path = target.substr(0, target.find('?'));
    if (path == "/health") {
        answer({200, "text/plain; charset=utf-8", "ok\n"});
        return;
    }
    if (path != "/metrics" && path != "/ready") {
        answer({404, "text/plain; charset=utf-8", "not found: /metrics, /health, /ready\n"});
        return;
    }
    const std::string text = query_parameter(target, "max_lag_ms");
    std::uint64_t max_lag_ms = m_config.cluster.peer_timeout_ms;
    if (!text.empty()) {
        char* end = nullptr;
        max_lag_ms = std::strtoull(text.c_str(), &end, 10);
        if (end == text.c_str() || *end != '\0') {
            answer({400, "text/plain; charset=utf-8", "max_lag_ms must be a number\n"});
            return;
        }
    }
    asio::post(m_engine, [this, path, max_lag_ms, answer = std::move(answer)] {
        if (path == "/metrics") {
            PreExecutorNodeFigures figures;
            figures.results = m_results;
            figures.bootstraps = m_bootstraps;
            figures.connects = m_connects;
            figures.joined = m_joined;
            figures.caught_up_commit = m_pre ? m_pre->caught_up_commit() : 0;
            figures.waiting = m_arrivals.size();
            if (m_mesh) {
                const PeerMeshCounters mesh = m_mesh->counters();
                figures.forwarded = mesh.forwarded;
                figures.peer_links_up = mesh.links_up;
                figures.peer_links_opened = mesh.links_opened;
                figures.peer_links_refused = mesh.links_refused;
            }
            figures.forwards_applied = m_forwards_applied;
            figures.forwards_refused = m_forwards_refused;
            m_metrics.update_pre_executor(
                m_pre ? m_pre->counters() : executor::protocol::PreExecutorCounters{}, figures);
            m_metrics.update_store(m_pre ? m_pre->store().engine_gauges()
                                         : storage::EngineGauges{});
            m_metrics.update_credentials(m_security->credentials());
            answer({200, "text/plain; version=0.0.4; charset=utf-8", m_metrics.scrape()});
            return;
        }
        // Ready: joined, and the primary was heard from within the bound (its heartbeats
        // carry the state it commits).
        const auto silent =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_last_heard);
        if (!m_joined || !m_session) {
            answer({503, "text/plain; charset=utf-8", "not ready: not joined to the primary\n"});
        } else if (static_cast<std::uint64_t>(silent.count()) > max_lag_ms) {
            answer({503, "text/plain; charset=utf-8",
                    "not ready: the primary is silent for " + std::to_string(silent.count()) +
                        " ms\n"});
        } else {
            answer({200, "text/plain; charset=utf-8", "ready\n"});
        }
    });
}

void PreExecutorNode::Impl::write_stats() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    nlohmann::ordered_json stats = {
        {"role", "pre-executor"},
        {"id", m_config.pre_executor.id},
        {"results", m_results},
        {"bad_transactions", m_bad_txs},
        {"relayed_results", m_relays_applied},
        {"relayed_results_refused", m_relays_refused},
        {"results_forwarded", m_mesh ? m_mesh->counters().forwarded : 0},
        {"forwarded_results_applied", m_forwards_applied},
        {"forwarded_results_refused", m_forwards_refused},
        {"peer_links_opened", m_mesh ? m_mesh->counters().links_opened : 0},
        {"peer_links_refused", m_mesh ? m_mesh->counters().links_refused : 0},
        {"bootstraps", m_bootstraps},
        {"caught_up_commit", m_pre ? m_pre->caught_up_commit() : 0},
        {"cpu_user_us", static_cast<std::uint64_t>(usage.ru_utime.tv_sec) * 1'000'000u +
                            static_cast<std::uint64_t>(usage.ru_utime.tv_usec)},
        {"cpu_system_us", static_cast<std::uint64_t>(usage.ru_stime.tv_sec) * 1'000'000u +
                              static_cast<std::uint64_t>(usage.ru_stime.tv_usec)},
        {"error", m_error.is_ok() ? "" : m_error.message()}};
    if (m_pre) {
        const protocol::PreExecutorCounters c = m_pre->counters();
        stats["executed"] = c.executed;
        stats["updates_applied"] = c.updates_applied;
        stats["held"] = c.held;
        stats["released_ready"] = c.released_ready;
        stats["released_unready"] = c.released_unready;
        stats["orders"] = c.replay.orders;
        stats["rechecks"] = c.replay.checks;
        stats["replays"] = c.replay.replays;
        stats["replays_capped"] = c.replay.replays_capped;
        stats["healed"] = c.replay.healed;
        stats["batches"] = c.batches;  // pre_executor.exec_threads > 1
        stats["batch_speculated"] = c.parallel.speculated;
        stats["batch_validated"] = c.parallel.validated;
        stats["batch_conflicts"] = c.parallel.conflicts;
    }
    if (Status s = write_json_file(node_stats_path(m_config.dir), stats); !s) {
        log_error("cannot write the stats file: " + s.message());
    }
}

// --- PreExecutorNode ---------------------------------------------------------------------------

PreExecutorNode::PreExecutorNode(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PreExecutorNode::~PreExecutorNode() = default;

Result<std::unique_ptr<PreExecutorNode>> PreExecutorNode::open(const NodeConfig& config) {
    REMORA_RETURN_IF_ERROR(validate_node_config(config));
    auto target = parse_host_port(config.net.primary);
    if (!target) {
        return Status{Code::kInvalidArgument, "--net.primary: " + target.status().message()};
    }
    REMORA_RETURN_IF_ERROR(prepare_node_dir(config.dir));
    auto security = LinkSecurity::for_cluster(config.tls, /*server=*/false);
    if (!security) return security.status();
    auto impl =
        std::make_unique<Impl>(config, target->first, target->second, std::move(security).value());
    if (config.pre_executor.peer_links) {
        auto peer_security = LinkSecurity::for_cluster(config.tls, /*server=*/true);
        if (!peer_security) return peer_security.status();
        impl->set_peer_security(std::move(peer_security).value());
    }
    return std::unique_ptr<PreExecutorNode>(new PreExecutorNode(std::move(impl)));
}

Status PreExecutorNode::run() { return m_impl->run(); }
void PreExecutorNode::stop() { m_impl->stop(); }
void PreExecutorNode::reload_credentials() { m_impl->reload_credentials(); }

}  // namespace remora::node
