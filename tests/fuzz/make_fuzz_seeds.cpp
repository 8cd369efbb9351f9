// Writes the seed corpora of fuzz_tx and fuzz_net (tests/fuzz/corpus/) from real values: the tx
// fixtures and a pre-executor's results on a workload. Run by hand after a format change:
//   build/release/tests/fuzz/make_fuzz_seeds tests/fuzz/corpus
// Each file is a selector byte (the target's switch) followed by the encoded value; fuzz_net's
// second byte is the frame decoder's piece seed, so its message seeds put a zero byte there
// (net_seed) and the selector is the message type whose body follows (tests/net/fuzz_net.cpp).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "executor/protocol/pre_executor.h"
#include "executor/sequential/commit_body.h"
#include "executor/tx/anoma_codec.h"
#include "executor/tx/effects_codec.h"
#include "executor/tx/lookup_table_codec.h"
#include "executor/tx/object_codec.h"
#include "executor/tx/transaction_codec.h"
#include "executor/workload/workload.h"
#include "net/frame.h"
#include "net/message_codec.h"
#include "net/node_messages.h"
#include "tests/executor/tx_fixtures.h"

namespace ex = remora::executor;
namespace fx = remora::executor::testing;
using remora::net::MessageType;

namespace {

std::string g_dir;

void write(const std::string& target, const std::string& name, char selector,
           const std::string& bytes) {
    std::filesystem::create_directories(g_dir + "/" + target);
    std::ofstream out(g_dir + "/" + target + "/" + name, std::ios::binary);
    out.put(selector);
    out << bytes;
}

// A fuzz_net seed: the body of message type `type` after the selector and the unused piece seed.
void net_seed(const std::string& name, remora::net::MessageType type, const std::string& body) {
    write("fuzz_net", name, static_cast<char>(type), std::string(1, '\0') + body);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_fuzz_seeds CORPUS_DIR\n");
        return 2;
    }
    g_dir = argv[1];
    write("fuzz_tx", "transaction", 0, ex::encode_transaction(fx::sample_transaction()));
    write("fuzz_tx", "transaction_inline", 0,
          ex::encode_transaction(fx::sample_inline_transaction()));
    write("fuzz_tx", "effects", 1, ex::encode_effects(fx::sample_effects()));
    write("fuzz_tx", "effects_aborted", 1, ex::encode_effects(fx::sample_aborted_effects()));
    write("fuzz_tx", "lookup_table", 2, ex::encode_lookup_table(fx::sample_lookup_table()));
    write("fuzz_tx", "anoma_execute", 3,
          ex::encode_anoma_message(fx::sample_execute_transaction()));
    write("fuzz_tx", "anoma_summary", 3, ex::encode_anoma_message(fx::sample_execution_summary()));
    write("fuzz_tx", "object", 4, ex::encode_object(fx::sample_object()));
    ex::CommitBody body;
    body.transactions.push_back({fx::sample_transaction(), fx::sample_effects()});
    write("fuzz_tx", "commit_body", 5, ex::encode_commit_body(body));

    ex::workload::WorkloadConfig config;
    config.name = "mixed";
    config.accounts = 16;
    config.compute_rounds = 10;
    auto load = ex::workload::make_workload(config);
    if (!load) return 1;
    remora::storage::StoreOptions options;
    options.create_if_missing = true;
    options.in_memory = true;
    auto store = remora::storage::Store::open("/remora-in-memory/seeds",
                                              remora::storage::OpenMode::kReadWrite, options);
    if (!store) return 1;
    auto pre = ex::protocol::PreExecutor::from_genesis(1, std::move(store).value(),
                                                       load.value()->genesis_objects(), "mixed");
    if (!pre) return 1;
    for (int i = 0; i < 6; ++i) {
        auto tx = load.value()->next();
        auto result = pre.value()->execute(tx->tx);
        if (!result) return 1;
        const std::string n = std::to_string(i);
        const auto body_bytes = remora::net::encode_pre_exec_result(*result);
        net_seed("pre_exec_result_" + n, MessageType::kPreExecResult, body_bytes);
        if (i == 0) net_seed("relayed_result", MessageType::kRelayedResult, body_bytes);
        net_seed("peer_effects_" + n, MessageType::kPeerEffects,
                 remora::net::encode_peer_effects(
                     {result->effects, ex::effects_digest(result->effects)}));
        write("fuzz_net", "frames_" + n, 0,
              std::string(1, static_cast<char>(i * 11)) + remora::net::encode_frame(2, body_bytes) +
                  remora::net::encode_frame(1, "x"));
        ex::protocol::StateUpdate update;
        update.pre_executor = 1;
        update.to_commit = 2;
        update.objects = result->effects.written;
        net_seed("state_update_" + n, MessageType::kStateUpdate,
                 remora::net::encode_state_update(update));
        // The node's messages (protocol version 2) around the same transaction.
        const std::string tx_bytes = ex::encode_transaction(tx->tx);
        net_seed("submit_transaction_" + n, MessageType::kSubmitTransaction, tx_bytes);
        ex::ExecuteTransaction execute;
        execute.executable = tx->tx;
        net_seed("execute_transaction_" + n, MessageType::kExecuteTransaction,
                 ex::encode_anoma_message(execute));
        net_seed("forward_transaction_" + n, MessageType::kForwardTransaction,
                 remora::net::encode_forward_transaction(tx_bytes));
        ex::ExecutionSummary summary;
        summary.timestamp = {static_cast<std::uint64_t>(i + 2), 0};
        summary.tx_digest = ex::transaction_digest(tx->tx);
        summary.status = result->effects.status;
        summary.gas_used = result->effects.gas_used;
        summary.effects_digest = ex::effects_digest(result->effects);
        net_seed("execution_summary_" + n, MessageType::kExecutionSummary,
                 ex::encode_anoma_message(summary));
        write("fuzz_net", "frames_ingress_" + n, 0,
              std::string(1, static_cast<char>(i * 13 + 1)) +
                  remora::net::encode_frame(1, remora::net::encode_hello({})) +
                  remora::net::encode_frame(6, tx_bytes));
    }
    net_seed("hello", MessageType::kHello, remora::net::encode_hello({}));
    net_seed("ack", MessageType::kStateUpdateAck, remora::net::encode_state_update_ack({1, 2}));
    net_seed("execution_summary_fixture", MessageType::kExecutionSummary,
             ex::encode_anoma_message(fx::sample_execution_summary()));
    net_seed("execute_transaction_fixture", MessageType::kExecuteTransaction,
             ex::encode_anoma_message(fx::sample_execute_transaction()));
    net_seed("submit_refused_malformed", MessageType::kSubmitRefused,
             remora::net::encode_submit_refused(
                 {{}, remora::net::RefusalReason::kMalformed, "transaction: truncated buffer"}));
    net_seed("submit_refused_overloaded", MessageType::kSubmitRefused,
             remora::net::encode_submit_refused({ex::transaction_digest(fx::sample_transaction()),
                                                 remora::net::RefusalReason::kOverloaded,
                                                 "retry later"}));
    net_seed("heartbeat", MessageType::kHeartbeat, remora::net::encode_heartbeat({42}));
    remora::net::Hello peer_hello;
    peer_hello.node_id = 2;
    peer_hello.peer_host = "127.0.0.1";
    peer_hello.peer_port = 4711;
    net_seed("hello_peer_port", MessageType::kHello, remora::net::encode_hello(peer_hello));
    net_seed("membership", MessageType::kMembership,
             remora::net::encode_membership({{{1, "127.0.0.1", 4711}, {3, "::1", 4712}}}));
    net_seed("tentative_order", MessageType::kTentativeOrder,
             remora::net::encode_tentative_order(
                 {7, 7, {ex::transaction_digest(fx::sample_transaction()), {}}}));
    net_seed("snapshot_request", MessageType::kSnapshotRequest,
             remora::net::encode_snapshot_request({7}));
    net_seed("snapshot_offer", MessageType::kSnapshotOffer,
             remora::net::encode_snapshot_offer({9, "REMORA-SNAPSHOT manifest bytes"}));
    net_seed("snapshot_chunk_request", MessageType::kSnapshotChunkRequest,
             remora::net::encode_snapshot_chunk_request({9, 2, 4096, 65536}));
    net_seed("snapshot_chunk", MessageType::kSnapshotChunk,
             remora::net::encode_snapshot_chunk({9, 2, 4096, std::string(300, 'r')}));
    return 0;
}
