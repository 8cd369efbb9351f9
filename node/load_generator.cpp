#include "node/load_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "executor/tx/anoma_codec.h"
#include "executor/tx/transaction_codec.h"
#include "net/frame.h"
#include "net/message_codec.h"
#include "net/node_messages.h"
#include "node/links.h"

namespace remora::node {

namespace asio = net::asio;
using common::Code;
using common::Result;
using common::Status;
using net::MessageType;
using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct Prepared {
    std::vector<common::Bytes> bodies;
    std::unordered_map<common::Digest, std::size_t, common::Hash256Hasher> index;
};

Result<Prepared> prepare(const LoadConfig& config, std::uint64_t count) {
    auto workload = executor::workload::make_workload(config.workload);
    if (!workload) return workload.status();
    Prepared prepared;
    for (std::uint64_t i = 0; i < config.skip; ++i) {
        if (!(*workload)->next()) {
            return Status{Code::kInvalidArgument, "the workload has fewer than " +
                                                      std::to_string(config.skip) +
                                                      " transactions to skip"};
        }
    }
    prepared.bodies.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        auto next = (*workload)->next();
        if (!next) break;  // a finite workload (a trace) ends early
        prepared.index.emplace(executor::transaction_digest(next->tx), prepared.bodies.size());
        prepared.bodies.push_back(executor::encode_transaction(next->tx));
    }
    return prepared;
}

class Run {
public:
    Run(const LoadConfig& config, Prepared prepared, const LoadProgress& progress)
        : m_config(config),
          m_prepared(std::move(prepared)),
          m_progress(progress),
          m_timer(m_io),
          m_sent_at(m_prepared.bodies.size()),
          m_answered(m_prepared.bodies.size(), false) {
        m_report.offered = m_prepared.bodies.size();
    }

    Result<LoadReport> run();

private:
    void on_frame(const net::Frame& frame);
    void tick();
    void finish();
    void answer(std::size_t index);

    const LoadConfig& m_config;
    Prepared m_prepared;
    const LoadProgress& m_progress;
    asio::io_context m_io;
    asio::steady_timer m_timer;
    std::shared_ptr<net::Session> m_session;
    Status m_setup_error;
    bool m_hello = false;
    bool m_done = false;
    Clock::time_point m_start;
    Clock::time_point m_last_answer;
    Clock::time_point m_last_progress;
    Clock::time_point m_drain_deadline;
    std::size_t m_next = 0;
    std::vector<Clock::time_point> m_sent_at;
    std::vector<bool> m_answered;
    std::uint64_t m_answers = 0;
    std::vector<double> m_latencies_ms;
    std::vector<std::vector<double>> m_latencies_by_second;
    std::vector<std::uint64_t> m_submitted_by_second;
    LoadReport m_report;
    std::size_t second_now() const {
        return static_cast<std::size_t>(
            std::chrono::duration<double>(Clock::now() - m_start).count());
    }
};

Result<LoadReport> Run::run() {
    async_connect(
        m_io, m_config.host, m_config.port, std::chrono::milliseconds(m_config.connect_timeout_ms),
        [this](Result<asio::ip::tcp::socket> socket) {
            if (!socket) {
                m_setup_error = socket.status();
                return;
            }
            m_session = net::Session::create(
                std::move(socket).value(), {}, [this](const net::Frame& frame) { on_frame(frame); },
                [this](const Status& reason) {
                    if (!m_done) {
                        m_report.connection_error = reason.is_ok() ? "closed" : reason.message();
                        if (!m_hello) m_setup_error = reason;
                        finish();
                    }
                });
            m_session->start();
            net::Hello hello;
            hello.role = net::NodeRole::kClient;
            m_session->send(net::wire_type(MessageType::kHello), net::encode_hello(hello));
        });
    m_io.run();
    if (!m_hello) {
        if (!m_setup_error.is_ok()) return m_setup_error;
        return Status{Code::kIoError, "the node closed the connection before its hello"};
    }
    std::sort(m_latencies_ms.begin(), m_latencies_ms.end());
    m_report.latency_ms_p50 = percentile(m_latencies_ms, 0.50);
    m_report.latency_ms_p90 = percentile(m_latencies_ms, 0.90);
    m_report.latency_ms_p99 = percentile(m_latencies_ms, 0.99);
    m_report.latency_ms_max = m_latencies_ms.empty() ? 0 : m_latencies_ms.back();
    m_report.unanswered = m_report.offered - m_answers;
    const std::size_t seconds_run =
        std::max(m_latencies_by_second.size(), m_submitted_by_second.size());
    for (std::size_t i = 0; i < seconds_run; ++i) {
        LoadSecond second;
        if (i < m_submitted_by_second.size()) second.submitted = m_submitted_by_second[i];
        if (i < m_latencies_by_second.size()) {
            std::vector<double>& latencies = m_latencies_by_second[i];
            std::sort(latencies.begin(), latencies.end());
            second.summaries = latencies.size();
            second.latency_ms_p50 = percentile(latencies, 0.50);
            second.latency_ms_p99 = percentile(latencies, 0.99);
        }
        m_report.series.push_back(second);
    }
    const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
    if (m_report.submitted > 0) {
        m_report.submit_seconds = seconds(m_sent_at[m_report.submitted - 1] - m_start);
        m_report.seconds =
            seconds(std::max(m_last_answer, m_sent_at[m_report.submitted - 1]) - m_start);
    }
    if (m_report.submit_seconds > 0) {
        m_report.offered_tps = static_cast<double>(m_report.submitted) / m_report.submit_seconds;
    }
    if (m_report.seconds > 0) {
        m_report.committed_tps = static_cast<double>(m_report.summaries) / m_report.seconds;
    }
    return m_report;
}

void Run::on_frame(const net::Frame& frame) {
    if (m_done) return;
    const auto type = static_cast<MessageType>(frame.type);
    if (!m_hello) {
        net::Hello mine;
        mine.role = net::NodeRole::kClient;
        if (auto hello = net::expect_hello(frame, mine); !hello) m_setup_error = hello.status();
        if (!m_setup_error.is_ok()) {
            m_done = true;
            m_session->close(m_setup_error);
            return;
        }
        m_hello = true;
        m_start = Clock::now();
        m_last_progress = m_start;
        tick();
        return;
    }
    if (type == MessageType::kExecutionSummary) {
        auto summary = executor::decode_anoma_message_as<executor::ExecutionSummary>(frame.body);
        auto it = summary ? m_prepared.index.find(summary->tx_digest) : m_prepared.index.end();
        if (it == m_prepared.index.end()) {
            ++m_report.protocol_errors;
            return;
        }
        if (m_answered[it->second]) return;
        ++m_report.summaries;
        ++(summary->status.is_success() ? m_report.succeeded : m_report.aborted);
        const double latency =
            std::chrono::duration<double, std::milli>(Clock::now() - m_sent_at[it->second]).count();
        m_latencies_ms.push_back(latency);
        const std::size_t second = second_now();
        if (m_latencies_by_second.size() <= second) m_latencies_by_second.resize(second + 1);
        m_latencies_by_second[second].push_back(latency);
        answer(it->second);
        return;
    }
    if (type == MessageType::kSubmitRefused) {
        auto refused = net::decode_submit_refused(frame.body);
        if (!refused) {
            ++m_report.protocol_errors;
            return;
        }
        ++m_report.refused[net::refusal_reason_name(refused->reason)];
        if (auto it = m_prepared.index.find(refused->tx_digest);
            it != m_prepared.index.end() && !m_answered[it->second]) {
            answer(it->second);
        }
        return;
    }
    ++m_report.protocol_errors;
}

void Run::answer(std::size_t index) {
    m_answered[index] = true;
    ++m_answers;
    m_last_answer = Clock::now();
    if (m_next == m_prepared.bodies.size() && m_answers == m_prepared.bodies.size()) finish();
}

void Run::tick() {
    if (m_done) return;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const auto due = std::min<std::size_t>(m_prepared.bodies.size(),
                                           static_cast<std::size_t>(elapsed * m_config.rate) + 1);
    while (m_next < due) {
        if (m_session->send(net::wire_type(MessageType::kSubmitTransaction),
                            m_prepared.bodies[m_next]) == net::SendResult::kClosed) {
            break;
        }
        m_sent_at[m_next] = now;
        ++m_next;
        ++m_report.submitted;
        const std::size_t second = second_now();
        if (m_submitted_by_second.size() <= second) m_submitted_by_second.resize(second + 1);
        ++m_submitted_by_second[second];
        if (m_next == m_prepared.bodies.size()) {
            m_drain_deadline = now + std::chrono::milliseconds(m_config.drain_timeout_ms);
        }
    }
    if (m_progress && now - m_last_progress >= std::chrono::seconds(1)) {
        m_last_progress = now;
        m_report.unanswered = m_report.submitted - m_answers;
        m_progress(m_report);
    }
    if (m_next == m_prepared.bodies.size() &&
        (m_answers == m_prepared.bodies.size() || now >= m_drain_deadline)) {
        finish();
        return;
    }
    m_timer.expires_after(std::chrono::microseconds(500));
    m_timer.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

void Run::finish() {
    if (m_done) return;
    m_done = true;
    m_timer.cancel();
    if (m_session) m_session->close();
}

}  // namespace

Status validate_load_config(const LoadConfig& config) {
    if (!(config.rate > 0) || config.rate > 10'000'000) {
        return {Code::kInvalidArgument, "--rate must be in (0, 10000000] transactions per second"};
    }
    if (!(config.duration_s > 0) || config.duration_s > 86'400) {
        return {Code::kInvalidArgument, "--duration must be in (0, 86400] seconds"};
    }
    if (config.rate * config.duration_s > 50'000'000) {
        return {Code::kInvalidArgument,
                "--rate x --duration is more than 50,000,000 transactions (prepared in memory)"};
    }
    if (config.port == 0) return {Code::kInvalidArgument, "the target port must be 1..65535"};
    return executor::workload::validate_workload_config(config.workload);
}

Result<LoadReport> run_load(const LoadConfig& config, const LoadProgress& progress) {
    REMORA_RETURN_IF_ERROR(validate_load_config(config));
    const auto begin = Clock::now();
    auto prepared =
        prepare(config, static_cast<std::uint64_t>(std::llround(config.rate * config.duration_s)));
    if (!prepared) return prepared.status();
    const double generate_seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    Run run(config, std::move(prepared).value(), progress);
    auto report = run.run();
    if (report) report->generate_seconds = generate_seconds;
    return report;
}

}  // namespace remora::node
