#pragma once
// Helpers of the Remora protocol tests (protocol_*_test.cpp): a workload cut into commits, the
// sequential reference over an in-memory store, and a small in-process driver that wires a
// primary, a load balancer and pre-executors together the way a node would.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "executor/protocol/load_balancer.h"
#include "executor/protocol/pre_executor.h"
#include "executor/protocol/primary.h"
#include "executor/sequential/sequential.h"
#include "executor/workload/workload.h"
#include "storage/store.h"

namespace remora::testing {

using executor::Object;
using executor::Transaction;
namespace protocol = executor::protocol;

struct Batches {
    std::string name;
    std::vector<Object> genesis;
    std::vector<std::vector<Transaction>> commits;
};

inline executor::workload::WorkloadConfig protocol_config(const std::string& name,
                                                          std::uint64_t seed = 7) {
    executor::workload::WorkloadConfig config;
    config.name = name;
    config.seed = seed;
    config.accounts = 48;
    config.shared_objects = 4;
    config.compute_rounds = 20;
    config.batch_size = 30;
    return config;
}

inline Batches make_batches(const executor::workload::WorkloadConfig& config, int commits,
                            int per_commit) {
    auto made = executor::workload::make_workload(config);
    INFO(made.status().to_string());
    REQUIRE(made.is_ok());
    auto& load = *made.value();
    Batches batches{load.name(), load.genesis_objects(), {}};
    for (int c = 0; c < commits; ++c) {
        std::vector<Transaction> txs;
        for (int i = 0; i < per_commit; ++i) txs.push_back(load.next()->tx);
        batches.commits.push_back(std::move(txs));
    }
    return batches;
}

inline std::unique_ptr<storage::Store> memory_store(const std::string& name) {
    storage::StoreOptions options;
    options.create_if_missing = true;
    options.in_memory = true;
    options.sync = false;
    // An in-memory store still needs an absolute name (RocksDB's MemEnv); nothing is written.
    auto store =
        storage::Store::open("/remora-in-memory/" + name, storage::OpenMode::kReadWrite, options);
    INFO(store.status().to_string());
    REQUIRE(store.is_ok());
    return std::move(store).value();
}

inline std::vector<std::string> effects_bytes(const std::vector<executor::Effects>& effects) {
    std::vector<std::string> bytes;
    for (const auto& e : effects) bytes.push_back(executor::canonical_effects_bytes(e));
    return bytes;
}

// The sequential reference: per commit, every transaction's canonical effects bytes and the
// state digest after it; the store stays open for comparing commit records.
struct Reference {
    std::unique_ptr<storage::Store> store;
    std::vector<std::vector<std::string>> effects;
    std::vector<common::Digest> digests;
};

inline Reference run_reference(const Batches& batches) {
    Reference ref;
    ref.store = memory_store("reference");
    executor::SequentialExecutor executor(*ref.store);
    REQUIRE(executor.commit_genesis(batches.genesis, batches.name).is_ok());
    for (const auto& txs : batches.commits) {
        auto outcome = executor.execute_commit(txs);
        INFO(outcome.status().to_string());
        REQUIRE(outcome.is_ok());
        ref.effects.push_back(effects_bytes(outcome->effects));
        ref.digests.push_back(outcome->state_digest);
    }
    return ref;
}

// Every commit record of `a` equals `b`'s: index, digest, live objects, writes and body bytes.
inline void require_same_commits(storage::Store& a, storage::Store& b) {
    REQUIRE(a.status().applied_commit == b.status().applied_commit);
    for (common::CommitIndex c = 1; c <= a.status().applied_commit; ++c) {
        auto ra = a.read_commit(c);
        auto rb = b.read_commit(c);
        REQUIRE(ra.is_ok());
        REQUIRE(rb.is_ok());
        INFO("commit " << c);
        CHECK(ra->state_digest == rb->state_digest);
        CHECK(ra->live_objects == rb->live_objects);
        CHECK(ra->writes == rb->writes);
        CHECK(ra->transactions == rb->transactions);
        CHECK(ra->body == rb->body);
    }
}

// An in-process driver: a primary, a load balancer and pre-executors on in-memory stores.
class Cluster {
public:
    Cluster(const Batches& batches, int pre_executors, const protocol::PrimaryOptions& options,
            const protocol::LoadBalancerOptions& routing = {})
        : m_store(memory_store("primary")), m_balancer(routing) {
        REQUIRE(executor::SequentialExecutor(*m_store)
                    .commit_genesis(batches.genesis, batches.name)
                    .is_ok());
        m_primary = std::make_unique<protocol::Primary>(*m_store, options);
        for (int i = 0; i < pre_executors; ++i) add_pre_executor(batches, 10 + i);
    }

    void add_pre_executor(const Batches& batches, protocol::PreExecutorId id) {
        auto pre = protocol::PreExecutor::from_genesis(id, memory_store("pre"), batches.genesis,
                                                       batches.name);
        REQUIRE(pre.is_ok());
        REQUIRE(m_primary->add_pre_executor(id, pre.value()->caught_up_commit()).is_ok());
        REQUIRE(m_balancer.add(id).is_ok());
        m_pres[id] = std::move(pre).value();
    }

    // Routes and pre-executes every transaction, submitting each result at once.
    void pre_execute(const std::vector<Transaction>& txs) {
        for (const Transaction& tx : txs) {
            auto id = m_balancer.route(tx);
            if (!id) continue;
            m_primary->note_routed(executor::transaction_digest(tx), *id);
            submit(*m_pres.at(*id), tx);
        }
    }

    // Pre-executes `tx` on `pre` and submits the result.
    protocol::Submitted submit(protocol::PreExecutor& pre, const Transaction& tx) {
        auto result = pre.execute(tx);
        INFO(result.status().to_string());
        REQUIRE(result.is_ok());
        auto submitted = m_primary->submit(std::move(result).value());
        INFO(submitted.status().to_string());
        REQUIRE(submitted.is_ok());
        return submitted.value();
    }

    // Processes one commit; state updates are applied (and acknowledged) when enabled. With
    // `digests`, the transactions' digests are handed to the primary as a node's driver does.
    protocol::PrimaryCommit process(const std::vector<Transaction>& txs,
                                    std::span<const common::Digest> digests = {}) {
        auto commit = m_primary->process_commit(txs, digests);
        INFO(commit.status().to_string());
        REQUIRE(commit.is_ok());
        for (const auto& update : commit->state_updates) {
            ++m_updates_seen;
            if (!m_apply_updates) continue;
            auto ack = m_pres.at(update.pre_executor)->apply_state_update(update);
            INFO(ack.status().to_string());
            REQUIRE(ack.is_ok());
            REQUIRE(m_primary->acknowledge(ack.value()).is_ok());
        }
        return std::move(commit).value();
    }

    // Routed updates go where the load balancer expects each object's next reader.
    void route_updates() {
        m_primary->set_update_router(
            [this](const Object& object) { return m_balancer.expected_reader(object); });
    }

    protocol::Primary& primary() { return *m_primary; }
    storage::Store& store() { return *m_store; }
    protocol::LoadBalancer& balancer() { return m_balancer; }
    protocol::PreExecutor& pre(protocol::PreExecutorId id) { return *m_pres.at(id); }
    void set_apply_updates(bool apply) { m_apply_updates = apply; }
    std::uint64_t updates_seen() const { return m_updates_seen; }

private:
    std::unique_ptr<storage::Store> m_store;
    std::unique_ptr<protocol::Primary> m_primary;
    protocol::LoadBalancer m_balancer;
    std::map<protocol::PreExecutorId, std::unique_ptr<protocol::PreExecutor>> m_pres;
    bool m_apply_updates = true;
    std::uint64_t m_updates_seen = 0;
};

inline std::size_t adopted_count(const protocol::PrimaryCommit& commit) {
    std::size_t n = 0;
    for (const auto& d : commit.decisions) n += d.adopted;
    return n;
}

}  // namespace remora::testing
