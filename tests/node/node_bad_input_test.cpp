// Bad input on both ports of a running primary (issue 10): garbage, a wrong checksum, an
// oversized length, a truncated or unverifiable FlatBuffer, an unknown message type, a valid
// frame of the wrong role, wrong or expired credentials, a certificate that does not match the
// claimed id, half a frame and a stall, and 1,000 connections at once — listed cases first, then
// seeded random mutations of valid frames on both ports.
//
// Every bad connection is closed with a reason in the primary's log; a malformed or invalid
// submission is answered with a SubmitRefused instead and its connection stays open (the
// refusal is logged too) until it falls idle past net.idle_timeout_ms like any other. Meanwhile
// a good client submits and gets its summaries, the joined pre-executor stays joined, and at the
// end the primary committed exactly the good transactions (plus the mutants it was right to
// accept, which the test counts) and its store replays to the same digest.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "executor/tx/anoma_codec.h"
#include "executor/tx/transaction_codec.h"
#include "executor/workload/workload.h"
#include "net/limits.h"
#include "net/message_codec.h"
#include "net/node_messages.h"
#include "tests/node/node_cluster.h"

namespace remora::testing {
namespace {

using namespace std::chrono_literals;
using common::Bytes;
using net::MessageType;

constexpr auto kIdle = 1500ms;              // --net.idle_timeout_ms of the primary under test
constexpr auto kSlack = 5s;                 // a busy 2-core machine
constexpr std::uint32_t kCredentials = 40;  // pre-executor-1..40: 1 is real, the rest the test's

std::uint16_t type_of(MessageType type) { return static_cast<std::uint16_t>(type); }
Bytes frame(MessageType type, common::ByteView body) {
    return net::encode_frame(type_of(type), body);
}

Bytes hello(net::NodeRole role, std::uint32_t id = 0) {
    net::Hello mine;
    mine.role = role;
    mine.node_id = id;
    return net::encode_hello(mine);
}

// The transfer transactions of the primary's genesis at positions [from, from + n): the load
// generator's stream, far past what the test's loads submit.
std::vector<executor::Transaction> transactions(std::uint64_t from, std::size_t n) {
    executor::workload::WorkloadConfig config;
    config.accounts = 200;
    auto workload = executor::workload::make_workload(config);
    REQUIRE(workload.is_ok());
    for (std::uint64_t i = 0; i < from; ++i) (*workload)->next();
    std::vector<executor::Transaction> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back((*workload)->next()->tx);
    return out;
}

// One seeded mutation: bits flipped, bytes overwritten or inserted, or the tail cut.
Bytes mutate(Bytes bytes, std::mt19937_64& rng) {
    auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    if (bytes.empty()) bytes.push_back('\0');
    switch (pick(4)) {
        case 0:
            for (std::size_t i = 0, n = 1 + pick(4); i < n; ++i) {
                char& byte = bytes[pick(bytes.size())];
                byte = static_cast<char>(byte ^ (1u << pick(8)));
            }
            break;
        case 1:
            for (std::size_t i = 0, n = 1 + pick(8); i < n; ++i) {
                bytes[pick(bytes.size())] = static_cast<char>(rng());
            }
            break;
        case 2: {
            Bytes inserted;
            for (std::size_t i = 0, n = 1 + pick(8); i < n; ++i)
                inserted.push_back(static_cast<char>(rng()));
            bytes.insert(pick(bytes.size() + 1), inserted);
            break;
        }
        default:
            bytes.resize(pick(bytes.size()));
            break;
    }
    return bytes;
}

// Two frames, one of them mutated: either in its raw bytes (framing: length, type, checksum
// and body) or in its body with a valid checksum (the decoders).
Bytes mutated_pair(MessageType first_type, const Bytes& first, MessageType second_type,
                   const Bytes& second, std::mt19937_64& rng) {
    const bool mutate_first = rng() % 2 == 0;
    if (rng() % 2 == 0) {
        return mutate_first ? mutate(frame(first_type, first), rng) + frame(second_type, second)
                            : frame(first_type, first) + mutate(frame(second_type, second), rng);
    }
    const Bytes a = mutate_first ? mutate(first, rng) : first;
    const Bytes b = mutate_first ? second : mutate(second, rng);
    if (a.size() > net::limits::kFrameBodyBytesMax || b.size() > net::limits::kFrameBodyBytesMax) {
        return frame(first_type, first);
    }
    return frame(first_type, a) + frame(second_type, b);
}

Bytes truncated(Bytes bytes) {
    bytes.resize(bytes.size() / 2);
    return bytes;
}

Bytes random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Bytes out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(rng()));
    return out;
}

void raise_open_files_limit(rlim_t wanted) {
    rlimit limit{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &limit) == 0);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = std::min(wanted, limit.rlim_max);
        REQUIRE(setrlimit(RLIMIT_NOFILE, &limit) == 0);
    }
    REQUIRE(limit.rlim_cur >= wanted);
}

// The peers ("127.0.0.1:PORT") the primary's log names from byte `from` on.
std::set<std::string> logged_peers(const std::string& log, std::size_t from) {
    std::set<std::string> peers;
    const std::string prefix = "127.0.0.1:";
    for (auto at = log.find(prefix, from); at != std::string::npos; at = log.find(prefix, at + 1)) {
        std::size_t end = at + prefix.size();
        while (end < log.size() && std::isdigit(static_cast<unsigned char>(log[end]))) ++end;
        peers.insert(log.substr(at, end - at));
    }
    return peers;
}

// A bad connection's expected end: closed within `limit`, and a line of the primary's log
// (written after byte `from`) that names `who` and holds `reason`.
void check_closed_and_logged(TestCluster& cluster, TestClient& client, const std::string& who,
                             const std::string& reason, std::size_t from,
                             std::chrono::milliseconds limit = kSlack) {
    CHECK(client.closed_within(limit));
    const std::string line = cluster.log_line_with("primary", who, 5s, from);
    INFO("the log line naming " << who << ": " << line);
    CHECK_FALSE(line.empty());
    CHECK_THAT(line, Catch::Contains(reason));
}

std::optional<net::SubmitRefused> refusal(TestClient& client) {
    auto reply = client.next_frame(kSlack);
    if (!reply || reply->type != type_of(MessageType::kSubmitRefused)) return std::nullopt;
    auto refused = net::decode_submit_refused(reply->body);
    REQUIRE(refused.is_ok());
    return *refused;
}

executor::ExecutionSummary summary_of(TestClient& client) {
    auto reply = client.next_frame(kSlack);
    REQUIRE(reply.has_value());
    REQUIRE(reply->type == type_of(MessageType::kExecutionSummary));
    auto summary = executor::decode_anoma_message_as<executor::ExecutionSummary>(reply->body);
    REQUIRE(summary.is_ok());
    return *summary;
}

// --- The ingress port ------------------------------------------------------------------------

// What a good client did besides the loads: transactions it got summaries for.
struct Good {
    std::set<common::Digest> committed;
};

void listed_ingress_cases(TestCluster& cluster, const std::vector<executor::Transaction>& spare,
                          Good& good) {
    const std::uint16_t port = cluster.ingress_port();
    const Bytes client_hello = frame(MessageType::kHello, hello(net::NodeRole::kClient));
    const Bytes submit =
        frame(MessageType::kSubmitTransaction, executor::encode_transaction(spare[0]));
    std::size_t from = cluster.log_of("primary").size();

    struct Case {
        const char* name;
        bool hello_first;
        Bytes bytes;
        const char* reason;  // in the log line that names the connection
    };
    Bytes bad_checksum = client_hello;
    bad_checksum[6] ^= 0x01;
    Bytes oversized = client_hello;
    common::Bytes length;
    common::put_be32(length, net::limits::kFrameBodyBytesMax + 1);
    oversized.replace(0, 4, length);
    const Bytes ack = net::encode_state_update_ack({1, 1});
    executor::protocol::PreExecResult result;
    result.pre_executor = 1;
    const std::vector<Case> cases = {
        {"garbage", false, random_bytes(300, 7), "from 127.0.0.1"},
        {"an HTTP request", false, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "exceeds the limit"},
        {"a wrong checksum", false, bad_checksum, "fails its checksum"},
        {"an oversized length", false, oversized, "exceeds the limit"},
        {"a truncated hello", false,
         frame(MessageType::kHello, truncated(hello(net::NodeRole::kClient))), "hello"},
        {"an unverifiable hello", false, frame(MessageType::kHello, random_bytes(40, 8)), "hello"},
        {"an unknown type first", false, net::encode_frame(99, "x"), "expected hello first"},
        {"a submission before hello", false, submit, "expected hello first"},
        {"a pre-executor hello", false,
         frame(MessageType::kHello, hello(net::NodeRole::kPreExecutor, 1)),
         "takes clients, not a pre-executor"},
        {"a primary hello", false, frame(MessageType::kHello, hello(net::NodeRole::kPrimary)),
         "takes clients, not a primary"},
        {"an unknown type", true, net::encode_frame(99, "x"), "sent unknown"},
        {"a second hello", true, client_hello, "sent hello"},
        {"a PreExecResult", true,
         frame(MessageType::kPreExecResult, net::encode_pre_exec_result(result)),
         "sent pre_exec_result"},
        {"a StateUpdateAck", true, frame(MessageType::kStateUpdateAck, ack),
         "sent state_update_ack"},
        {"a heartbeat", true, frame(MessageType::kHeartbeat, net::encode_heartbeat({1})),
         "sent heartbeat"},
        {"a snapshot request", true,
         frame(MessageType::kSnapshotRequest, net::encode_snapshot_request({0})),
         "sent snapshot_request"},
        {"an ExecutionSummary", true,
         frame(MessageType::kExecutionSummary,
               executor::encode_anoma_message(executor::ExecutionSummary{})),
         "sent execution_summary"},
        {"a tentative order (primary -> pre-executor only)", true,
         frame(MessageType::kTentativeOrder,
               net::encode_tentative_order({2, 2, {common::Digest{}}})),
         "sent tentative_order"},
        // Frames that follow the one the connection is closed for are not acted on: this
        // submission must not be committed (the count at the end says so).
        {"a wrong-role frame then a submission in one write", true,
         frame(MessageType::kStateUpdateAck, ack) + submit, "sent state_update_ack"},
    };
    for (const Case& c : cases) {
        INFO("ingress: " << c.name);
        from = cluster.log_of("primary").size();
        TestClient client(port, c.hello_first);
        client.send_raw(c.bytes);
        if (c.hello_first) {
            // The wrong-role answer comes before the close.
            auto refused = refusal(client);
            REQUIRE(refused.has_value());
            CHECK(refused->reason == net::RefusalReason::kWrongRole);
        }
        check_closed_and_logged(cluster, client, client.local_endpoint(), c.reason, from);
    }

    {
        INFO("ingress: malformed and invalid submissions are refused, the connection stays open");
        TestClient client(port);
        client.send_frame(MessageType::kSubmitTransaction,
                          truncated(executor::encode_transaction(spare[1])));
        auto malformed = refusal(client);
        REQUIRE(malformed.has_value());
        CHECK(malformed->reason == net::RefusalReason::kMalformed);
        CHECK_THAT(cluster.log_line_with("primary", client.local_endpoint(), 5s, from),
                   Catch::Contains("malformed"));
        // A transaction that breaks validate_transaction is refused as malformed too: the
        // decoder checks it (executor/tx/transaction_codec.h).
        executor::Transaction unsigned_tx = spare[1];
        unsigned_tx.authenticators.clear();
        client.send_frame(MessageType::kSubmitTransaction,
                          executor::encode_transaction(unsigned_tx));
        auto invalid = refusal(client);
        REQUIRE(invalid.has_value());
        CHECK(invalid->reason == net::RefusalReason::kMalformed);
        CHECK_THAT(invalid->message, Catch::Contains("authenticators"));
        CHECK(cluster.wait_for_log("primary", "authenticators: at least one is required", 1s));
        // Still served: the next good submission gets its summary.
        client.send_frame(MessageType::kSubmitTransaction, executor::encode_transaction(spare[1]));
        const executor::ExecutionSummary summary = summary_of(client);
        CHECK(summary.tx_digest == executor::transaction_digest(spare[1]));
        good.committed.insert(summary.tx_digest);
    }
    {
        INFO("ingress: half a frame, then a stall");
        TestClient client(port);
        client.send_raw(submit.substr(0, 9));
        const auto sent = std::chrono::steady_clock::now();
        check_closed_and_logged(cluster, client, client.local_endpoint(),
                                "sent nothing for 1500 ms", from, kIdle + kSlack);
        CHECK(std::chrono::steady_clock::now() - sent >= kIdle - 200ms);
    }
    {
        INFO("ingress: connected, silent");
        TestClient client(port, false);
        check_closed_and_logged(cluster, client, client.local_endpoint(), "sent nothing for", from,
                                kIdle + kSlack);
    }
}

// A plain connection of the barrage: its bytes sent at once, then read until the node closes it.
struct RawConnection {
    int fd = -1;
    std::string endpoint;
    Bytes sent;
    net::FrameDecoder decoder;
    bool closed = false;
    std::vector<net::Frame> frames;
};

// `n` connections open at once on the ingress port, each sending a seeded mutation of a client
// hello and a submission. Each must end closed by the node (none is left open: a connection
// that survives its mutation falls idle) with a line of the log naming it; any summary it got is
// a transaction the node was right to commit, which `good` counts.
void ingress_barrage(TestCluster& cluster, const executor::Transaction& base, std::size_t n,
                     std::uint64_t seed, Good& good) {
    raise_open_files_limit(n + 512);
    const std::size_t from = cluster.log_of("primary").size();
    const Bytes client_hello = hello(net::NodeRole::kClient);
    const Bytes submit = executor::encode_transaction(base);
    std::mt19937_64 rng(seed);
    std::vector<RawConnection> connections(n);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(cluster.ingress_port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (RawConnection& c : connections) {
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(c.fd >= 0);
        REQUIRE(::connect(c.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        sockaddr_in local{};
        socklen_t size = sizeof local;
        REQUIRE(::getsockname(c.fd, reinterpret_cast<sockaddr*>(&local), &size) == 0);
        c.endpoint = "127.0.0.1:" + std::to_string(ntohs(local.sin_port));
        c.sent = mutated_pair(MessageType::kHello, client_hello, MessageType::kSubmitTransaction,
                              submit, rng);
    }
    // All connected: now every one sends.
    for (RawConnection& c : connections) {
        // MSG_NOSIGNAL: the node may have closed it already (no SIGPIPE for the test).
        (void)::send(c.fd, c.sent.data(), c.sent.size(), MSG_NOSIGNAL);
    }
    const auto deadline = std::chrono::steady_clock::now() + kIdle + 30s;
    std::size_t open = n;
    while (open > 0 && std::chrono::steady_clock::now() < deadline) {
        std::vector<pollfd> fds;
        std::vector<RawConnection*> of;
        for (RawConnection& c : connections) {
            if (c.closed) continue;
            fds.push_back({c.fd, POLLIN, 0});
            of.push_back(&c);
        }
        if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            RawConnection& c = *of[i];
            char buffer[16384];
            const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                c.closed = true;
                --open;
                continue;
            }
            REQUIRE(
                c.decoder.feed(common::ByteView(buffer, static_cast<std::size_t>(got))).is_ok());
            for (;;) {
                auto next = c.decoder.next();
                REQUIRE(next.is_ok());
                if (!*next) break;
                c.frames.push_back(std::move(**next));
            }
        }
    }
    std::size_t refused = 0;
    std::size_t summaries = 0;
    std::size_t silent = 0;  // closed without an answer
    for (RawConnection& c : connections) {
        ::close(c.fd);
        INFO("connection " << c.endpoint);
        CHECK(c.closed);
        bool answered = false;
        for (const net::Frame& f : c.frames) {
            if (f.type == type_of(MessageType::kSubmitRefused)) {
                CHECK(net::decode_submit_refused(f.body).is_ok());
                ++refused;
                answered = true;
            } else if (f.type == type_of(MessageType::kExecutionSummary)) {
                auto summary =
                    executor::decode_anoma_message_as<executor::ExecutionSummary>(f.body);
                REQUIRE(summary.is_ok());
                good.committed.insert(summary->tx_digest);
                ++summaries;
                answered = true;
            } else {
                CHECK(f.type == type_of(MessageType::kHello));
            }
        }
        if (!answered) ++silent;
    }
    // Every connection is named in the log with its reason; the close is logged right after
    // it happens, so wait for the last lines.
    std::set<std::string> logged;
    const auto log_deadline = std::chrono::steady_clock::now() + 10s;
    std::size_t unlogged = n;
    while (unlogged > 0 && std::chrono::steady_clock::now() < log_deadline) {
        logged = logged_peers(cluster.log_of("primary"), from);
        unlogged = 0;
        for (const RawConnection& c : connections) unlogged += logged.count(c.endpoint) == 0;
        if (unlogged > 0) std::this_thread::sleep_for(50ms);
    }
    for (const RawConnection& c : connections) {
        INFO("connection " << c.endpoint << " sent " << c.sent.size() << " bytes");
        CHECK(logged.count(c.endpoint) == 1);
    }
    INFO("refusals " << refused << ", summaries " << summaries << ", closed unanswered " << silent);
    // The generator reaches the framing layer, the decoders and admission (with this seed:
    // about 700 closed unanswered, 215 refused, 80 answered with a summary).
    CHECK(silent > 0);
    CHECK(refused > 0);
    CHECK(summaries > 0);
}

// --- The cluster port ------------------------------------------------------------------------

net::TlsFiles credentials(const TestCluster& cluster, std::uint32_t id) {
    return net::cluster_files(cluster.tls_dir(), "pre-executor-" + std::to_string(id));
}

// What the primary's log says of a link once its hello named it.
std::string link_of(std::uint32_t id) {
    return "cluster link of pre-executor " + std::to_string(id);
}

// A TLS connection as pre-executor `id` whose hello was answered.
void say_hello(TestClient& client, std::uint32_t id) {
    client.send_frame(MessageType::kHello, hello(net::NodeRole::kPreExecutor, id));
    auto reply = client.next_frame(kSlack);
    REQUIRE(reply.has_value());
    REQUIRE(reply->type == type_of(MessageType::kHello));
}

void listed_cluster_cases(TestCluster& cluster, const executor::Transaction& tx) {
    const std::uint16_t port = cluster.cluster_port();
    const std::size_t from = cluster.log_of("primary").size();
    const Bytes pre_hello = frame(MessageType::kHello, hello(net::NodeRole::kPreExecutor, 2));
    {
        INFO("cluster: plain TCP garbage instead of a TLS handshake");
        TestClient client(port, false);
        client.send_raw(random_bytes(300, 9));
        check_closed_and_logged(cluster, client, client.local_endpoint(),
                                "cluster connection refused", from);
    }
    {
        INFO("cluster: a frame in the clear instead of a TLS handshake");
        TestClient client(port, false);
        client.send_raw(pre_hello);
        check_closed_and_logged(cluster, client, client.local_endpoint(),
                                "cluster connection refused", from);
    }
    {
        INFO("cluster: half a TLS record, then a stall (net.handshake_timeout_ms)");
        TestClient client(port, false);
        client.send_raw(Bytes("\x16\x03\x01", 3));
        check_closed_and_logged(cluster, client, client.local_endpoint(), "timed out", from,
                                kIdle + kSlack);
    }
    {
        INFO("cluster: a certificate of another cluster's CA");
        TempDir other("node-bad-other-ca");
        const std::vector<std::string> names{"pre-executor-2"};
        REQUIRE(net::write_cluster_credentials(other.path().string(), names, std::chrono::hours(1))
                    .is_ok());
        net::TlsFiles files = net::cluster_files(other.path().string(), "pre-executor-2");
        files.ca_cert =
            credentials(cluster, 2).ca_cert;  // it trusts the primary: only it is refused
        TestClient client(port, files);
        check_closed_and_logged(cluster, client, client.local_endpoint(),
                                "cluster connection refused", from);
        CHECK_THAT(cluster.log_line_with("primary", client.local_endpoint(), 1s, from),
                   Catch::Contains("certificate"));
    }
    {
        INFO("cluster: an expired certificate of the cluster's CA");
        const auto now = std::chrono::system_clock::now();
        const std::vector<std::string> names{"expired-1"};
        REQUIRE(
            net::add_node_credentials(cluster.tls_dir(), names, {now - 48h, now - 24h}).is_ok());
        net::TlsFiles files = net::cluster_files(cluster.tls_dir(), "expired-1");
        TestClient client(port, files);
        check_closed_and_logged(cluster, client, client.local_endpoint(), "certificate has expired",
                                from);
    }

    // With valid credentials, in TLS: pre-executor-2's certificate unless said otherwise.
    Bytes bad_checksum = pre_hello;
    bad_checksum[10] ^= 0x40;
    Bytes oversized = pre_hello;
    oversized[0] = static_cast<char>(0xff);
    struct Case {
        const char* name;
        std::uint32_t hello_as;  // 0: no hello first
        Bytes bytes;
        const char* reason;
    };
    const std::vector<Case> cases = {
        {"garbage", 0, random_bytes(300, 10), "from 127.0.0.1"},
        {"a wrong checksum", 0, bad_checksum, "fails its checksum"},
        {"an oversized length", 0, oversized, "exceeds the limit"},
        {"a truncated hello", 0,
         frame(MessageType::kHello, truncated(hello(net::NodeRole::kPreExecutor, 2))), "hello"},
        {"an unverifiable hello", 0, frame(MessageType::kHello, random_bytes(64, 11)), "hello"},
        {"an unknown type first", 0, net::encode_frame(99, "x"), "expected hello first"},
        {"a client hello", 0, frame(MessageType::kHello, hello(net::NodeRole::kClient)),
         "takes pre-executors, not a client"},
        {"a primary hello", 0, frame(MessageType::kHello, hello(net::NodeRole::kPrimary, 2)),
         "takes pre-executors, not a primary"},
        {"a submission first", 0,
         frame(MessageType::kSubmitTransaction, executor::encode_transaction(tx)),
         "expected hello first"},
        {"a hello claiming another id", 0,
         frame(MessageType::kHello, hello(net::NodeRole::kPreExecutor, 3)),
         "certificate 'pre-executor-2' may not speak as pre-executor 3"},
        {"a hello claiming id 0", 0,
         frame(MessageType::kHello, hello(net::NodeRole::kPreExecutor, 0)),
         "a pre-executor hello with id 0 (ids start at 1)"},
        {"a client submission after hello", 4,
         frame(MessageType::kSubmitTransaction, executor::encode_transaction(tx)),
         "has no business on the cluster port"},
        {"an unknown type after hello", 5, net::encode_frame(99, "x"),
         "has no business on the cluster port"},
        {"an ExecutionSummary after hello", 6,
         frame(MessageType::kExecutionSummary,
               executor::encode_anoma_message(executor::ExecutionSummary{})),
         "has no business on the cluster port"},
        {"a truncated StateUpdateAck", 7,
         frame(MessageType::kStateUpdateAck, truncated(net::encode_state_update_ack({7, 1}))),
         "state_update_ack"},
        {"an acknowledgement for another pre-executor", 8,
         frame(MessageType::kStateUpdateAck, net::encode_state_update_ack({1, 1})),
         "an acknowledgement for pre-executor 1"},
        {"a result before joining", 9,
         frame(MessageType::kPreExecResult, net::encode_pre_exec_result({})),
         "a result before joining"},
    };
    for (const Case& c : cases) {
        INFO("cluster: " << c.name);
        const std::size_t case_from = cluster.log_of("primary").size();
        // Each case that says hello has its own id (a link is forgotten only after its close).
        TestClient client(port, credentials(cluster, c.hello_as != 0 ? c.hello_as : 2));
        REQUIRE(client.handshake_status().is_ok());
        if (c.hello_as != 0) say_hello(client, c.hello_as);
        client.send_raw(c.bytes);
        check_closed_and_logged(cluster, client,
                                c.hello_as != 0 ? link_of(c.hello_as) : client.local_endpoint(),
                                c.reason, case_from);
    }
    {
        INFO("cluster: a second connection as the joined pre-executor 1");
        TestClient client(port, credentials(cluster, 1));
        REQUIRE(client.handshake_status().is_ok());
        client.send_frame(MessageType::kHello, hello(net::NodeRole::kPreExecutor, 1));
        check_closed_and_logged(cluster, client, client.local_endpoint(),
                                "pre-executor 1 is already connected", from);
    }
    {
        INFO("cluster: hello, then half a frame and a stall");
        TestClient client(port, credentials(cluster, 3));
        REQUIRE(client.handshake_status().is_ok());
        say_hello(client, 3);
        client.send_raw(frame(MessageType::kHeartbeat, net::encode_heartbeat({1})).substr(0, 9));
        check_closed_and_logged(cluster, client, link_of(3), "sent nothing for 1500 ms", from,
                                kIdle + kSlack);
    }
}

// `n` TLS connections at once, pre-executors 10.., each a seeded mutation of its hello and one
// other cluster message. Each ends closed with a log line naming it (by address, or by id once
// its hello was taken); a mutant that survives falls idle and is closed too.
void cluster_barrage(TestCluster& cluster, const executor::Transaction& tx, std::uint32_t n,
                     std::uint64_t seed) {
    const std::size_t from = cluster.log_of("primary").size();
    std::mt19937_64 rng(seed);
    struct Outcome {
        std::string endpoint;
        std::uint32_t id = 0;
        bool closed = false;
    };
    std::vector<std::future<Outcome>> running;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t id = 10 + i;
        const std::pair<MessageType, Bytes> others[] = {
            {MessageType::kStateUpdateAck, net::encode_state_update_ack({id, 1})},
            {MessageType::kHeartbeat, net::encode_heartbeat({1})},
            {MessageType::kSnapshotRequest, net::encode_snapshot_request({0})},
            {MessageType::kSnapshotChunkRequest,
             net::encode_snapshot_chunk_request({1, 0, 0, 4096})},
            {MessageType::kPreExecResult, net::encode_pre_exec_result({id, {}, {}, {}, 1, {}, {}})},
            {MessageType::kSubmitTransaction, executor::encode_transaction(tx)},
        };
        const auto& other = others[rng() % std::size(others)];
        Bytes bytes = mutated_pair(MessageType::kHello, hello(net::NodeRole::kPreExecutor, id),
                                   other.first, other.second, rng);
        running.push_back(std::async(std::launch::async, [&cluster, id, bytes = std::move(bytes)] {
            TestClient client(cluster.cluster_port(), credentials(cluster, id));
            Outcome outcome{client.local_endpoint(), id, false};
            if (!client.handshake_status().is_ok()) return outcome;
            client.send_raw(bytes);
            outcome.closed = client.closed_within(kIdle + 20s);
            return outcome;
        }));
    }
    std::vector<Outcome> outcomes;
    for (auto& r : running) outcomes.push_back(r.get());
    for (const Outcome& o : outcomes) {
        INFO("pre-executor " << o.id << " from " << o.endpoint);
        CHECK(o.closed);
        const bool by_address = !cluster.log_line_with("primary", o.endpoint, 5s, from).empty();
        const bool by_id =
            !cluster.log_line_with("primary", link_of(o.id), 0ms, from).empty() ||
            !cluster
                 .log_line_with("primary", "pre-executor " + std::to_string(o.id) + " left", 0ms,
                                from)
                 .empty();
        CHECK((by_address || by_id));
    }
}

TEST_CASE(
    "bad input on the ingress and cluster ports: each bad connection is closed with a "
    "logged reason while the node serves everyone else and loses nothing",
    "[node][integration]") {
    TestCluster cluster("node-bad-input", kCredentials);
    cluster.start_primary({"--net.idle_timeout_ms", "1500", "--net.handshake_timeout_ms", "1500"});
    cluster.start_pre_executor(1);
    cluster.wait_joined(1);
    const std::vector<executor::Transaction> spare = transactions(5000, 4);

    // A good client throughout: its load runs while the bad input comes.
    auto during =
        std::async(std::launch::async, [&] { return node::run_load(load(cluster, 200, 6)); });
    Good good;
    listed_ingress_cases(cluster, spare, good);
    ingress_barrage(cluster, spare[2], 1000, 20240601, good);
    listed_cluster_cases(cluster, spare[3]);
    cluster_barrage(cluster, spare[3], 24, 20240602);

    auto first = during.get();
    REQUIRE(first.is_ok());
    check_all_committed(*first);
    // And after it: served as before.
    auto after = node::run_load(load(cluster, 200, 1, first->offered));
    REQUIRE(after.is_ok());
    check_all_committed(*after);
    CHECK(after->succeeded == after->offered);

    // The joined pre-executor stayed joined through all of it.
    CHECK(cluster.pre_executor(1).running());
    CHECK(cluster.log_of("primary").find("pre-executor 1 left") == std::string::npos);
    CHECK(cluster.log_of("primary").find("pre-executor 1 joined") ==
          cluster.log_of("primary").rfind("pre-executor 1 joined"));

    REQUIRE(cluster.stop_primary() == 0);
    const nlohmann::json stats = cluster.primary_stats();
    // Exactly the good transactions and the mutants the node answered with a summary; never
    // the submission that followed a wrong-role frame (spare[0]).
    CHECK(good.committed.count(executor::transaction_digest(spare[0])) == 0);
    CHECK(stats["transactions"].get<std::uint64_t>() ==
          first->offered + after->offered + good.committed.size());
    CHECK(stats["adopted"].get<std::uint64_t>() > 0);
    check_replay_matches(cluster);
}

// Wire version 4 (docs/wire_format.md): a pre-executor that speaks it is sent the client's
// transaction bytes exactly as submitted (forward_transaction); one that negotiated version 3 still
// gets an ExecuteTransaction. Both are the test's own pre-executors, which never answer: the
// primary re-executes and the client gets its summary all the same.
TEST_CASE(
    "a version-4 pre-executor gets the client's bytes verbatim, a version-3 one an "
    "ExecuteTransaction",
    "[node][integration]") {
    TestCluster cluster("node-forward", 3);
    cluster.start_primary({"--cluster.peer_timeout_ms", "60000"});
    const std::vector<executor::Transaction> txs = transactions(100, 2);
    TestClient client(cluster.ingress_port());
    for (std::uint32_t version : {4u, 3u}) {
        INFO("a pre-executor of wire version " << version);
        const std::uint32_t id = version == 4 ? 2 : 3;
        const executor::Transaction& tx = txs[version == 4 ? 0 : 1];
        TestClient pre(cluster.cluster_port(), credentials(cluster, id));
        REQUIRE(pre.handshake_status().is_ok());
        net::Hello mine;
        mine.role = net::NodeRole::kPreExecutor;
        mine.node_id = id;
        mine.protocol_version = version;
        pre.send_frame(MessageType::kHello, net::encode_hello(mine));
        auto reply = pre.next_frame(kSlack);
        REQUIRE(reply.has_value());
        REQUIRE(reply->type == type_of(MessageType::kHello));
        pre.send_frame(MessageType::kStateUpdateAck, net::encode_state_update_ack({id, 1}));
        REQUIRE(cluster.wait_for_log("primary", "pre-executor " + std::to_string(id) + " joined",
                                     kSlack));
        // A buffer the primary would not write itself: unreferenced bytes after the table.
        const Bytes submitted = executor::encode_transaction(tx) + Bytes(3, '\x5a');
        client.send_frame(MessageType::kSubmitTransaction, submitted);
        std::optional<net::Frame> sent;
        while (auto next = pre.next_frame(kSlack)) {
            if (next->type == type_of(MessageType::kForwardTransaction) ||
                next->type == type_of(MessageType::kExecuteTransaction)) {
                sent = std::move(next);
                break;
            }
        }
        REQUIRE(sent.has_value());
        if (version == 4) {
            REQUIRE(sent->type == type_of(MessageType::kForwardTransaction));
            CHECK(sent->body == net::encode_forward_transaction(submitted));
            CHECK(net::decode_forward_transaction(sent->body).value() == tx);
        } else {
            REQUIRE(sent->type == type_of(MessageType::kExecuteTransaction));
            auto execute =
                executor::decode_anoma_message_as<executor::ExecuteTransaction>(sent->body);
            REQUIRE(execute.is_ok());
            CHECK(execute->executable == tx);
        }
        CHECK(summary_of(client).tx_digest == executor::transaction_digest(tx));
    }
}

std::size_t occurrences(const std::string& text, const std::string& what, std::size_t from) {
    std::size_t n = 0;
    for (auto at = text.find(what, from); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

// Out of file descriptors, every accept fails at once while connections wait in the backlog: the
// primary pauses between tries (node/links.h, AcceptPacer) instead of spinning on accept and
// writing a log line per try, and serves again once descriptors are free.
TEST_CASE("a primary out of file descriptors pauses its accepts and serves again once they free",
          "[node][integration]") {
    TestCluster cluster("node-fds", 1);
    cluster.start_primary();
    const pid_t pid = cluster.primary().pid();
    std::size_t open_fds = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        ++open_fds;
    }
    rlimit before{};
    REQUIRE(prlimit(pid, RLIMIT_NOFILE, nullptr, &before) == 0);
    rlimit tight = before;
    tight.rlim_cur = open_fds + 4;  // the soft limit only: raising it back needs no privilege
    REQUIRE(prlimit(pid, RLIMIT_NOFILE, &tight, nullptr) == 0);

    const std::size_t from = cluster.log_of("primary").size();
    std::vector<std::unique_ptr<TestClient>> crowd;
    for (int i = 0; i < 40; ++i)
        crowd.push_back(std::make_unique<TestClient>(cluster.ingress_port(), false));
    REQUIRE(cluster.wait_for_log("primary", "ingress accept failed", kSlack));
    std::this_thread::sleep_for(1500ms);
    const std::string log = cluster.log_of("primary");
    INFO(log.substr(from));
    // One line for the whole streak (it was one line per failed accept: thousands a second).
    CHECK(occurrences(log, "ingress accept failed", from) == 1);
    CHECK(log.size() - from < 4096);

    REQUIRE(prlimit(pid, RLIMIT_NOFILE, &before, nullptr) == 0);
    crowd.clear();
    TestClient client(cluster.ingress_port());  // its hello is answered
    CHECK(cluster.wait_for_log("primary", "ingress accepting again after", kSlack));
    auto report = node::run_load(load(cluster, 100, 1));
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    REQUIRE(cluster.stop_primary() == 0);
    check_replay_matches(cluster);
}

// A crowd of clients holds at most net.max_client_connections: one more is closed as it is
// accepted (one log line for the streak, counted in /metrics), silent connections that never said
// hello count too, and a client is served again once one of them leaves.
TEST_CASE(
    "a primary at net.max_client_connections closes the next client at once and serves "
    "again once one leaves",
    "[node][integration]") {
    TestCluster cluster("node-max-clients", 1);
    cluster.start_primary({"--net.max_client_connections", "3"});
    const std::uint16_t metrics = metrics_port_of(cluster.dir() + "/primary");
    const std::size_t from = cluster.log_of("primary").size();
    std::vector<std::unique_ptr<TestClient>> held;
    held.push_back(std::make_unique<TestClient>(cluster.ingress_port()));
    held.push_back(std::make_unique<TestClient>(cluster.ingress_port(), false));  // silent
    // Accepted in order: once the third's hello is answered, all three hold a slot.
    held.push_back(std::make_unique<TestClient>(cluster.ingress_port()));
    CHECK(scrape(metrics, "remora_ingress_connections") == 3);

    std::vector<std::unique_ptr<TestClient>> crowd;
    for (int i = 0; i < 5; ++i) {
        crowd.push_back(std::make_unique<TestClient>(cluster.ingress_port(), false));
    }
    for (auto& client : crowd) CHECK(client->closed_within(kSlack));
    CHECK(scrape(metrics, "remora_ingress_connections_refused_total") == 5);
    const std::string log = cluster.log_of("primary");
    INFO(log.substr(from));
    CHECK(occurrences(log, "client connections are open (net.max_client_connections)", from) == 1);
    CHECK_FALSE(held.front()->closed_within(300ms));  // those held stay open

    held[1].reset();  // the silent one leaves: its slot frees once the primary sees it close
    const auto deadline = std::chrono::steady_clock::now() + kSlack;
    while (scrape(metrics, "remora_ingress_connections") != 2 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(scrape(metrics, "remora_ingress_connections") == 2);
    auto report = node::run_load(load(cluster, 100, 1));
    REQUIRE(report.is_ok());
    check_all_committed(*report);
    CHECK(cluster.wait_for_log(
        "primary", "ingress accepting clients again after 5 connections refused", kSlack));
    REQUIRE(cluster.stop_primary() == 0);
    check_replay_matches(cluster);
}

}  // namespace
}  // namespace remora::testing
