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
    void start_pre_executor(std::uint32_t id, const std::vector<std::string>& extra = {});
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

// A blocking client of the ingress port, for tests: every wait is bounded.
class TestClient {
public:
    // Connects; with `hello`, also says hello as a client and checks the reply.
    TestClient(std::uint16_t port, bool hello = true);
    ~TestClient();

    void send_raw(common::ByteView bytes);
    void send_frame(net::MessageType type, common::ByteView body);
    // The next frame, or nullopt when the connection closed or nothing came within `limit`.
    std::optional<net::Frame> next_frame(
        std::chrono::milliseconds limit = std::chrono::seconds(10));
    // True when the node closed the connection within `limit` (frames before it are dropped).
    bool closed_within(std::chrono::milliseconds limit);

private:
    net::asio::io_context m_io;
    net::asio::ip::tcp::socket m_socket{m_io};
    net::FrameDecoder m_decoder;
};

}  // namespace remora::testing
