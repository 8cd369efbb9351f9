#pragma once
// Real remora-node processes on loopback for the node's integration tests: a temporary
// directory with cluster credentials, a primary and pre-executors started as a user starts them
// (the binaries, flags), ended by pid when the cluster object dies — also when a test fails —
// and a minimal synchronous ingress client.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "net/asio.h"
#include "net/frame.h"
#include "net/tls.h"
#include "node/http_server.h"
#include "node/load_generator.h"
#include "node/process.h"
#include "tests/support/temp_dir.h"

namespace remora::testing {

class TestCluster {
public:
    // Credentials for the primary and pre-executors 1..`pre_executors_max`.
    explicit TestCluster(const std::string& prefix, std::uint32_t pre_executors_max = 4);
    ~TestCluster();

    // Starts the primary (workload transfer, seed 1, 200 accounts unless `extra` says otherwise)
    // and waits for its node.json; FAILs the test when it does not come up.
    void start_primary(const std::vector<std::string>& extra = {});
    // `primary_port`: where it connects (0: the primary's cluster port; a FaultProxy's port
    // puts the proxy between them).
    void start_pre_executor(std::uint32_t id, const std::vector<std::string>& extra = {},
                            std::uint16_t primary_port = 0);
    // Waits until pre-executor `id` has joined (its node.json says joined_commit); returns it.
    std::uint64_t wait_joined(std::uint32_t id,
                              std::chrono::seconds limit = std::chrono::seconds(60));

    node::ChildProcess& primary() { return *m_primary; }
    node::ChildProcess& pre_executor(std::uint32_t id) { return m_pre.at(id); }
    // SIGTERM and wait (grace `limit`); returns the exit code.
    int stop_primary(std::chrono::seconds limit = std::chrono::seconds(60));
    int stop_pre_executor(std::uint32_t id);

    std::uint16_t ingress_port() const { return m_ingress_port; }
    std::uint16_t cluster_port() const { return m_cluster_port; }
    std::string dir() const { return m_dir.path().string(); }
    std::string primary_dir() const { return m_dir.sub("primary"); }
    std::string tls_dir() const { return m_dir.sub("tls"); }
    std::string log_of(const std::string& name) const;  // "primary", "pre-executor-1"
    // The first line of the node's log, from byte `from` on, that holds `text`; waits up to
    // `limit` for it; "" when none came.
    std::string log_line_with(const std::string& name, const std::string& text,
                              std::chrono::milliseconds limit, std::size_t from = 0);
    // Waits until the node's log holds `text`; true when it does within `limit`.
    bool wait_for_log(const std::string& name, const std::string& text,
                      std::chrono::milliseconds limit, std::size_t times = 1);
    nlohmann::json primary_stats() const;  // node-stats.json, after the primary stopped
    // remora-inspect replay-verify --json on the primary's store (after it stopped).
    nlohmann::json replay() const;

private:
    TempDir m_dir;
    std::optional<node::ChildProcess> m_primary;
    std::map<std::uint32_t, node::ChildProcess> m_pre;
    std::uint16_t m_ingress_port = 0;
    std::uint16_t m_cluster_port = 0;
};

// A node's metrics port from its node.json.
std::uint16_t metrics_port_of(const std::string& node_dir);
// GET from a node's metrics port; status 0 when nothing answered.
node::HttpAnswer http_get(std::uint16_t port, const std::string& target);
// The value of the sample `name{labels}` (exact text before the value) in a scrape, or -1.
double sample(const std::string& scrape, const std::string& series);
// One series from the node's /metrics (the scrape must answer 200).
double scrape(std::uint16_t port, const std::string& series);

// A blocking client of the ingress port (plain TCP) or of the cluster port (mutual TLS), for
// tests: every wait is bounded.
class TestClient {
public:
    // Connects; with `hello`, also says hello as a client and checks the reply.
    TestClient(std::uint16_t port, bool hello = true);
    // Connects over TLS presenting `files` and runs the client's handshake (handshake_status()).
    // TLS 1.3: a server that refuses the certificate does so after the client's handshake
    // succeeded, and the client learns it at its next read.
    TestClient(std::uint16_t port, const net::TlsFiles& files);
    ~TestClient();

    common::Status handshake_status() const { return m_handshake; }
    // This end's address as the node logs its peer: "127.0.0.1:PORT".
    std::string local_endpoint() const { return m_local; }

    void send_raw(common::ByteView bytes);
    void send_frame(net::MessageType type, common::ByteView body);
    // The next frame, or nullopt when the connection closed or nothing came within `limit`.
    std::optional<net::Frame> next_frame(
        std::chrono::milliseconds limit = std::chrono::seconds(10));
    // True when the node closed the connection within `limit` (frames before it are dropped).
    bool closed_within(std::chrono::milliseconds limit);

private:
    // Bytes read into `data` (> 0), 0 when the connection closed (EOF, reset, TLS alert), -1
    // when nothing came within `limit`.
    long read_for(char* data, std::size_t size, std::chrono::milliseconds limit);
    net::asio::ip::tcp::socket& socket();

    net::asio::io_context m_io;
    net::asio::ip::tcp::socket m_socket{m_io};
    std::shared_ptr<net::asio::ssl::context> m_tls_context;
    std::shared_ptr<net::TlsStream> m_tls;  // null: plain TCP
    common::Status m_handshake;
    std::string m_local;
    net::FrameDecoder m_decoder;
};

// Load on the cluster's ingress port: the transfer workload of its genesis (200 accounts), its
// transactions from position `skip` on.
node::LoadConfig load(const TestCluster& cluster, double rate, double seconds,
                      std::uint64_t skip = 0);
// Every offered transaction answered with a summary, none refused or lost.
void check_all_committed(const node::LoadReport& report);
// The primary's final digest (node-stats.json, after it stopped) is the sequential replay's.
void check_replay_matches(TestCluster& cluster);

}  // namespace remora::testing
