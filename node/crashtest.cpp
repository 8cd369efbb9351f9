#include "node/crashtest.h"

#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/fault_point.h"
#include "executor/sequential/commit_body.h"
#include "executor/tx/effects.h"
#include "executor/tx/transaction.h"
#include "executor/tx/transaction_codec.h"
#include "executor/workload/workload.h"
#include "net/tls.h"
#include "node/cluster_launch.h"
#include "node/config.h"
#include "node/node_files.h"
#include "node/oracle_client.h"
#include "node/ordered_log.h"
#include "node/process.h"
#include "recovery/file_io.h"
#include "storage/store.h"

namespace remora::node {

using common::Code;
using common::Digest;
using common::Result;
using common::Status;
using executor::ExecutionSummary;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::uint64_t file_size_or_zero(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::uint64_t>(size);
}

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string describe(const ExecutionSummary& s) {
    return "commit " + std::to_string(s.timestamp.commit_index) + " position " +
           std::to_string(s.timestamp.index_in_commit) + ", effects " +
           s.effects_digest.hex().substr(0, 16);
}

class Crashtest {
public:
    Crashtest(const CrashtestConfig& config, const std::atomic<bool>& interrupted,
              const CrashtestProgress& progress)
        : m_config(config), m_interrupted(interrupted), m_progress(progress), m_rng(config.seed) {}

    Result<CrashtestReport> run();

private:
    struct Fresh {
        Digest digest;
        common::Bytes body;
    };

    void say(const std::string& line) {
        if (m_progress) m_progress(line);
    }
    void violation(std::string what) {
        if (m_report.violations.size() < 20) say("VIOLATION: " + what);
        m_report.violations.push_back(std::move(what));
    }
    std::string primary_dir() const { return m_dir + "/primary"; }
    std::string pre_name(std::uint32_t id) const { return "pre-executor-" + std::to_string(id); }

    Status find_tools();
    Status prepare_dir();
    std::string draw_fault(bool primary, bool at_start);
    bool died_of_fault(int code, const std::string& armed, const std::string& log,
                       std::uint64_t log_from);
    bool any_died();
    Status start_primary(bool at_start = false);
    Status start_pre_executor(std::uint32_t id, bool at_start = false);
    Status wait_pre_joined(std::uint32_t id, std::chrono::seconds limit);
    Status connect_client(std::chrono::seconds limit);
    std::string client_drop_reason();
    Status reconnect_dropped_client(const std::map<Digest, bool>& also_waiting);
    Status load(std::chrono::milliseconds duration);
    void record(const std::vector<OracleAnswer>& answers);
    Status kill_primary(bool signal);
    Status kill_pre_executor(std::uint32_t id, bool signal);
    Status disarm();
    Status check_store(const std::string& when);
    Status read_ordered_log(const std::string& when);
    Status check_with_inspect(const std::string& when);
    Status resubmit_after_restart(Clock::time_point killed, Clock::time_point reaped,
                                  Clock::time_point spawned);
    Status finish();

    const CrashtestConfig& m_config;
    const std::atomic<bool>& m_interrupted;
    const CrashtestProgress& m_progress;
    std::mt19937_64 m_rng;
    std::string m_node_bin, m_inspect_bin;
    std::string m_dir;
    std::optional<ChildProcess> m_primary;
    std::vector<std::optional<ChildProcess>> m_pre;  // index id - 1
    std::string m_primary_fault;                     // REMORA_FAULT of the running primary
    std::vector<std::string> m_pre_fault;            // index id - 1; "" unarmed
    std::uint64_t m_primary_log_from = 0;            // its log's size when it started
    std::vector<std::uint64_t> m_pre_log_from;       // index id - 1
    std::uint16_t m_cluster_port = 0, m_ingress_port = 0;
    std::uint64_t m_instance_start_commit = 0;  // the running primary's applied commit at start
    std::unique_ptr<executor::workload::Workload> m_workload;
    std::unique_ptr<OracleClient> m_client;
    // The oracle: every acknowledged summary, and what was submitted and not yet answered.
    std::unordered_map<Digest, ExecutionSummary, common::Hash256Hasher> m_acked;
    std::vector<Digest> m_acked_since_kill;  // acknowledged since the last primary kill
    std::vector<Digest> m_acked_order;
    std::unordered_map<Digest, common::Bytes, common::Hash256Hasher>
        m_bodies;  // of everything acked or outstanding
    std::unordered_map<Digest, bool, common::Hash256Hasher> m_outstanding;
    std::uint64_t m_resubmitted_to_instance = 0;
    std::uint64_t m_client_log_from = 0;  // the primary's log size when the client connected
    // Batches a killed primary had ordered and logged but not applied: by commit index, the
    // digests of its transactions in order. A later primary must apply each at that commit.
    std::map<std::uint64_t, std::vector<Digest>> m_logged_unapplied;
    CrashtestReport m_report;
};

Status Crashtest::find_tools() {
    auto node = find_tool("remora-node", "node");
    if (!node) return node.status();
    auto inspect = find_tool("remora-inspect", "inspect");
    if (!inspect) return inspect.status();
    m_node_bin = *node;
    m_inspect_bin = *inspect;
    return Status::ok();
}

Status Crashtest::prepare_dir() {
    auto dir = prepare_run_dir(m_config.dir, "remora-crashtest");
    if (!dir) return dir.status();
    m_dir = std::move(dir).value();
    return Status::ok();
}

// The fault point a process starts armed with ("name:hit", "" none), drawn from the seed among
// the points its role passes (common/fault_point.h). At start, only points that load reaches
// (not the genesis commits, snapshots, restores or frames of the bootstrap): a crash while the
// cluster first forms would be the harness's failure.
// Once the run has made its kills, processes start unarmed, so that a clean stop can follow.
std::string Crashtest::draw_fault(bool primary, bool at_start) {
    if (m_config.mode == CrashMode::kBlackbox || m_report.kills >= m_config.kills) return "";
    if (m_config.mode == CrashMode::kBoth && m_rng() % 2 == 0) return "";
    struct Choice {
        const char* name;
        std::uint64_t hit_max;  // hits drawn uniformly from 1..hit_max: most fire within 2 s
    };
    std::vector<Choice> choices;
    // The first primary writes genesis through the store's commits: not yet.
    if (!(primary && at_start)) {
        choices = {{"storage.commit.before_write", 100}, {"storage.commit.after_write", 100}};
    }
    const bool pres = m_config.pre_executors > 0;
    if (primary) {
        choices.push_back({"primary.ordered.before_apply", 100});
        if (pres) choices.push_back({"primary.state_update.mid_push", 3});  // updates are rare
        if (!at_start) choices.push_back({"net.frame.partial", 600});
        if (!at_start && pres) choices.push_back({"recovery.snapshot.mid", 1});
    } else {
        choices.push_back({"pre_executor.apply", 3});
        if (!at_start) choices.push_back({"net.frame.partial", 200});
        if (!at_start) choices.push_back({"recovery.restore.mid", 1});
    }
    const Choice& choice = choices[m_rng() % choices.size()];
    return std::string(choice.name) + ":" + std::to_string(1 + m_rng() % choice.hit_max);
}

// Whether a process that exited by itself died at the fault point it was armed with: killed by
// SIGKILL, and what it wrote to its log (from `log_from` on) ends with the point's line
// (common::fault_point_crash). Counts it.
bool Crashtest::died_of_fault(int code, const std::string& armed, const std::string& log,
                              std::uint64_t log_from) {
    if (armed.empty() || code != 128 + SIGKILL) return false;
    const std::string name = armed.substr(0, armed.find(':'));
    const std::uint64_t size = file_size_or_zero(log);
    const std::string tail = log_tail(log, static_cast<std::size_t>(std::min<std::uint64_t>(
                                               4000, size - std::min(size, log_from))));
    if (size <= log_from || tail.find("fault point " + name + " fired") == std::string::npos) {
        return false;
    }
    ++m_report.whitebox_kills;
    ++m_report.faults_fired[name];
    return true;
}

bool Crashtest::any_died() {
    if (!m_primary->running()) return true;
    return std::any_of(m_pre.begin(), m_pre.end(),
                       [](std::optional<ChildProcess>& pre) { return pre && !pre->running(); });
}

Status Crashtest::start_primary(bool at_start) {
    const std::string log = m_dir + "/primary.log";
    PrimaryLaunch launch;
    launch.node_bin = m_node_bin;
    launch.node_dir = primary_dir();
    launch.tls_dir = m_dir + "/tls";
    launch.workload = m_config.workload;
    launch.seed = m_config.seed;
    launch.accounts = m_config.accounts;
    launch.batch_timeout_ms = 10;
    launch.consensus_delay_ms = 20;
    launch.sync = m_config.sync;
    launch.cluster_port = m_cluster_port;  // a restart keeps the ports of the first start
    launch.ingress_port = m_ingress_port;
    (void)std::remove(node_info_path(primary_dir()).c_str());
    m_primary_fault = draw_fault(true, at_start);
    m_primary_log_from = file_size_or_zero(log);
    std::vector<std::string> environment;
    if (!m_primary_fault.empty()) {
        environment.push_back(std::string(common::kFaultEnvironmentVariable) + "=" +
                              m_primary_fault);
        say("the primary starts armed with " + m_primary_fault);
    }
    auto child = ChildProcess::spawn(primary_command(launch), log, log, environment);
    if (!child) return child.status();
    m_primary.emplace(std::move(child).value());
    if (m_cluster_port != 0) return Status::ok();  // a restart: the ports are known
    auto ports = wait_for_ports(launch.node_dir, *m_primary, log, 120s, m_interrupted);
    if (!ports) return ports.status();
    m_cluster_port = ports->cluster;
    m_ingress_port = ports->ingress;
    return Status::ok();
}

Status Crashtest::start_pre_executor(std::uint32_t id, bool at_start) {
    const std::string name = pre_name(id);
    const std::string log = m_dir + "/" + name + ".log";
    PreExecutorLaunch launch;
    launch.node_bin = m_node_bin;
    launch.node_dir = m_dir + "/" + name;
    launch.tls_dir = m_dir + "/tls";
    launch.id = id;
    launch.primary_port = m_cluster_port;
    launch.reconnect_ms = 100;
    m_pre_fault[id - 1] = draw_fault(false, at_start);
    m_pre_log_from[id - 1] = file_size_or_zero(log);
    std::vector<std::string> environment;
    if (!m_pre_fault[id - 1].empty()) {
        environment.push_back(std::string(common::kFaultEnvironmentVariable) + "=" +
                              m_pre_fault[id - 1]);
        say(name + " starts armed with " + m_pre_fault[id - 1]);
    }
    auto child = ChildProcess::spawn(pre_executor_command(launch), log, log, environment);
    if (!child) return child.status();
    m_pre[id - 1].emplace(std::move(child).value());
    return Status::ok();
}

// Joined = node.json written by this very process (its pid) says joined_commit. Load keeps
// running meanwhile. Once load runs, a fault point that fires meanwhile is one more kill: the
// pre-executor's own (it is restarted and waited for again) or the primary's (it is checked
// and restarted, and the pre-executor then joins the new one).
Status Crashtest::wait_pre_joined(std::uint32_t id, std::chrono::seconds limit) {
    const std::string path = node_info_path(m_dir + "/" + pre_name(id));
    const std::string log = m_dir + "/" + pre_name(id) + ".log";
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (m_interrupted) return {Code::kUnsupported, "interrupted"};
        ChildProcess& pre = *m_pre[id - 1];
        if (!pre.running()) {
            const int code = *pre.poll();
            if (m_client && died_of_fault(code, m_pre_fault[id - 1], log, m_pre_log_from[id - 1])) {
                ++m_report.kills;
                ++m_report.pre_executor_kills;
                REMORA_RETURN_IF_ERROR(start_pre_executor(id));
                deadline = Clock::now() + limit;
                continue;
            }
            return {Code::kIoError, pre_name(id) + " exited with code " + std::to_string(code) +
                                        "; the end of " + log + ":\n" + log_tail(log)};
        }
        if (m_client && !m_primary->running()) {
            ++m_report.kills;
            REMORA_RETURN_IF_ERROR(kill_primary(false));
            if (!m_report.violations.empty()) return Status::ok();
            deadline = Clock::now() + limit;
            continue;
        }
        if (auto info = read_json_file(path);
            info && info->contains("joined_commit") && (*info)["pid"].get<long>() == pre.pid()) {
            return Status::ok();
        }
        if (m_client) {
            REMORA_RETURN_IF_ERROR(load(50ms));
            if (any_died()) std::this_thread::sleep_for(5ms);  // another's death waits for us
        } else {
            std::this_thread::sleep_for(20ms);
        }
    }
    return {Code::kIoError,
            pre_name(id) + " did not join within " + std::to_string(limit.count()) + " s"};
}

Status Crashtest::connect_client(std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    Status last;
    while (Clock::now() < deadline) {
        if (m_interrupted) return {Code::kUnsupported, "interrupted"};
        if (!m_primary->running()) return Status::ok();  // no client: the caller sees why
        auto client = OracleClient::connect(m_ingress_port, 1000ms);
        if (client) {
            m_client = std::move(client).value();
            m_client_log_from = file_size_or_zero(m_dir + "/primary.log");
            return Status::ok();
        }
        last = client.status();
        std::this_thread::sleep_for(2ms);
    }
    return {Code::kIoError, "cannot reach the primary's ingress port: " + last.message()};
}

void Crashtest::record(const std::vector<OracleAnswer>& answers) {
    for (const OracleAnswer& answer : answers) {
        m_outstanding.erase(answer.tx_digest);
        if (!answer.summary) {
            ++m_report.refused;
            if (!m_acked.contains(answer.tx_digest)) m_bodies.erase(answer.tx_digest);
            continue;
        }
        auto [it, fresh] = m_acked.emplace(answer.tx_digest, *answer.summary);
        if (fresh) {
            m_acked_order.push_back(answer.tx_digest);
            m_acked_since_kill.push_back(answer.tx_digest);
            ++m_report.acknowledged;
        } else if (!(it->second == *answer.summary)) {
            violation("transaction " + answer.tx_digest.hex() + " was acknowledged twice " +
                      "differently: first " + describe(it->second) + ", then " +
                      describe(*answer.summary));
        }
    }
}

// Submits fresh transactions at the configured rate for `duration`, collecting answers.
Status Crashtest::load(std::chrono::milliseconds duration) {
    const auto start = Clock::now();
    const auto end = start + duration;
    std::uint64_t sent = 0;
    while (Clock::now() < end) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        const auto due = static_cast<std::uint64_t>(elapsed * m_config.rate) + 1;
        while (sent < due) {
            auto next = m_workload->next();
            if (!next) return {Code::kUnsupported, "the workload ran out of transactions"};
            const Digest digest = executor::transaction_digest(next->tx);
            common::Bytes body = executor::encode_transaction(next->tx);
            if (!m_client->submit(body)) break;
            m_bodies[digest] = std::move(body);
            m_outstanding[digest] = true;
            ++sent;
            ++m_report.submitted;
        }
        record(m_client->pump(2ms));
        if (any_died()) return Status::ok();  // the caller sees who
        if (m_client->closed()) {
            if (m_primary->wait_for(2000ms)) return Status::ok();  // it died: the caller sees it
            REMORA_RETURN_IF_ERROR(reconnect_dropped_client({}));
            if (!m_client) return Status::ok();  // it died meanwhile: the caller sees it
        }
    }
    return Status::ok();
}

// Why the running primary dropped the oracle's connection, in its own words: the reason of the
// last "client PEER closed: REASON" line it logged since the client connected; "" if none yet.
std::string Crashtest::client_drop_reason() {
    const std::string log = m_dir + "/primary.log";
    const std::uint64_t size = file_size_or_zero(log);
    const std::string tail = log_tail(log, static_cast<std::size_t>(std::min<std::uint64_t>(
                                               64'000, size - std::min(size, m_client_log_from))));
    std::string reason;
    std::size_t line_start = 0;
    while (line_start < tail.size()) {
        std::size_t line_end = tail.find('\n', line_start);
        if (line_end == std::string::npos) line_end = tail.size();
        const std::string_view line(tail.data() + line_start, line_end - line_start);
        const std::size_t client = line.find("client ");
        const std::size_t closed = line.find(" closed: ");
        if (client != std::string_view::npos && closed != std::string_view::npos &&
            client < closed) {
            reason = std::string(line.substr(closed + 9));
        }
        line_start = line_end + 1;
    }
    return reason;
}

// The primary dropped the oracle's connection and kept running. A client that reads its
// summaries too slowly, or sends nothing for the idle timeout, is dropped by design
// (docs/wire_format.md, "Sessions"); on a starved machine the oracle is such a client. It
// then reconnects and resubmits every transaction still unanswered (and `also_waiting`): the
// primary answers each with its original summary or executes it once, so the oracle stays
// exact. Any other reason, or none logged within 2 s, fails the harness with the log's end.
Status Crashtest::reconnect_dropped_client(const std::map<Digest, bool>& also_waiting) {
    const std::string log = m_dir + "/primary.log";
    std::string reason = client_drop_reason();
    for (const auto until = Clock::now() + 2s; reason.empty() && Clock::now() < until;) {
        std::this_thread::sleep_for(20ms);
        reason = client_drop_reason();
    }
    constexpr std::array<std::string_view, 3> kSlowClient = {"slow peer", "made no progress",
                                                             "sent nothing for"};
    const bool slow = std::any_of(kSlowClient.begin(), kSlowClient.end(), [&](auto what) {
        return reason.find(what) != std::string::npos;
    });
    if (!slow) {
        return {Code::kIoError,
                "the primary closed the client's connection unasked" +
                    (reason.empty() ? std::string(" and logged no reason") : ": " + reason) +
                    "; the end of " + log + ":\n" + log_tail(log)};
    }
    if (++m_report.client_reconnects > kClientReconnectsMax) {
        return {Code::kIoError, "the primary dropped the oracle client more than " +
                                    std::to_string(kClientReconnectsMax) +
                                    " times; the last time: " + reason};
    }
    std::vector<Digest> digests;
    for (const auto& [digest, unused] : m_outstanding) digests.push_back(digest);
    for (const auto& [digest, unused] : also_waiting) {
        if (!m_outstanding.contains(digest)) digests.push_back(digest);
    }
    say("the primary dropped the oracle client (" + reason + "); reconnecting, " +
        std::to_string(digests.size()) + " transactions resubmitted");
    m_client.reset();
    REMORA_RETURN_IF_ERROR(connect_client(60s));
    if (!m_client) return Status::ok();  // the primary died meanwhile: the caller sees it
    for (const Digest& digest : digests) {
        m_client->submit(m_bodies.at(digest));
        ++m_report.resubmitted;
        ++m_resubmitted_to_instance;
    }
    return Status::ok();
}

// Offline, with the primary dead: the store opens, no transaction sits in two places, and every
// acknowledged one sits where its summary says with the same effects.
Status Crashtest::check_store(const std::string& when) {
    storage::StoreOptions options;
    auto store =
        storage::Store::open(primary_dir() + "/store", storage::OpenMode::kReadOnly, options);
    if (!store) {
        violation(when + ": the store does not open: " + store.status().message());
        return Status::ok();
    }
    const std::uint64_t applied = (*store)->status().applied_commit;
    m_report.commits = applied;
    m_report.digest = (*store)->status().state_digest.hex();
    struct Place {
        executor::TxFingerprint at;
        Digest effects;
    };
    std::unordered_map<Digest, Place, common::Hash256Hasher> places;
    std::uint64_t ruled_out = 0;
    for (std::uint64_t index = 2; index <= applied; ++index) {
        auto record = (*store)->read_commit(index);
        if (!record) {
            violation(when + ": commit " + std::to_string(index) +
                      " does not read: " + record.status().message());
            return Status::ok();
        }
        auto body = executor::decode_commit_body(record->body);
        if (!body) {
            violation(when + ": commit " + std::to_string(index) +
                      " does not decode: " + body.status().message());
            return Status::ok();
        }
        const auto logged = m_logged_unapplied.find(index);
        std::vector<Digest> in_commit;
        for (std::uint32_t i = 0; i < body->transactions.size(); ++i) {
            const auto& committed = body->transactions[i];
            const Digest digest = executor::transaction_digest(committed.transaction);
            in_commit.push_back(digest);
            if (committed.effects.status.code == executor::AbortCode::kDuplicate) {
                // A resubmission ruled out by the commit rules, not executed: the execution it
                // names must come earlier.
                if (!places.contains(digest)) {
                    violation(when + ": commit " + std::to_string(index) + " rules out " +
                              digest.hex() + " as a duplicate, but no earlier commit applied it");
                }
                ++ruled_out;
                continue;
            }
            Place place{{index, i}, executor::effects_digest(committed.effects)};
            auto [it, fresh] = places.emplace(digest, place);
            if (!fresh) {
                violation(when + ": transaction " + digest.hex() + " applied twice: commit " +
                          std::to_string(it->second.at.commit_index) + " and commit " +
                          std::to_string(index));
            }
        }
        if (logged != m_logged_unapplied.end()) {
            if (in_commit != logged->second) {
                violation(when + ": commit " + std::to_string(index) + " holds " +
                          std::to_string(in_commit.size()) +
                          " transactions that are not the batch a killed primary had ordered and "
                          "logged for it (" +
                          std::to_string(logged->second.size()) + " transactions)");
            }
            m_logged_unapplied.erase(logged);
        }
    }
    m_report.ruled_out = ruled_out;
    for (const Digest& digest : m_acked_order) {
        const ExecutionSummary& summary = m_acked.at(digest);
        auto it = places.find(digest);
        if (it == places.end()) {
            violation(when + ": acknowledged transaction " + digest.hex() + " (" +
                      describe(summary) + ") is not in the store (applied commit " +
                      std::to_string(applied) + ")");
        } else if (!(it->second.at == summary.timestamp) ||
                   it->second.effects != summary.effects_digest) {
            violation(when + ": acknowledged transaction " + digest.hex() + " was " +
                      describe(summary) + " but the store has commit " +
                      std::to_string(it->second.at.commit_index) + " position " +
                      std::to_string(it->second.at.index_in_commit) + ", effects " +
                      it->second.effects.hex().substr(0, 16));
        }
    }
    return Status::ok();
}

// The dead primary's ordered-batch log (node/ordered_log.h): the batches it ordered and logged
// but did not apply, which the restarted primary must apply first, at the same commits.
Status Crashtest::read_ordered_log(const std::string& when) {
    auto contents = OrderedLog::read(primary_dir() + "/ordered", m_report.commits);
    if (!contents) {
        violation(when + ": the ordered-batch log does not read: " + contents.status().message());
        return Status::ok();
    }
    for (const OrderedRecord& record : contents->unapplied) {
        std::vector<Digest> digests;
        for (const common::Bytes& bytes : record.transactions) {
            auto tx = executor::decode_transaction(bytes);
            if (!tx) {
                violation(when + ": the ordered-batch log's batch for commit " +
                          std::to_string(record.commit_index) +
                          " does not decode: " + tx.status().message());
                return Status::ok();
            }
            digests.push_back(executor::transaction_digest(*tx));
        }
        if (m_logged_unapplied.emplace(record.commit_index, std::move(digests)).second) {
            ++m_report.logged_unapplied;
        }
    }
    return Status::ok();
}

// remora-inspect digest --recompute and replay-verify on the dead primary's store.
Status Crashtest::check_with_inspect(const std::string& when) {
    struct Check {
        std::vector<std::string> args;
        const char* name;
    };
    const std::vector<Check> checks = {{{"digest", "--recompute"}, "digest --recompute"},
                                       {{"replay-verify"}, "replay-verify"}};
    for (const Check& check : checks) {
        std::vector<std::string> argv = {m_inspect_bin, "--db", primary_dir() + "/store"};
        argv.insert(argv.end(), check.args.begin(), check.args.end());
        argv.emplace_back("--json");
        const std::string out = m_dir + "/inspect.json";
        const std::string log = m_dir + "/inspect.log";
        (void)std::remove(out.c_str());
        auto child = ChildProcess::spawn(argv, out, log);
        if (!child) return child.status();
        auto code = child->wait_for(600s);
        if (!code) {
            child->stop(5s);
            return {Code::kIoError,
                    std::string("remora-inspect ") + check.name + " took over 600 s"};
        }
        auto json = read_json_file(out);
        if (*code != 0 || !json || !json->contains("match") || !(*json)["match"].get<bool>()) {
            violation(when + ": remora-inspect " + check.name + " exited " + std::to_string(*code) +
                      (json ? ": " + json->dump() : "") + "; the end of " + log + ":\n" +
                      log_tail(log, 600));
        }
    }
    return Status::ok();
}

// `signal`: the harness kills it (blackbox); otherwise it died by itself and must have died at
// its armed fault point. When the restarted primary's own fault fires before the resubmission
// is answered, that is one more kill, handled the same way.
Status Crashtest::kill_primary(bool signal) {
    const std::string log = m_dir + "/primary.log";
    for (;;) {
        ++m_report.primary_kills;
        const std::string when = "after primary kill " + std::to_string(m_report.primary_kills);
        const auto killed = Clock::now();
        if (signal) {
            ++m_report.blackbox_kills;
            m_primary->signal(SIGKILL);
        }
        const auto code = m_primary->wait_for(10s);
        if (!code) return {Code::kIoError, "the primary outlived SIGKILL for 10 s"};
        const auto reaped = Clock::now();
        if (!signal && !died_of_fault(*code, m_primary_fault, log, m_primary_log_from)) {
            violation(when + ": the primary exited with code " + std::to_string(*code) +
                      (m_primary_fault.empty() ? "" : " (armed with " + m_primary_fault + ")") +
                      " where no fault point fired; the end of " + log + ":\n" + log_tail(log));
            return Status::ok();
        }
        // Summaries the primary wrote before it died are acknowledgements too.
        if (m_client) record(m_client->pump(1000ms));
        m_client.reset();
        REMORA_RETURN_IF_ERROR(check_store(when));
        REMORA_RETURN_IF_ERROR(check_with_inspect(when));
        REMORA_RETURN_IF_ERROR(read_ordered_log(when));
        if (!m_report.violations.empty()) return Status::ok();
        m_instance_start_commit = m_report.commits;
        const auto spawned = Clock::now();
        REMORA_RETURN_IF_ERROR(start_primary());
        REMORA_RETURN_IF_ERROR(resubmit_after_restart(killed, reaped, spawned));
        if (m_primary->running() || !m_report.violations.empty()) return Status::ok();
        ++m_report.kills;
        signal = false;
    }
}

// Resubmits what is at risk — every transaction acknowledged since the last primary kill, every
// one still unanswered, and a seeded sample of older acknowledged ones — to the restarted
// primary. Acknowledged ones must come back with their original summary. The first answer ends
// the recovery time.
Status Crashtest::resubmit_after_restart(Clock::time_point killed, Clock::time_point reaped,
                                         Clock::time_point spawned) {
    std::vector<Digest> digests = m_acked_since_kill;
    // The restarted primary died at its own fault point before answering: what was at risk
    // still is, for the next restart (unanswered ones are still in m_outstanding).
    const auto died = [&, at_risk = m_acked_since_kill] {
        m_acked_since_kill.insert(m_acked_since_kill.end(), at_risk.begin(), at_risk.end());
        m_client.reset();
        return Status::ok();
    };
    for (const auto& [digest, unused] : m_outstanding) digests.push_back(digest);
    const std::size_t old = m_acked_order.size() - m_acked_since_kill.size();
    for (int i = 0; i < 16 && old > 0; ++i) digests.push_back(m_acked_order[m_rng() % old]);
    std::sort(digests.begin(), digests.end());
    digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
    m_acked_since_kill.clear();
    const std::map<Digest, ExecutionSummary> expected = [&] {
        std::map<Digest, ExecutionSummary> out;
        for (const Digest& d : digests) {
            if (auto it = m_acked.find(d); it != m_acked.end()) out.emplace(d, it->second);
        }
        return out;
    }();

    REMORA_RETURN_IF_ERROR(connect_client(60s));
    if (!m_client) return died();
    if (digests.empty()) {  // nothing at risk: a fresh transaction measures the recovery
        auto next = m_workload->next();
        if (!next) return {Code::kUnsupported, "the workload ran out of transactions"};
        const Digest digest = executor::transaction_digest(next->tx);
        m_bodies[digest] = executor::encode_transaction(next->tx);
        m_outstanding[digest] = true;
        ++m_report.submitted;
        digests.push_back(digest);
    }
    for (const Digest& digest : digests) {
        m_client->submit(m_bodies.at(digest));
        ++m_report.resubmitted;
        ++m_resubmitted_to_instance;
    }
    std::map<Digest, bool> waiting;
    for (const Digest& d : digests) waiting[d] = true;
    std::optional<Clock::time_point> first;
    auto deadline = Clock::now() + 60s;
    while (!waiting.empty() && Clock::now() < deadline) {
        if (m_client->closed()) {
            if (!m_primary->running() || m_primary->wait_for(1000ms)) break;
            REMORA_RETURN_IF_ERROR(reconnect_dropped_client(waiting));
            if (!m_client) break;
            deadline = Clock::now() + 60s;
            continue;
        }
        auto answers = m_client->pump(1ms);
        if (!answers.empty() && !first) first = Clock::now();
        for (const OracleAnswer& answer : answers) {
            waiting.erase(answer.tx_digest);
            auto it = expected.find(answer.tx_digest);
            if (it == expected.end()) continue;
            if (!answer.summary) {
                violation("the restarted primary refused acknowledged transaction " +
                          answer.tx_digest.hex() + " (" + answer.refusal + ")");
            } else if (!(*answer.summary == it->second)) {
                violation("resubmitted acknowledged transaction " + answer.tx_digest.hex() +
                          ": originally " + describe(it->second) + ", now " +
                          describe(*answer.summary));
            }
        }
        record(answers);
    }
    if (!waiting.empty() && (!m_primary->running() || m_primary->wait_for(1000ms))) {
        return died();
    }
    if (!waiting.empty()) {
        violation("the restarted primary did not answer " + std::to_string(waiting.size()) +
                  " resubmitted transactions within 60 s");
        return Status::ok();
    }
    const double recovery = ms_between(killed, reaped) + ms_between(spawned, *first);
    m_report.recovery_ms.push_back(recovery);
    say("primary kill " + std::to_string(m_report.primary_kills) + ": checks held, recovered in " +
        std::to_string(static_cast<long>(recovery)) + " ms, " + std::to_string(digests.size()) +
        " resubmitted");
    return Status::ok();
}

Status Crashtest::kill_pre_executor(std::uint32_t id, bool signal) {
    ++m_report.pre_executor_kills;
    if (signal) {
        ++m_report.blackbox_kills;
        m_pre[id - 1]->signal(SIGKILL);
    }
    const auto code = m_pre[id - 1]->wait_for(10s);
    if (!code) return {Code::kIoError, pre_name(id) + " outlived SIGKILL for 10 s"};
    const std::string log = m_dir + "/" + pre_name(id) + ".log";
    if (!signal && !died_of_fault(*code, m_pre_fault[id - 1], log, m_pre_log_from[id - 1])) {
        violation(pre_name(id) + " exited with code " + std::to_string(*code) +
                  (m_pre_fault[id - 1].empty() ? "" : " (armed with " + m_pre_fault[id - 1] + ")") +
                  " where no fault point fired; the end of " + log + ":\n" + log_tail(log));
        return Status::ok();
    }
    REMORA_RETURN_IF_ERROR(start_pre_executor(id));
    if (Status joined = wait_pre_joined(id, 60s); !joined) {
        if (joined.code() == Code::kUnsupported) return joined;
        violation("after " + pre_name(id) + " kill: " + joined.message());
        return Status::ok();
    }
    say(pre_name(id) + " killed and rejoined");
    return Status::ok();
}

// Before the clean stop: a process still armed is stopped with SIGTERM and started again
// unarmed (the run has made its kills, so draw_fault arms nothing). A fault point that fires
// during that stop is one more kill, handled as one.
Status Crashtest::disarm() {
    for (std::uint32_t id = 1; id <= m_pre.size(); ++id) {
        if (m_pre_fault[id - 1].empty() || m_report.violations.size() > 0) continue;
        m_pre[id - 1]->signal(SIGTERM);
        const auto code = m_pre[id - 1]->wait_for(10s);
        if (!code) return {Code::kIoError, pre_name(id) + " did not stop within 10 s"};
        if (*code != 0) {
            ++m_report.kills;
            REMORA_RETURN_IF_ERROR(kill_pre_executor(id, false));
            continue;
        }
        REMORA_RETURN_IF_ERROR(start_pre_executor(id));
        if (Status joined = wait_pre_joined(id, 60s); !joined) {
            if (joined.code() == Code::kUnsupported) return joined;
            violation("after " + pre_name(id) + " restarted unarmed: " + joined.message());
        }
    }
    if (m_primary_fault.empty() || !m_report.violations.empty()) return Status::ok();
    record(m_client->pump(200ms));
    m_client.reset();
    m_primary->signal(SIGTERM);
    const auto code = m_primary->wait_for(120s);
    if (!code) return {Code::kIoError, "the primary did not stop within 120 s"};
    if (*code != 0) {
        ++m_report.kills;
        return kill_primary(false);
    }
    REMORA_RETURN_IF_ERROR(check_store("after a clean stop"));
    m_instance_start_commit = m_report.commits;
    REMORA_RETURN_IF_ERROR(start_primary());
    REMORA_RETURN_IF_ERROR(connect_client(60s));
    if (!m_client) return {Code::kIoError, "the primary restarted unarmed exited at once"};
    return load(200ms);
}

// A clean stop: every process ends with 0, the final store passes every check, and the last
// primary's own count of executed transactions equals what its commits hold (nothing it was
// resubmitted was executed again).
Status Crashtest::finish() {
    record(m_client->pump(500ms));
    m_client.reset();
    for (std::uint32_t id = 1; id <= m_pre.size(); ++id) {
        if (!m_pre[id - 1]) continue;
        if (const int code = m_pre[id - 1]->stop(10s); code != 0) {
            violation(pre_name(id) + " exited with code " + std::to_string(code) + " on SIGTERM");
        }
    }
    if (const int code = m_primary->stop(120s); code != 0) {
        violation("the primary exited with code " + std::to_string(code) + " on SIGTERM");
        return Status::ok();
    }
    REMORA_RETURN_IF_ERROR(check_store("at the end"));
    REMORA_RETURN_IF_ERROR(check_with_inspect("at the end"));
    if (!m_logged_unapplied.empty()) {
        violation("at the end: the batch a killed primary had ordered and logged for commit " +
                  std::to_string(m_logged_unapplied.begin()->first) +
                  " was never applied (the store ends at commit " +
                  std::to_string(m_report.commits) + ")");
    }
    auto stats = read_json_file(node_stats_path(primary_dir()));
    if (!stats) return stats.status().with_context("the primary's stats");
    const auto transactions = (*stats)["transactions"].get<std::uint64_t>();
    storage::StoreOptions options;
    auto store =
        storage::Store::open(primary_dir() + "/store", storage::OpenMode::kReadOnly, options);
    if (!store) return store.status();
    std::uint64_t in_commits = 0;
    for (std::uint64_t i = m_instance_start_commit + 1; i <= (*store)->status().applied_commit;
         ++i) {
        auto record = (*store)->read_commit(i);
        if (!record) return record.status();
        auto body = executor::decode_commit_body(record->body);
        if (!body) return body.status();
        in_commits += body->transactions.size();
    }
    if (transactions != in_commits) {
        violation("the last primary executed " + std::to_string(transactions) +
                  " transactions but its commits hold " + std::to_string(in_commits));
    }
    return Status::ok();
}

Result<CrashtestReport> Crashtest::run() {
    REMORA_RETURN_IF_ERROR(validate_crashtest_config(m_config));
    REMORA_RETURN_IF_ERROR(check_crash_mode_supported(m_config.mode));
    REMORA_RETURN_IF_ERROR(find_tools());
    executor::workload::WorkloadConfig workload;
    workload.name = m_config.workload;
    workload.seed = m_config.seed;
    workload.accounts = m_config.accounts;
    auto made = executor::workload::make_workload(workload);
    if (!made) return made.status();
    m_workload = std::move(made).value();
    REMORA_RETURN_IF_ERROR(prepare_dir());
    m_report.dir = m_dir;
    say("crash test in " + m_dir + ": a primary and " + std::to_string(m_config.pre_executors) +
        " pre-executors, " + std::to_string(m_config.kills) + " kills, seed " +
        std::to_string(m_config.seed));
    std::vector<std::string> names = {"primary"};
    for (std::uint32_t i = 1; i <= m_config.pre_executors; ++i) names.push_back(pre_name(i));
    REMORA_RETURN_IF_ERROR(net::write_cluster_credentials(m_dir + "/tls", names, 24h));
    m_pre.resize(m_config.pre_executors);
    m_pre_fault.resize(m_config.pre_executors);
    m_pre_log_from.resize(m_config.pre_executors);

    Status status = [&]() -> Status {
        REMORA_RETURN_IF_ERROR(start_primary(/*at_start=*/true));
        for (std::uint32_t id = 1; id <= m_config.pre_executors; ++id) {
            REMORA_RETURN_IF_ERROR(start_pre_executor(id, /*at_start=*/true));
        }
        for (std::uint32_t id = 1; id <= m_config.pre_executors; ++id) {
            REMORA_RETURN_IF_ERROR(wait_pre_joined(id, 120s));
        }
        REMORA_RETURN_IF_ERROR(connect_client(60s));
        if (!m_client) {
            return {Code::kIoError, "the primary exited at start; the end of " + m_dir +
                                        "/primary.log:\n" + log_tail(m_dir + "/primary.log")};
        }
        std::uniform_int_distribution<std::uint32_t> instant(m_config.kill_min_ms,
                                                             m_config.kill_max_ms);
        while (m_report.kills < m_config.kills && m_report.violations.empty()) {
            if (m_interrupted) return {Code::kUnsupported, "interrupted"};
            // Whitebox: load runs until an armed fault point fires, or for kWhiteboxWindowMs,
            // after which the harness kills the drawn victim itself. Blackbox and both: the
            // drawn instant (in both, an armed point may fire first).
            std::uint32_t after_ms = instant(m_rng);
            if (m_config.mode == CrashMode::kWhitebox) after_ms = kWhiteboxWindowMs;
            const std::uint32_t victim =
                m_config.pre_executors == 0
                    ? 0
                    : static_cast<std::uint32_t>(m_rng() %
                                                 (std::uint64_t{2} * m_config.pre_executors));
            REMORA_RETURN_IF_ERROR(load(std::chrono::milliseconds(after_ms)));
            ++m_report.kills;
            if (!m_primary->running()) {
                REMORA_RETURN_IF_ERROR(kill_primary(false));
                continue;
            }
            const auto dead = std::find_if(m_pre.begin(), m_pre.end(),
                                           [](auto& pre) { return pre && !pre->running(); });
            if (dead != m_pre.end()) {
                const auto id = static_cast<std::uint32_t>(dead - m_pre.begin()) + 1;
                REMORA_RETURN_IF_ERROR(kill_pre_executor(id, false));
            } else if (victim < std::max<std::uint32_t>(1, m_config.pre_executors)) {
                REMORA_RETURN_IF_ERROR(kill_primary(true));
            } else {
                REMORA_RETURN_IF_ERROR(
                    kill_pre_executor(victim - m_config.pre_executors + 1, true));
            }
        }
        if (m_report.violations.empty()) REMORA_RETURN_IF_ERROR(disarm());
        if (!m_report.violations.empty()) return Status::ok();
        return finish();
    }();
    // Whatever happened, every process started is ended by pid (the destructors kill).
    if (m_client) m_client.reset();
    for (auto& pre : m_pre) {
        if (pre) pre->stop(5s);
    }
    if (m_primary) m_primary->stop(30s);
    // A temporary directory goes unless it is evidence: a violation, or a harness failure (its
    // message names the logs in it). An interrupted run leaves nothing behind.
    const bool temporary = m_config.dir.empty() && !m_config.keep;
    const bool evidence = !m_report.violations.empty() || (!status.is_ok() && !m_interrupted);
    if (temporary && !evidence) {
        if (Status s = recovery::remove_tree(m_dir); !s)
            say("could not remove " + m_dir + ": " + s.message());
    }
    if (!status.is_ok()) {
        return status.with_context("crash test in " + m_dir +
                                   (temporary && !evidence ? " (removed)" : ""));
    }
    m_report.clusters = 1;
    m_report.replay_seed = m_config.seed;
    m_report.replay_kills = m_config.kills;
    return m_report;
}

}  // namespace

const char* crash_mode_name(CrashMode mode) {
    switch (mode) {
        case CrashMode::kBlackbox:
            return "blackbox";
        case CrashMode::kWhitebox:
            return "whitebox";
        case CrashMode::kBoth:
            return "both";
    }
    return "?";
}

Status check_crash_mode_supported(CrashMode mode) {
    if (mode == CrashMode::kBlackbox || common::fault_points_compiled()) return Status::ok();
    return {Code::kUnsupported,
            std::string("--mode ") + crash_mode_name(mode) +
                " needs fault points, and this build has none: build the `faults` preset "
                "(cmake --preset faults && cmake --build build/faults --target remora-crashtest), "
                "whose remora-crashtest starts the remora-node beside it"};
}

Status validate_crashtest_config(const CrashtestConfig& config) {
    if (config.kills == 0 || config.kills > kCrashtestKillsMax) {
        return {Code::kInvalidArgument,
                "--kills must be in 1.." + std::to_string(kCrashtestKillsMax)};
    }
    if (config.pre_executors > kCrashtestPreExecutorsMax) {
        return {Code::kInvalidArgument,
                "--pre-executors is at most " + std::to_string(kCrashtestPreExecutorsMax)};
    }
    if (!(config.rate > 0) || config.rate > 100'000) {
        return {Code::kInvalidArgument, "--rate must be in (0, 100000] transactions per second"};
    }
    if (config.kill_min_ms > config.kill_max_ms || config.kill_max_ms > 600'000) {
        return {Code::kInvalidArgument, "the kill window must satisfy min <= max <= 600000 ms"};
    }
    if (config.accounts == 0 || config.accounts > 10'000'000) {
        return {Code::kInvalidArgument, "--accounts must be in 1..10000000"};
    }
    return Status::ok();
}

Result<CrashtestReport> run_crashtest(const CrashtestConfig& config,
                                      const std::atomic<bool>& interrupted,
                                      const CrashtestProgress& progress) {
    REMORA_RETURN_IF_ERROR(validate_crashtest_config(config));
    const std::uint32_t per =
        config.kills_per_cluster == 0 ? config.kills : config.kills_per_cluster;
    CrashtestReport total;
    std::string parent;
    if (!config.dir.empty()) {
        auto dir = prepare_run_dir(config.dir, "remora-crashtest");
        if (!dir) return dir.status();
        parent = std::move(dir).value();
        total.dir = parent;
    }
    for (std::uint32_t cluster = 0; total.kills < config.kills; ++cluster) {
        CrashtestConfig part = config;
        part.kills = std::min(per, config.kills - total.kills);
        part.seed = config.seed + cluster;
        part.kills_per_cluster = 0;
        if (per < config.kills && !parent.empty()) {
            part.dir = parent + "/cluster-" + std::to_string(cluster);
        }
        Crashtest test(part, interrupted, progress);
        auto report = test.run();
        if (!report) return report.status();
        if (per >= config.kills) {
            total = std::move(report).value();
        } else {
            const CrashtestReport& r = *report;
            if (total.dir.empty() || !r.violations.empty()) total.dir = r.dir;
            total.kills += r.kills;
            total.primary_kills += r.primary_kills;
            total.pre_executor_kills += r.pre_executor_kills;
            total.blackbox_kills += r.blackbox_kills;
            total.whitebox_kills += r.whitebox_kills;
            for (const auto& [name, count] : r.faults_fired) total.faults_fired[name] += count;
            total.violations.insert(total.violations.end(), r.violations.begin(),
                                    r.violations.end());
            total.recovery_ms.insert(total.recovery_ms.end(), r.recovery_ms.begin(),
                                     r.recovery_ms.end());
            total.submitted += r.submitted;
            total.acknowledged += r.acknowledged;
            total.resubmitted += r.resubmitted;
            total.refused += r.refused;
            total.ruled_out += r.ruled_out;
            total.client_reconnects += r.client_reconnects;
            total.logged_unapplied += r.logged_unapplied;
            total.commits = r.commits;
            total.digest = r.digest;
            total.clusters += 1;
            total.replay_seed = r.replay_seed;
            total.replay_kills = r.replay_kills;
        }
        if (!total.violations.empty()) break;
    }
    total.recovery_ms_p50 = percentile(total.recovery_ms, 0.50);
    total.recovery_ms_p99 = percentile(total.recovery_ms, 0.99);
    total.recovery_ms_max = percentile(total.recovery_ms, 1.0);
    return total;
}

}  // namespace remora::node
