#include "tests/node/node_cluster.h"

#include <catch2/catch.hpp>

#include <poll.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "net/message_codec.h"
#include "net/tls.h"
#include "node/config.h"
#include "node/node_files.h"

namespace remora::testing {

using namespace std::chrono_literals;

namespace {

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& extra) {
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
}

}  // namespace

TestCluster::TestCluster(const std::string& prefix, std::uint32_t pre_executors_max)
    : m_dir(prefix) {
    std::vector<std::string> names = {"primary"};
    for (std::uint32_t i = 1; i <= pre_executors_max; ++i) {
        names.push_back("pre-executor-" + std::to_string(i));
    }
    REQUIRE(net::write_cluster_credentials(tls_dir(), names, std::chrono::hours(1)).is_ok());
}

TestCluster::~TestCluster() {
    for (auto& [id, pre] : m_pre) pre.stop(5s);
    if (m_primary) m_primary->stop(30s);
}

std::string TestCluster::log_of(const std::string& name) const {
    std::ifstream in(m_dir.sub(name + ".log"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool TestCluster::wait_for_log(const std::string& name, const std::string& text,
                               std::chrono::milliseconds limit, std::size_t times) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string log = log_of(name);
        std::size_t found = 0;
        for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++found;
        if (found >= times) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

void TestCluster::start_primary(const std::vector<std::string>& extra) {
    const std::string log = m_dir.sub("primary.log");
    std::remove((primary_dir() + "/node.json").c_str());
    auto child = node::ChildProcess::spawn(
        with({REMORA_NODE_PATH, "--node.role", "primary", "--node.dir", primary_dir(),
              "--tls.dir", tls_dir(), "--workload.accounts", "200", "--net.io_threads", "1"},
             extra),
        log, log);
    REQUIRE(child.is_ok());
    m_primary.emplace(std::move(child).value());
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!m_primary->running()) FAIL("the primary exited:\n" << log_of("primary"));
        auto info = node::read_json_file(node::node_info_path(primary_dir()));
        if (info && info->contains("ingress_port")) {
            m_ingress_port = (*info)["ingress_port"].get<std::uint16_t>();
            m_cluster_port = (*info)["cluster_port"].get<std::uint16_t>();
            return;
        }
        std::this_thread::sleep_for(20ms);
    }
    FAIL("the primary did not come up:\n" << log_of("primary"));
}

void TestCluster::start_pre_executor(std::uint32_t id, const std::vector<std::string>& extra) {
    const std::string name = "pre-executor-" + std::to_string(id);
    const std::string log = m_dir.sub(name + ".log");
    auto child = node::ChildProcess::spawn(
        with({REMORA_NODE_PATH, "--node.role", "pre-executor", "--node.id", std::to_string(id),
              "--node.dir", m_dir.sub(name), "--tls.dir", tls_dir(), "--net.io_threads", "1",
              "--pre_executor.verify_threads", "1", "--net.primary",
              "127.0.0.1:" + std::to_string(m_cluster_port)},
             extra),
        log, log);
    REQUIRE(child.is_ok());
    m_pre.erase(id);
    m_pre.emplace(id, std::move(child).value());
}

std::uint64_t TestCluster::wait_joined(std::uint32_t id, std::chrono::seconds limit) {
    const std::string name = "pre-executor-" + std::to_string(id);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!m_pre.at(id).running()) FAIL(name << " exited:\n" << log_of(name));
        auto info = node::read_json_file(node::node_info_path(m_dir.sub(name)));
        if (info && info->contains("joined_commit")) {
            return (*info)["joined_commit"].get<std::uint64_t>();
        }
        std::this_thread::sleep_for(20ms);
    }
    FAIL(name << " did not join:\n" << log_of(name));
    return 0;
}

int TestCluster::stop_primary(std::chrono::seconds limit) {
    const int code = m_primary->stop(limit);
    return code;
}

int TestCluster::stop_pre_executor(std::uint32_t id) { return m_pre.at(id).stop(10s); }

nlohmann::json TestCluster::primary_stats() const {
    auto stats = node::read_json_file(node::node_stats_path(primary_dir()));
    REQUIRE(stats.is_ok());
    return *stats;
}

nlohmann::json TestCluster::replay() const {
    const std::string out = m_dir.sub("replay.json");
    std::remove(out.c_str());
    auto child = node::ChildProcess::spawn(
        {REMORA_INSPECT_PATH, "--db", primary_dir() + "/store", "replay-verify", "--json"}, out,
        m_dir.sub("replay.log"));
    REQUIRE(child.is_ok());
    REQUIRE(child->wait_for(300s).has_value());
    auto json = node::read_json_file(out);
    REQUIRE(json.is_ok());
    return *json;
}

std::uint16_t metrics_port_of(const std::string& node_dir) {
    auto info = node::read_json_file(node::node_info_path(node_dir));
    REQUIRE(info.is_ok());
    return (*info)["metrics_port"].get<std::uint16_t>();
}

// --- TestClient --------------------------------------------------------------------------------

TestClient::TestClient(std::uint16_t port, bool hello) {
    m_socket.connect({net::asio::ip::make_address("127.0.0.1"), port});
    if (!hello) return;
    net::Hello mine;
    mine.role = net::NodeRole::kClient;
    send_frame(net::MessageType::kHello, net::encode_hello(mine));
    auto reply = next_frame();
    REQUIRE(reply.has_value());
    REQUIRE(reply->type == static_cast<std::uint16_t>(net::MessageType::kHello));
}

TestClient::~TestClient() {
    boost::system::error_code ignored;
    m_socket.close(ignored);
}

void TestClient::send_raw(common::ByteView bytes) {
    boost::system::error_code ec;
    net::asio::write(m_socket, net::asio::buffer(bytes.data(), bytes.size()), ec);
}

void TestClient::send_frame(net::MessageType type, common::ByteView body) {
    send_raw(net::encode_frame(static_cast<std::uint16_t>(type), body));
}

std::optional<net::Frame> TestClient::next_frame(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        auto frame = m_decoder.next();
        if (!frame) return std::nullopt;
        if (*frame) return std::move(**frame);
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return std::nullopt;
        // A bounded read: wait for readability with poll(2), then read what is there.
        pollfd fd{m_socket.native_handle(), POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
        char buffer[65536];
        boost::system::error_code ec;
        const std::size_t n = m_socket.read_some(net::asio::buffer(buffer), ec);
        if (ec || n == 0) return std::nullopt;
        if (!m_decoder.feed(common::ByteView(buffer, n)).is_ok()) return std::nullopt;
    }
}

bool TestClient::closed_within(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{m_socket.native_handle(), POLLIN, 0};
        if (::poll(&fd, 1, 20) <= 0) continue;
        char buffer[65536];
        boost::system::error_code ec;
        const std::size_t n = m_socket.read_some(net::asio::buffer(buffer), ec);
        if (ec || n == 0) return true;
    }
    return false;
}

}  // namespace remora::testing
