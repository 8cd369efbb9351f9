#include "tests/node/node_cluster.h"

#include <catch2/catch.hpp>

#include <algorithm>
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

std::vector<std::string> with(std::vector<std::string> base,
                              const std::vector<std::string>& extra) {
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
        for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
            ++found;
        if (found >= times) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

std::string TestCluster::log_line_with(const std::string& name, const std::string& text,
                                       std::chrono::milliseconds limit, std::size_t from) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        const std::string log = log_of(name);
        const std::size_t at = from < log.size() ? log.find(text, from) : std::string::npos;
        if (at != std::string::npos) {
            const std::size_t begin = log.rfind('\n', at);
            const std::size_t end = log.find('\n', at);
            const std::size_t first = begin == std::string::npos ? 0 : begin + 1;
            return log.substr(first, end == std::string::npos ? std::string::npos : end - first);
        }
        if (std::chrono::steady_clock::now() >= deadline) return "";
        std::this_thread::sleep_for(20ms);
    }
}

void TestCluster::start_primary(const std::vector<std::string>& extra) {
    const std::string log = m_dir.sub("primary.log");
    std::remove((primary_dir() + "/node.json").c_str());
    std::vector<std::string> base = {REMORA_NODE_PATH, "--node.role",      "primary",
                                     "--node.dir",     primary_dir(),      "--tls.dir",
                                     tls_dir(),        "--net.io_threads", "1"};
    // 200 accounts unless `extra` names its own (the node refuses an option given twice).
    if (std::find(extra.begin(), extra.end(), "--workload.accounts") == extra.end()) {
        base.insert(base.end(), {"--workload.accounts", "200"});
    }
    auto child = node::ChildProcess::spawn(with(std::move(base), extra), log, log);
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

void TestCluster::start_pre_executor(std::uint32_t id, const std::vector<std::string>& extra,
                                     std::uint16_t primary_port) {
    const std::string name = "pre-executor-" + std::to_string(id);
    const std::string log = m_dir.sub(name + ".log");
    auto child = node::ChildProcess::spawn(
        with({REMORA_NODE_PATH, "--node.role", "pre-executor", "--node.id", std::to_string(id),
              "--node.dir", m_dir.sub(name), "--tls.dir", tls_dir(), "--net.io_threads", "1",
              "--pre_executor.verify_threads", "1", "--net.primary",
              "127.0.0.1:" + std::to_string(primary_port != 0 ? primary_port : m_cluster_port)},
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

node::HttpAnswer http_get(std::uint16_t port, const std::string& target) {
    auto answer = node::http_get("127.0.0.1", port, target, 10s);
    return answer.is_ok() ? *answer : node::HttpAnswer{0, "", answer.status().message()};
}

double sample(const std::string& scrape, const std::string& series) {
    std::istringstream lines(scrape);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return -1;
}

double scrape(std::uint16_t port, const std::string& series) {
    const node::HttpAnswer answer = http_get(port, "/metrics");
    REQUIRE(answer.status == 200);
    return sample(answer.body, series);
}

// --- TestClient --------------------------------------------------------------------------------

TestClient::TestClient(std::uint16_t port, bool hello) {
    m_socket.connect({net::asio::ip::make_address("127.0.0.1"), port});
    m_local = "127.0.0.1:" + std::to_string(m_socket.local_endpoint().port());
    if (!hello) return;
    net::Hello mine;
    mine.role = net::NodeRole::kClient;
    send_frame(net::MessageType::kHello, net::encode_hello(mine));
    auto reply = next_frame();
    REQUIRE(reply.has_value());
    REQUIRE(reply->type == static_cast<std::uint16_t>(net::MessageType::kHello));
}

TestClient::TestClient(std::uint16_t port, const net::TlsFiles& files) {
    auto context = net::make_cluster_context(files, net::TlsRole::kClient);
    REQUIRE(context.is_ok());
    m_tls_context = std::move(context).value();
    m_socket.connect({net::asio::ip::make_address("127.0.0.1"), port});
    m_local = "127.0.0.1:" + std::to_string(m_socket.local_endpoint().port());
    m_tls = std::make_shared<net::TlsStream>(std::move(m_socket), *m_tls_context);
    std::optional<common::Status> outcome;
    net::async_tls_handshake(m_tls, net::TlsRole::kClient, 5s,
                             [&outcome](common::Status status) { outcome = std::move(status); });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!outcome && std::chrono::steady_clock::now() < deadline) {
        m_io.restart();
        m_io.run_for(10ms);
    }
    REQUIRE(outcome.has_value());
    m_handshake = *outcome;
}

TestClient::~TestClient() {
    boost::system::error_code ignored;
    socket().close(ignored);
}

net::asio::ip::tcp::socket& TestClient::socket() { return m_tls ? m_tls->next_layer() : m_socket; }

void TestClient::send_raw(common::ByteView bytes) {
    boost::system::error_code ec;
    if (m_tls) {
        net::asio::write(*m_tls, net::asio::buffer(bytes.data(), bytes.size()), ec);
    } else {
        net::asio::write(m_socket, net::asio::buffer(bytes.data(), bytes.size()), ec);
    }
}

void TestClient::send_frame(net::MessageType type, common::ByteView body) {
    send_raw(net::encode_frame(static_cast<std::uint16_t>(type), body));
}

long TestClient::read_for(char* data, std::size_t size, std::chrono::milliseconds limit) {
    std::optional<std::pair<boost::system::error_code, std::size_t>> got;
    auto handler = [&got](const boost::system::error_code& ec, std::size_t n) {
        got.emplace(ec, n);
    };
    if (m_tls) {
        m_tls->async_read_some(net::asio::buffer(data, size), handler);
    } else {
        m_socket.async_read_some(net::asio::buffer(data, size), handler);
    }
    m_io.restart();
    m_io.run_for(limit);
    if (!got) {
        boost::system::error_code ignored;
        socket().cancel(ignored);
        m_io.restart();
        m_io.run();  // the cancelled read's handler
        if (!got || got->first) return -1;
    }
    if (got->first || got->second == 0) return 0;
    return static_cast<long>(got->second);
}

std::optional<net::Frame> TestClient::next_frame(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        auto frame = m_decoder.next();
        if (!frame) return std::nullopt;
        if (*frame) return std::move(**frame);
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return std::nullopt;
        char buffer[65536];
        const long n =
            read_for(buffer, sizeof buffer,
                     std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        if (n <= 0) return std::nullopt;
        if (!m_decoder.feed(common::ByteView(buffer, static_cast<std::size_t>(n))).is_ok()) {
            return std::nullopt;
        }
    }
}

bool TestClient::closed_within(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        char buffer[65536];
        const long n =
            read_for(buffer, sizeof buffer,
                     std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        if (n == 0) return true;
        if (n < 0) return false;
    }
}

// --- Checks ------------------------------------------------------------------------------------

node::LoadConfig load(const TestCluster& cluster, double rate, double seconds, std::uint64_t skip) {
    node::LoadConfig config;
    config.port = cluster.ingress_port();
    config.workload.accounts = 200;
    config.rate = rate;
    config.duration_s = seconds;
    config.skip = skip;
    config.drain_timeout_ms = 30'000;
    return config;
}

void check_all_committed(const node::LoadReport& report) {
    INFO("offered " << report.offered << ", summaries " << report.summaries << ", unanswered "
                    << report.unanswered << ", connection: " << report.connection_error);
    CHECK(report.summaries == report.offered);
    CHECK(report.unanswered == 0);
    CHECK(report.refused.empty());
    CHECK(report.protocol_errors == 0);
}

void check_replay_matches(TestCluster& cluster) {
    const nlohmann::json stats = cluster.primary_stats();
    const nlohmann::json replay = cluster.replay();
    INFO(replay.dump());
    CHECK(replay["match"].get<bool>());
    CHECK(replay["replayed_digest"] == stats["state_digest"]);
}

}  // namespace remora::testing
