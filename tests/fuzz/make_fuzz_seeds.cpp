// Writes the seed corpora of fuzz_tx and fuzz_net (tests/fuzz/corpus/) from real values: the tx
// fixtures and a pre-executor's results on a workload. Run by hand after a format change:
//   build/release/tests/fuzz/make_fuzz_seeds tests/fuzz/corpus
// Each file is a selector byte (the target's switch) followed by the encoded value.

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
#include "tests/executor/tx_fixtures.h"

namespace ex = remora::executor;
namespace fx = remora::executor::testing;

namespace {

std::string g_dir;

void write(const std::string& target, const std::string& name, char selector,
           const std::string& bytes) {
    std::filesystem::create_directories(g_dir + "/" + target);
    std::ofstream out(g_dir + "/" + target + "/" + name, std::ios::binary);
    out.put(selector);
    out << bytes;
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
        write("fuzz_net", "pre_exec_result_" + n, 2, body_bytes);
        write("fuzz_net", "peer_effects_" + n, 4,
              remora::net::encode_peer_effects(
                  {result->effects, ex::effects_digest(result->effects)}));
        write("fuzz_net", "frames_" + n, 0,
              std::string(1, static_cast<char>(i * 11)) + remora::net::encode_frame(2, body_bytes) +
                  remora::net::encode_frame(1, "x"));
        ex::protocol::StateUpdate update;
        update.pre_executor = 1;
        update.to_commit = 2;
        update.objects = result->effects.written;
        write("fuzz_net", "state_update_" + n, 5, remora::net::encode_state_update(update));
    }
    write("fuzz_net", "hello", 1, remora::net::encode_hello({}));
    write("fuzz_net", "ack", 3, remora::net::encode_state_update_ack({1, 2}));
    return 0;
}
