#pragma once
// Helpers shared by the workload tests (tests/executor/workload_*.cpp).

#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "executor/tx/transaction.h"
#include "executor/workload/workload.h"

namespace remora::testing {

// The first `count` transactions of a fresh workload built from `config`.
inline std::vector<executor::workload::WorkloadTx> generate(
    const executor::workload::WorkloadConfig& config, std::size_t count) {
    auto workload = executor::workload::make_workload(config);
    INFO(workload.status().to_string());
    REQUIRE(workload.is_ok());
    std::vector<executor::workload::WorkloadTx> txs;
    for (std::size_t i = 0; i < count; ++i) {
        auto tx = (*workload)->next();
        if (!tx) break;
        txs.push_back(std::move(*tx));
    }
    return txs;
}

// Every byte a transaction carries: the canonical (signed) bytes, then each authenticator.
inline std::string transaction_bytes(const executor::Transaction& tx) {
    std::string out = executor::canonical_transaction_bytes(tx);
    for (const auto& a : tx.authenticators) {
        out.append(a.public_key.view());
        out.append(a.signature.view());
    }
    return out;
}

// The real-chain trace of the shared folder beside the repository, if present.
inline std::string shared_trace_path() {
    return std::string(REMORA_SOURCE_DIR) + "/../shared/traces/eth_pevm_85blocks_txs.csv";
}

}  // namespace remora::testing
